import { isUtf8 } from 'node:buffer';
import { GitError, type GitCommandManager } from './git-command-manager.js';
import { decodeGitPaths } from './path-bytes.js';

/** One `--raw` entry of a commit's diff against its first parent (renames are split: --no-renames). */
export interface RawChange {
  srcMode: string;
  dstMode: string;
  srcOid: string;
  dstOid: string;
  /** A (added), M (modified), D (deleted), T (type change, e.g. file ↔ symlink). */
  status: string;
  path: string;
}

/** A source commit as the history replay needs it. Dates are git's raw format `<epoch> <±hhmm>`. */
export interface LogCommit {
  sha: string;
  parents: string[];
  authorName: string;
  authorEmail: string;
  authorDate: string;
  committerName: string;
  committerEmail: string;
  committerDate: string;
  /** The raw message (%B), as git stores it modulo re-encoding to UTF-8. */
  message: string;
  /**
   * The message's bytes when they are not valid UTF-8 (a Latin-1 message without an encoding
   * header): `message` then holds replacement characters, and a copy must use these bytes.
   */
  rawMessage?: Buffer;
  /** The commit's `encoding` header (i18n.commitEncoding), when it has one; `message` is re-encoded to UTF-8. */
  encoding?: string;
  changes: RawChange[];
}

export interface LogRange {
  /** Exclusive start (commits reachable from it are not listed). Undefined: from the root. */
  from?: string;
  /** Inclusive end. */
  to: string;
}

/** Header fields after the \x01 marker; the message is the 10th NUL-terminated field. */
const FORMAT = '%x01%H%x00%P%x00%an%x00%ae%x00%ad%x00%cn%x00%ce%x00%cd%x00%e%x00%B';
const HEADER_FIELDS = 9;

/**
 * The first-parent line of `range`, oldest first, each commit with its raw diff against its first
 * parent (merges included, diffed against the first parent). One `git log` process for the whole
 * range, parsed incrementally as it streams, with backpressure: a slow consumer pauses git.
 */
export async function* readFirstParentLog(
  git: GitCommandManager,
  range: LogRange,
  opts: { rootOnly?: boolean } = {},
): AsyncGenerator<LogCommit> {
  const args = [
    'log',
    '--first-parent',
    '--reverse',
    // The root alone: its header, without the listing of every file it adds.
    ...(opts.rootOnly ? ['--max-parents=0'] : ['--raw']),
    '-z',
    '--no-abbrev',
    '--no-renames',
    '--diff-merges=first-parent',
    '--no-color',
    '--no-ext-diff',
    '--no-textconv',
    '--no-mailmap',
    '--date=raw',
    `--format=${FORMAT}`,
    range.from ? `${range.from}..${range.to}` : range.to,
    '--',
  ];
  const child = git.spawn(args);
  const stderr: Buffer[] = [];
  child.stderr.on('data', (d: Buffer) => stderr.push(d));
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 128));
  });
  child.stdin.end();
  const parser = new LogParser();
  let finished = false;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      for (const c of parser.push(chunk)) yield c;
    }
    const last = parser.end();
    const code = await exited;
    if (code !== 0) throw new GitError(args, code, Buffer.concat(stderr).toString('utf8'));
    if (last) yield last;
    finished = true;
  } finally {
    if (!finished && child.exitCode === null) child.kill('SIGKILL');
  }
}

/** The first-parent root commit of `rev` (header and message only: `changes` stays empty). */
export async function readRootCommit(git: GitCommandManager, rev: string): Promise<LogCommit> {
  let root: LogCommit | undefined;
  for await (const c of readFirstParentLog(git, { to: rev }, { rootOnly: true })) root ??= c;
  if (!root) throw new Error(`no root commit on the first-parent line of ${rev}`);
  return root;
}

type State = { kind: 'header'; field: number } | { kind: 'message' } | { kind: 'raw' } | { kind: 'path' };
const RAW: State = { kind: 'raw' };
const PATH: State = { kind: 'path' };

/** Modes and the all-zero ids, shared instead of one string per raw line. */
const INTERNED = new Map<string, string>(
  ['100644', '100755', '120000', '160000', '040000', '000000', '0'.repeat(40), '0'.repeat(64)].map((v) => [
    v,
    v,
  ]),
);
function intern(v: string): string {
  return INTERNED.get(v) ?? v;
}

/**
 * Incremental parser of `log --raw -z --format=FORMAT` output. The stream is a sequence of
 * NUL-terminated tokens: `\x01sha`, 7 more header fields, the message, then per changed path a
 * `:modes oids status` token and a path token. Header and message tokens are read by position,
 * so a message may contain any byte except NUL.
 */
export class LogParser {
  private rest: Buffer = Buffer.alloc(0);
  private state: State = RAW;
  private current?: LogCommit;
  private pendingMeta?: Omit<RawChange, 'path'>;

  /** Feed a chunk; returns the commits completed by it. */
  push(chunk: Buffer): LogCommit[] {
    const buf = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    const done: LogCommit[] = [];
    let start = 0;
    for (;;) {
      const nul = buf.indexOf(0, start);
      if (nul < 0) break;
      // The two hot tokens (a raw line's meta and its path) are read in place, without a view.
      if (this.state === PATH) this.path(decodeGitPaths(buf, start, nul));
      else if (this.state === RAW && buf[start] === 0x3a /* ':' */)
        this.meta(buf.toString('latin1', start + 1, nul));
      else {
        const c = this.token(buf.subarray(start, nul));
        if (c) done.push(c);
      }
      start = nul + 1;
    }
    this.rest = start < buf.length ? Buffer.from(buf.subarray(start)) : Buffer.alloc(0);
    return done;
  }

