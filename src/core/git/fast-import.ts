import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GitError, type GitCommandManager } from './git-command-manager.js';

/** A person line for fast-import; `date` is git's raw format `<epoch> <±hhmm>`. */
export interface FastImportIdent {
  name: string;
  email: string;
  date: string;
}

export type FileOp =
  { op: 'M'; mode: string; oid: string; path: string } | { op: 'D'; path: string } | { op: 'deleteall' };

export interface FastImportCommit {
  author: FastImportIdent;
  committer: FastImportIdent;
  /** The message: text (written as UTF-8), or bytes written as they are (see `encoding`). */
  message: string | Buffer;
  /** The commit's `encoding` header: the charset of message bytes that are not UTF-8. */
  encoding?: string;
  /**
   * Parent: a commit id, or a mark (`:N`) of an earlier commit in this stream. Absent: the ref's
   * last commit in this stream, or a root commit for the ref's first.
   */
  from?: string;
  /** Further parents (a merge commit): commit ids or marks. */
  merge?: readonly string[];
  /** The ref to commit on, when not the writer's (e.g. a side line of a kept merge). */
  ref?: string;
  ops: readonly FileOp[];
}

/** Text queued for git beyond this makes `backpressure` true. */
const QUEUE_LIMIT = 16 << 20;

/** Flush the text buffer to git once it reaches this size (one write per ~256 KiB, not per commit). */
const CHUNK = 1 << 18;

/**
 * One `git fast-import` process writing commits into `git`'s repository. File contents are
 * referenced by existing blob id (no blob data is streamed), so the repository must see the source
 * objects (e.g. through alternates). The stream carries no wall-clock data: the same commits in
 * give the same commit ids out. Commits land on `ref` (a scratch ref); `finish()` returns their ids.
 */
export class FastImportWriter {
  private readonly child;
  private readonly stderr: Buffer[] = [];
  private readonly exited: Promise<number>;
  private readonly args: string[];
  private text = '';
  private nextMark = 1;
  private failed?: Error;
  private aborted = false;
  /** Refs already reset in this stream. */
  private readonly started = new Set<string>();
  /** Set while the pipe is full (node buffers the rest); resolves on 'drain'. */
  private pressure?: Promise<void>;
  /** A write of prefetch() lines is due at the end of this turn of the event loop. */
  private prefetchDue = false;

  private constructor(
    private readonly ref: string,
    private readonly marksFile: string,
    git: GitCommandManager,
  ) {
    this.args = [
      'fast-import',
      '--quiet',
      '--done',
      '--force',
      '--date-format=raw',
      `--export-marks=${marksFile}`,
    ];
    this.child = git.spawn(this.args);
    this.child.stdout.resume();
    this.child.stderr.on('data', (d: Buffer) => this.stderr.push(d));
    this.child.stdin.on('error', (e) => (this.failed ??= e));
    this.exited = new Promise<number>((resolve) => {
      this.child.on('error', (e) => {
        this.failed ??= e;
        resolve(128);
      });
      this.child.on('close', (code) => resolve(code ?? 128));
    });
  }

