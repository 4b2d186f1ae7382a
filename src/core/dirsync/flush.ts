/**
 * Durability of what a sync wrote, before the state says it is synced.
 *
 * Copies are renamed into place but not fsynced (an fsync per file would cost more than the
 * copy). After a power loss a fresh copy could then read back empty while the state survived,
 * and the next sync would take it for a change and propagate it over the good side. So the file
 * systems of both sides are flushed (`sync -f`: syncfs, that file system only) before the state
 * is written.
 *
 * A flush at the end alone would write everything then (~1 s after 100k files here). While the
 * copies run, the disk is mostly idle (copying small files is kernel CPU time), so a flush is
 * started in the background after every FLUSH_EVERY_BYTES copied, one at a time: the final
 * flush then writes only the last stretch. Elsewhere than Linux there is no `sync -f`: one plain
 * `sync` at the end. Windows has neither: not flushed there.
 */
import { spawn, spawnSync } from 'node:child_process';

const FLUSH_EVERY_BYTES = 64 << 20;

export class Flusher {
  private sinceLast = 0;
  private running?: Promise<void>;
  private wrote = false;

  /** `every`: bytes between background flushes; `command`: the `sync` to run (tests). */
  constructor(
    private readonly roots: readonly string[],
    private readonly every = FLUSH_EVERY_BYTES,
    private readonly command = 'sync',
  ) {}

  /** A copy of `bytes` landed. */
  copied(bytes: number): void {
    this.wrote = true;
    this.sinceLast += bytes;
    if (this.sinceLast < this.every || this.running || process.platform !== 'linux') return;
    this.sinceLast = 0;
    this.running = this.background().finally(() => (this.running = undefined));
  }

  /** Something changed on disk (a delete, a directory): the final flush is needed. */
  changed(): void {
    this.wrote = true;
  }

  /** Wait for a background flush, then flush what is left (when anything was written). */
  async finish(): Promise<void> {
    await this.running;
    if (!this.wrote || process.platform === 'win32') return;
    if (process.platform !== 'linux') {
      spawnSync(this.command, [], { stdio: 'ignore' });
      return;
    }
    for (const root of this.roots) {
      const r = spawnSync(this.command, ['-f', root], { stdio: 'ignore' });
      if (r.status !== 0) spawnSync(this.command, [], { stdio: 'ignore' });
    }
  }

  private async background(): Promise<void> {
    for (const root of this.roots)
      await new Promise<void>((resolve) => {
        const child = spawn(this.command, ['-f', root], { stdio: 'ignore' });
        child.on('error', () => resolve());
        child.on('close', () => resolve());
      });
  }
}