  /** End of stream: the last commit, if any. */
  end(): LogCommit | undefined {
    if (this.rest.length) {
      const tail = this.rest;
      this.rest = Buffer.alloc(0);
      const c = this.token(tail);
      if (c) throw new Error('git log output ended inside a commit header');
    }
    const c = this.current;
    this.current = undefined;
    if (this.state.kind === 'header' || this.state.kind === 'path')
      throw new Error('git log output ended in the middle of a commit');
    return c;
  }

  /** ":100644 100644 <old> <new> M" (without the colon). */
  private meta(meta: string): void {
    const f = meta.split(' ');
    if (f.length < 5) throw new Error(`unexpected git log --raw entry ':${meta}'`);
    // Interned: a root commit lists every file, and these repeat on each line.
    this.pendingMeta = {
      srcMode: intern(f[0]),
      dstMode: intern(f[1]),
      srcOid: intern(f[2]),
      dstOid: intern(f[3]),
      status: f[4][0],
    };
    this.state = PATH;
  }

  private path(path: string): void {
    const m = this.pendingMeta!;
    this.current!.changes.push({
      srcMode: m.srcMode,
      dstMode: m.dstMode,
      srcOid: m.srcOid,
      dstOid: m.dstOid,
      status: m.status,
      path,
    });
    this.pendingMeta = undefined;
    this.state = RAW;
  }

  /** Handle one token; returns a commit when this token starts the next one. */
  private token(tok: Buffer): LogCommit | undefined {
    const st = this.state;
    if (st.kind === 'header') {
      const s = tok.toString('utf8');
      const c = this.current!;
      switch (st.field) {
        case 1:
          c.parents = s ? s.split(' ') : [];
          break;
        case 2:
          c.authorName = s;
          break;
        case 3:
          c.authorEmail = s;
          break;
        case 4:
          c.authorDate = s;
          break;
        case 5:
          c.committerName = s;
          break;
        case 6:
          c.committerEmail = s;
          break;
        case 7:
          c.committerDate = s;
          break;
        case 8:
          if (s) c.encoding = s;
          break;
      }
      this.state =
        st.field + 1 < HEADER_FIELDS ? { kind: 'header', field: st.field + 1 } : { kind: 'message' };
      return undefined;
    }
    if (st.kind === 'message') {
      this.current!.message = tok.toString('utf8');
      // Not UTF-8 (and not re-encoded by git): the bytes are kept for the copy.
      if (!isUtf8(tok)) this.current!.rawMessage = Buffer.from(tok);
      this.state = { kind: 'raw' };
      return undefined;
    }
    if (st.kind === 'path') {
      this.path(decodeGitPaths(tok));
      return undefined;
    }
    // 'raw': skip the separators git puts between the message and the diff
    let i = 0;
    while (i < tok.length && (tok[i] === 0x0a || tok[i] === 0x0d)) i++;
    if (i === tok.length) return undefined;
    if (tok[i] === 0x01) {
      const finished = this.current;
      this.current = {
        sha: tok.subarray(i + 1).toString('latin1'),
        parents: [],
        authorName: '',
        authorEmail: '',
        authorDate: '',
        committerName: '',
        committerEmail: '',
        committerDate: '',
        message: '',
        changes: [],
      };
      this.state = { kind: 'header', field: 1 };
      return finished;
    }
    if (tok[i] === 0x3a /* ':' */) {
      this.meta(tok.toString('latin1', i + 1));
      return undefined;
    }
    throw new Error(`unexpected git log output near '${tok.subarray(i, i + 40).toString('utf8')}'`);
  }
}

/**
 * The raw diff between two trees (`diff-tree -r -z --no-renames`): every changed path, with both
 * sides' modes and ids. Directories are not listed, only the files below them (a file that turns
 * into a directory is a deletion plus the additions below it).
 */
export async function readRawDiff(git: GitCommandManager, from: string, to: string): Promise<RawChange[]> {
  const out = (await git.execRaw(['diff-tree', '-r', '-z', '--no-renames', '--no-commit-id', from, to]))
    .stdout;
  const changes: RawChange[] = [];
  let start = 0;
  while (start < out.length) {
    const metaEnd = out.indexOf(0, start);
    if (metaEnd < 0) break;
    const pathEnd = out.indexOf(0, metaEnd + 1);
    if (out[start] !== 0x3a || pathEnd < 0) throw new Error('unexpected git diff-tree output');
    // ":<old mode> <new mode> <old oid> <new oid> <status>" NUL "<path>" NUL
    const [srcMode, dstMode, srcOid, dstOid, status] = out.toString('latin1', start + 1, metaEnd).split(' ');
    changes.push({
      srcMode: intern(srcMode),
      dstMode: intern(dstMode),
      srcOid: intern(srcOid),
      dstOid: intern(dstOid),
      status: status[0],
      path: decodeGitPaths(out, metaEnd + 1, pathEnd),
    });
    start = pathEnd + 1;
  }
  return changes;
}