  static async open(git: GitCommandManager, ref: string): Promise<FastImportWriter> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-fi-'));
    return new FastImportWriter(ref, path.join(dir, 'marks'), git);
  }

  /**
   * Queue a commit; returns its mark (`:N`), usable as a later commit's `from`. Synchronous: the
   * text is buffered and written in big chunks (and on flush()), so a replay of thousands of
   * commits makes a few hundred writes and no round trips. Await `drained()` now and then to
   * respect backpressure.
   */
  commit(c: FastImportCommit): string {
    if (this.failed) throw this.failed;
    const mark = this.nextMark++;
    const ref = c.ref ?? this.ref;
    // `reset` first: a ref left by an earlier build in the same repo must not become a parent
    let t = this.started.has(ref) ? '' : `reset ${ref}\n\n`;
    this.started.add(ref);
    t += `commit ${ref}\nmark :${mark}\n`;
    t += `author ${ident(c.author)}\ncommitter ${ident(c.committer)}\n`;
    if (c.encoding) t += `encoding ${c.encoding.replace(/\s/g, '')}\n`;
    if (typeof c.message === 'string') {
      // `data <bytes>`: the stream is written as UTF-8, so the count is the message's UTF-8 length.
      t += `data ${Buffer.byteLength(c.message, 'utf8')}\n${c.message}`;
    } else {
      // Bytes that are not UTF-8 go to the pipe as they are, between the text before and after.
      this.text += `${t}data ${c.message.length}\n`;
      t = '';
      this.flushChunk();
      this.send(c.message);
    }
    t += c.from ? `\nfrom ${c.from}\n` : '\n';
    for (const m of c.merge ?? []) t += `merge ${m}\n`;
    for (const op of c.ops) {
      if (op.op === 'M') t += `M ${op.mode} ${op.oid} ${quotePath(op.path)}\n`;
      else if (op.op === 'D') t += `D ${quotePath(op.path)}\n`;
      else t += 'deleteall\n';
      if (t.length >= CHUNK) {
        this.text += t;
        t = '';
        this.flushChunk();
      }
    }
    this.text += t + '\n';
    if (this.text.length >= CHUNK) this.flushChunk();
    return `:${mark}`;
  }

  /**
   * Hand what is buffered to git now (a write costs: commit() writes only per CHUNK). Called when
   * the caller has queued a batch of commits, e.g. a short range read in full: git builds their
   * trees while the caller waits for something else.
   */
  flush(): void {
    this.flushChunk();
  }

  /**
   * Have git read the trees along `paths` of tree `tree` now (fast-import's `ls`, answered on its
   * stdout, which is drained unread): the commits that change those paths later find the tree
   * objects' delta bases cached, so a caller that knows the paths before it has the commits (a
   * log still streaming) lets git resolve the deep delta chains of a large tree meanwhile. No
   * commit, mark or ref changes. Written at the end of the current turn of the event loop.
   */
  prefetch(tree: string, paths: Iterable<string>): void {
    for (const p of paths) this.text += `ls ${tree} ${quotePath(p)}\n`;
    if (this.prefetchDue || !this.text) return;
    this.prefetchDue = true;
    setImmediate(() => {
      this.prefetchDue = false;
      if (this.aborted || this.failed) return;
      try {
        this.flushChunk();
      } catch (e) {
        // Seen by the next commit(), drained() or finish(), as any failed write.
        this.failed ??= e as Error;
      }
    });
  }

  /** Resolves once git has taken what was written so far (immediately when the pipe is not full). */
  drained(): Promise<void> {
    return this.pressure ?? Promise.resolve();
  }

  /**
   * True when more than QUEUE_LIMIT bytes wait for git: the caller should `await drained()` before
   * queuing more. Below that the caller goes on (a big commit, such as a root's, is taken by git
   * while the caller prepares the next ones).
   */
  get backpressure(): boolean {
    return this.pressure !== undefined && this.child.stdin.writableLength > QUEUE_LIMIT;
  }

  /** Close the stream; the commit id of every mark, in mark order. */
  async finish(): Promise<Map<string, string>> {
    this.text += 'done\n';
    this.flushChunk();
    await this.drained();
    this.child.stdin.end();
    const code = await this.exited;
    if (this.failed && code === 0) throw this.failed;
    if (code !== 0) throw new GitError(this.args, code, Buffer.concat(this.stderr).toString('utf8'));
    const marks = new Map<string, string>();
    const text = await fs.readFile(this.marksFile, 'utf8').catch(() => '');
    for (const line of text.split('\n')) {
      const sp = line.indexOf(' ');
      if (sp > 0) marks.set(line.slice(0, sp), line.slice(sp + 1));
    }
    await fs.rm(path.dirname(this.marksFile), { recursive: true, force: true });
    return marks;
  }

  /** Kill the process: nothing it was given updates any ref. */
  async abort(): Promise<void> {
    if (this.aborted) return;
    this.aborted = true;
    this.child.kill('SIGKILL');
    await this.exited;
    await fs.rm(path.dirname(this.marksFile), { recursive: true, force: true });
  }

  /** Hand the buffered text to the pipe. */
  private flushChunk(): void {
    if (!this.text) return;
    const t = this.text;
    this.text = '';
    this.send(t);
  }

  /** Write to the pipe; a full pipe sets `pressure` until it drains. */
  private send(chunk: string | Buffer): void {
    if (this.failed) throw this.failed;
    if (this.child.stdin.write(chunk) || this.pressure) return;
    this.pressure = new Promise<void>((resolve, reject) => {
      const onDrain = (): void => {
        this.child.removeListener('close', onClose);
        this.pressure = undefined;
        resolve();
      };
      const onClose = (): void => {
        this.child.stdin.removeListener('drain', onDrain);
        this.pressure = undefined;
        reject(
          new GitError(this.args, this.child.exitCode ?? 128, Buffer.concat(this.stderr).toString('utf8')),
        );
      };
      this.child.stdin.once('drain', onDrain);
      this.child.once('close', onClose);
    });
    // Observed by drained()/finish(); never an unhandled rejection on its own.
    this.pressure.catch(() => undefined);
  }
}

/** `Name <email> <epoch> <tz>`; fast-import rejects `<`, `>` and LF inside the name or email. */
function ident(p: FastImportIdent): string {
  const clean = (s: string): string => s.replace(/[<>\n]/g, '').trim();
  return `${clean(p.name)} <${clean(p.email)}> ${p.date}`;
}

/** fast-import reads a path raw unless it starts with `"` or holds a LF: then it must be C-quoted. */
export function quotePath(p: string): string {
  if (!p.startsWith('"') && !p.includes('\n')) return p;
  return `"${p.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
