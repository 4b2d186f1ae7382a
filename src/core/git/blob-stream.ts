/**
 * Bulk blob reading: many objects through `git cat-file --batch`, all ids written up front and the
 * output parsed as it streams, one synchronous callback per object. Unlike BlobReader (a promise
 * per blob, answers copied out one by one), nothing waits on a round trip and a body that arrives
 * in one chunk is handed over without a copy. Used by the leak gates, which read every added blob.
 *
 * `visit(oid, size, body)`:
 *  - size -1 and no body: the object is missing (or the name is ambiguous);
 *  - size > maxBytes: the body is skipped unread (no body), only its size is reported;
 *  - otherwise the body. It may be a view into a larger buffer: use it before returning, never keep it.
 * `type` is the object type (blob, tree, commit, tag; '' when missing). Names may be any object name
 * cat-file accepts (e.g. `<tree>:<dir>`); with one process, answers come in request order.
 * Objects come back in request order per process; with several processes the order interleaves.
 */
import type { GitCommandManager } from './git-command-manager.js';

export type BlobVisitor = (oid: string, size: number, body: Buffer | undefined, type: string) => void;

export interface BlobStreamOptions {
  /** Bodies larger than this are skipped (size still reported). Default: no limit. */
  maxBytes?: number;
  /** cat-file processes to split the ids over (decompression on more than one core). Default 1. */
  processes?: number;
}

/** Read `oids` (duplicates are read again: dedupe first) and call `visit` for each. */
export async function streamBlobs(
  git: GitCommandManager,
  oids: readonly string[],
  visit: BlobVisitor,
  opts: BlobStreamOptions = {},
): Promise<void> {
  if (!oids.length) return;
  const n = Math.max(1, Math.min(opts.processes ?? 1, Math.ceil(oids.length / 256)));
  const per = Math.ceil(oids.length / n);
  const parts: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    parts.push(streamOne(git, oids.slice(i * per, (i + 1) * per), visit, opts.maxBytes ?? Infinity));
  }
  await Promise.all(parts);
}

function streamOne(
  git: GitCommandManager,
  oids: readonly string[],
  visit: BlobVisitor,
  maxBytes: number,
): Promise<void> {
  if (!oids.length) return Promise.resolve();
  for (const o of oids)
    if (/[\n\r]/.test(o)) throw new Error('cat-file --batch: object names must not contain line breaks');
  // --buffer: all ids are written at once (stdin is closed right away), so git need not flush after
  // every object; fewer, larger writes mean fewer wake-ups on this side.
  const child = git.spawn(['cat-file', '--batch', '--buffer']);
  const parser = new BatchParser(visit, maxBytes);
  return new Promise<void>((resolve, reject) => {
    let failure: Error | undefined;
    const stderr: Buffer[] = [];
    const fail = (e: Error) => {
      if (failure) return;
      failure = e;
      child.kill();
    };
    child.stdout.on('data', (d: Buffer) => {
      if (failure) return;
      try {
        parser.push(d);
      } catch (e) {
        fail(e as Error);
      }
    });
    child.stderr.on('data', (d: Buffer) => stderr.push(d));
    child.stdin.on('error', () => undefined);
    child.on('error', (e) => fail(e));
    child.on('close', (code) => {
      if (failure) return reject(failure);
      if (parser.answered !== oids.length) {
        const why = Buffer.concat(stderr).toString('utf8').trim();
        return reject(
          new Error(
            `git cat-file --batch ended after ${parser.answered} of ${oids.length} objects (exit ${code})${why ? `: ${why}` : ''}`,
          ),
        );
      }
      resolve();
    });
    // One write: node buffers what the pipe cannot take yet, and git answers while it reads.
    child.stdin.end(oids.join('\n') + '\n');
  });
}

/** Incremental parser of `cat-file --batch` output ("<oid> <type> <size>\n<body>\n" or "<name> missing\n"). */
export class BatchParser {
  answered = 0;
  /** Bytes of an incomplete header line. */
  private head: Buffer | undefined;
  private oid = '';
  private type = '';
  private size = 0;
  /** Body bytes (plus the trailing LF) still to come for the current object; -1: expecting a header. */
  private left = -1;
  /** Body assembled across chunks (undefined when skipping). */
  private body: Buffer | undefined;
  private filled = 0;

  constructor(
    private readonly visit: BlobVisitor,
    private readonly maxBytes: number,
  ) {}

  push(chunk: Buffer): void {
    let pos = 0;
    const len = chunk.length;
    while (pos < len) {
      if (this.left < 0) {
        const nl = chunk.indexOf(10, pos);
        if (nl < 0) {
          const rest = chunk.subarray(pos);
          this.head = this.head ? Buffer.concat([this.head, rest]) : Buffer.from(rest);
          return;
        }
        let line = chunk.toString('latin1', pos, nl);
        if (this.head) {
          line = this.head.toString('latin1') + line;
          this.head = undefined;
        }
        pos = nl + 1;
        this.header(line);
        continue;
      }
      // Inside a body (this.left counts the trailing LF too).
      const take = Math.min(this.left, len - pos);
      const bodyLeft = this.left - 1;
      if (this.body === undefined && this.size <= this.maxBytes && this.filled === 0 && take >= this.left) {
        // The whole body is in this chunk: hand over a view, no copy.
        const body = chunk.subarray(pos, pos + this.size);
        pos += this.left;
        this.emit(body);
        continue;
      }
      if (this.size <= this.maxBytes) {
        this.body ??= Buffer.allocUnsafe(this.size);
        const bodyBytes = Math.min(take, bodyLeft);
        if (bodyBytes > 0) chunk.copy(this.body, this.filled, pos, pos + bodyBytes);
        this.filled += Math.max(0, bodyBytes);
      }
      pos += take;
      this.left -= take;
      if (this.left === 0) this.emit(this.size <= this.maxBytes ? this.body! : undefined);
    }
  }

  private header(line: string): void {
    if (line.endsWith(' missing') || line.endsWith(' ambiguous')) {
      this.answered++;
      this.visit(line.slice(0, line.indexOf(' ')), -1, undefined, '');
      return;
    }
    const s1 = line.indexOf(' ');
    const s2 = line.lastIndexOf(' ');
    const size = Number(line.slice(s2 + 1));
    if (s1 <= 0 || s2 <= s1 || !Number.isInteger(size) || size < 0)
      throw new Error(`cat-file --batch: unexpected header '${line.slice(0, 200)}'`);
    this.oid = line.slice(0, s1);
    this.type = line.slice(s1 + 1, s2);
    this.size = size;
    this.left = size + 1;
    this.body = undefined;
    this.filled = 0;
  }

  private emit(body: Buffer | undefined): void {
    this.left = -1;
    this.body = undefined;
    this.filled = 0;
    this.answered++;
    this.visit(this.oid, this.size, body, this.type);
  }
}
