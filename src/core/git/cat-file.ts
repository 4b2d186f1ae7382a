import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { GitCommandManager } from './git-command-manager.js';

/**
 * Reads many blobs through one long-lived `git cat-file --batch` process instead of a process
 * per blob. Requests are answered in order; `read` may be called concurrently.
 */
export class BlobReader {
  private child?: ChildProcessWithoutNullStreams;
  private buf: Buffer = Buffer.alloc(0);
  private queue: { resolve: (b: Buffer | undefined) => void; reject: (e: Error) => void }[] = [];
  private closed = false;
  /** Requests are coalesced into one stdin write per tick: one write per blob costs more than git. */
  private pending: string[] = [];

  constructor(private readonly git: GitCommandManager) {}

  private start(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    const child = this.git.spawn(['cat-file', '--batch']);
    child.stdout.on('data', (d: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
      this.drain();
    });
    child.stderr.resume();
    child.on('close', () => {
      this.closed = true;
      for (const q of this.queue.splice(0)) q.reject(new Error('git cat-file --batch exited'));
    });
    child.stdin.on('error', () => undefined);
    this.child = child;
    return child;
  }

  private drain(): void {
    while (this.queue.length) {
      const nl = this.buf.indexOf(10);
      if (nl < 0) return;
      const header = this.buf.subarray(0, nl).toString();
      if (header.endsWith(' missing') || header.endsWith(' ambiguous')) {
        this.buf = this.buf.subarray(nl + 1);
        this.queue.shift()!.resolve(undefined);
        continue;
      }
      const size = Number(header.slice(header.lastIndexOf(' ') + 1));
      if (this.buf.length < nl + 1 + size + 1) return;
      const body = Buffer.from(this.buf.subarray(nl + 1, nl + 1 + size));
      this.buf = this.buf.subarray(nl + 1 + size + 1);
      this.queue.shift()!.resolve(body);
    }
  }

  /** The object's content, or undefined when it does not exist. */
  read(oid: string): Promise<Buffer | undefined> {
    const child = this.start();
    if (this.closed) return Promise.reject(new Error('BlobReader is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ resolve, reject });
      if (this.pending.push(oid) === 1) {
        setImmediate(() => {
          const batch = this.pending.join('\n') + '\n';
          this.pending = [];
          child.stdin.write(batch);
        });
      }
    });
  }

  async close(): Promise<void> {
    if (!this.child || this.closed) return;
    const done = new Promise<void>((r) => this.child!.on('close', () => r()));
    this.child.stdin.end();
    await done;
  }
}
