import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { GitCommandManager } from './git-command-manager.js';

/**
 * Object sizes through one long-lived `git cat-file --batch-check` process. History replay asks
 * for a few sizes per commit over thousands of commits: a process per question would dominate.
 * Requests are answered in order; callers may overlap.
 */
export class SizeReader {
  private child?: ChildProcessWithoutNullStreams;
  private pending = '';
  private queue: { want: number; got: Map<string, number>; resolve: (m: Map<string, number>) => void }[] = [];
  private failed?: Error;

  constructor(private readonly git: GitCommandManager) {}

  private start(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    const child = this.git.spawn(['cat-file', '--batch-check=%(objectname) %(objectsize)']);
    child.stdout.setEncoding('latin1');
    child.stdout.on('data', (d: string) => this.onData(d));
    child.stderr.resume();
    child.stdin.on('error', () => undefined);
    child.on('close', () => {
      this.failed = new Error('git cat-file --batch-check exited');
      for (const q of this.queue.splice(0)) q.resolve(q.got);
    });
    this.child = child;
    return child;
  }

  private onData(d: string): void {
    this.pending += d;
    let nl: number;
    while (this.queue.length && (nl = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, nl);
      this.pending = this.pending.slice(nl + 1);
      const q = this.queue[0];
      q.want--;
      // "<oid> <size>", or "<name> missing"
      const sp = line.indexOf(' ');
      if (sp > 0 && !line.endsWith(' missing')) q.got.set(line.slice(0, sp), Number(line.slice(sp + 1)));
      if (q.want === 0) {
        this.queue.shift();
        q.resolve(q.got);
      }
    }
  }

  /** Sizes of the given objects; missing objects are absent from the map. */
  sizes(oids: readonly string[]): Promise<Map<string, number>> {
    const uniq = [...new Set(oids)];
    if (!uniq.length) return Promise.resolve(new Map());
    const child = this.start();
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve) => {
      this.queue.push({ want: uniq.length, got: new Map(), resolve });
      child.stdin.write(uniq.join('\n') + '\n');
    });
  }

  async close(): Promise<void> {
    if (!this.child || this.failed) return;
    const done = new Promise<void>((r) => this.child!.on('close', () => r()));
    this.child.stdin.end();
    await done;
  }
}
