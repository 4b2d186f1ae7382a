import type { Progress } from './types.js';

/**
 * Throttle progress reports: at most one per interval, plus the final one. The scan is
 * synchronous, so the clock is checked on each report rather than with a timer.
 */
export interface ProgressTracker {
  counters: Progress;
  /** Report the counters, if the interval has passed. */
  tick(): void;
  done(): void;
}

export function throttledProgress(
  sink: ((p: Progress) => void) | undefined,
  intervalMs: number,
): ProgressTracker {
  const counters: Progress = { phase: 'scan', scanned: 0, hashed: 0, copied: 0, deleted: 0, bytes: 0 };
  let last = Date.now();
  let reported = false;
  return {
    counters,
    tick() {
      if (!sink) return;
      const now = Date.now();
      if (now - last < intervalMs) return;
      last = now;
      reported = true;
      sink({ ...counters });
    },
    done() {
      // A final line only for runs long enough to have shown progress at all.
      if (sink && reported) sink({ ...counters, phase: 'done' });
    },
  };
}

/** The CLI's progress line. */
export function formatProgress(p: Progress): string {
  const mb = (p.bytes / 1048576).toFixed(1);
  return `dirsync: ${p.phase}: ${p.scanned} scanned, ${p.hashed} hashed, ${p.copied} copied, ${p.deleted} deleted, ${mb} MiB`;
}
