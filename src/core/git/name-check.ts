import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { GitCommandManager } from './git-command-manager.js';

/**
 * Object lookups by name (`<rev>:<path>`, ids) through one long-lived `git cat-file --batch-check`
 * process: "does this path exist at that revision, and what is it?" without listing the tree.
 * Answers come back in request order; callers may overlap.
 */
export interface NameInfo {
  oid: string;
  type: string;
}

export class NameChecker {
  private child?: ChildProcessWithoutNullStreams;
  private pending = '';
  private queue: {
    left: number;
    got: (NameInfo | undefined)[];
    resolve: (r: (NameInfo | undefined)[]) => void;
  }[] = [];
  private failed?: Error;

  constructor(private readonly git: GitCommandManager) {}

  private start(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    const child = this.git.spawn(['cat-file', '--batch-check=%(objectname) %(objecttype)']);
    child.stdout.setEncoding('utf8');
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
      // "<oid> <type>", or "<name> missing" / "<name> ambiguous"
      const m = /^([0-9a-f]{40}|[0-9a-f]{64}) (blob|tree|commit|tag)$/.exec(line);
      q.got.push(m ? { oid: m[1], type: m[2] } : undefined);
      if (--q.left === 0) {
        this.queue.shift();
        q.resolve(q.got);
      }
    }
  }

  /** One answer per name, in order; undefined when the object does not exist. */
  check(names: readonly string[]): Promise<(NameInfo | undefined)[]> {
    // A name with a line break cannot be asked over the line protocol (and names no real path here).
    const asked = names.filter((n) => !/[\n\r]/.test(n));
    if (asked.length !== names.length) throw new Error('NameChecker: names must not contain line breaks');
    if (!names.length) return Promise.resolve([]);
    const child = this.start();
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve) => {
      this.queue.push({ left: names.length, got: [], resolve });
      child.stdin.write(names.join('\n') + '\n');
    });
  }

  async close(): Promise<void> {
    if (!this.child || this.failed) return;
    const done = new Promise<void>((r) => this.child!.on('close', () => r()));
    this.child.stdin.end();
    await done;
  }
}
