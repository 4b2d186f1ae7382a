/**
 * Walk both sides, using the second core when it pays: side B is walked in a thread while this
 * one loads the state and walks side A; into an empty B (a first full sync) the thread walks
 * half of A's top-level directories instead, as B needs no walk worth a thread. Fault hooks are
 * functions, which cannot cross into a thread: with hooks both sides are walked here.
 */
import * as fs from 'node:fs';
import type { Finding } from '../report/result.js';
import type { ProgressTracker } from './progress.js';
import { ignorePredicate, mergeScan, scanTree, splitTopLevel, type IgnoreSpec } from './scan.js';
import { scanTreeInWorker } from './scan-worker.js';
import type { Settings } from './settings.js';
import type { FaultHooks, ScanResult, Side } from './types.js';

/** A thread for side B pays off from a few thousand paths (~30 ms to start one). */
const PARALLEL_SCAN_MIN_STATE_BYTES = 64 * 1024;

type Pending = Promise<ScanResult & { gone: string[] }>;

export interface ScanPlan {
  /** Sides known to be empty without a walk (a side a dry run would create). */
  empty: ReadonlySet<Side>;
  parallelScan?: boolean;
  faults?: FaultHooks;
}

/** Both sides' walks, started by the constructor, collected by `finish`. */
export class SideScans {
  readonly parallel: boolean;
  private readonly shareA?: string[];
  private readonly pendingA?: Pending;
  private readonly pendingB?: Pending;

  constructor(
    private readonly s: Settings,
    private readonly plan: ScanPlan,
    private readonly progress: ProgressTracker,
  ) {
    const { roots, ignore, statePath } = s;
    const { empty } = plan;
    this.parallel = !plan.faults && (plan.parallelScan ?? parallelScanByDefault(statePath));
    const intoEmptyB = () => empty.has('b') || isEmptyDir(roots.b, ignore);
    this.shareA =
      this.parallel && !empty.has('a') && intoEmptyB() ? splitTopLevel(roots.a, ignore) : undefined;
    if (this.shareA) this.pendingA = scanTreeInWorker(roots.a, 'a', ignore, { starts: this.shareA });
    else if (this.parallel && !empty.has('b')) this.pendingB = scanTreeInWorker(roots.b, 'b', ignore);
    // Awaited in finish(); never an unhandled rejection meanwhile.
    this.pendingA?.catch(() => undefined);
    this.pendingB?.catch(() => undefined);
  }

  /**
   * Both sides' results, or the refusal for a side that could not be read. `lap` marks the end
   * of each side's walk (phase timings).
   */
  async finish(
    lap: (phase: string) => void,
  ): Promise<{ scans: Record<Side, ScanResult> } | { refusal: Finding }> {
    const scans = {} as Record<Side, ScanResult>;
    let before = 0;
    for (const side of ['a', 'b'] as const) {
      try {
        scans[side] = await this.scanSide(side, before);
      } catch (e) {
        // Let the threads finish first.
        await Promise.all([this.pendingA?.catch(() => undefined), this.pendingB?.catch(() => undefined)]);
        return {
          refusal: {
            severity: 'error',
            code: 'dirsync-side-unreadable',
            message: `Side ${side} (${this.s.roots[side]}) could not be read: ${(e as Error).message}. Nothing was synced.`,
          },
        };
      }
      before = this.progress.counters.scanned;
      lap(side === 'a' ? 'scanA' : 'scanB');
    }
    return { scans };
  }

  private async scanSide(side: Side, before: number): Promise<ScanResult> {
    const { progress } = this;
    const root = this.s.roots[side];
    if (this.plan.empty.has(side)) return { root, entries: new Map(), errors: [], staleTemps: [] };
    if (side === 'b' && this.pendingB) {
      const b = await this.pendingB;
      progress.counters.scanned = before + b.entries.size;
      progress.tick();
      return b;
    }
    const here = scanTree(root, {
      side,
      ignore: this.s.ignore,
      faults: this.plan.faults,
      onCount: (n) => {
        progress.counters.scanned = before + n;
        progress.tick();
      },
      ...(side === 'a' && this.shareA ? { part: { leave: this.shareA } } : {}),
    });
    if (side !== 'a' || !this.pendingA) return here;
    const merged = mergeScan(here, await this.pendingA);
    progress.counters.scanned = merged.entries.size;
    return merged;
  }
}

function parallelScanByDefault(statePath: string): boolean {
  const st = fs.statSync(statePath, { throwIfNoEntry: false });
  // No state: a first sync, whose size is unknown; scanning in parallel costs little.
  return !st || st.size >= PARALLEL_SCAN_MIN_STATE_BYTES;
}

/** Nothing in `dir` but what the walk ignores (the state and log files may sit there). */
function isEmptyDir(dir: string, ignore: IgnoreSpec): boolean {
  const ignored = ignorePredicate(ignore);
  try {
    return fs.readdirSync(dir).every((n) => ignored(n));
  } catch {
    return false;
  }
}
