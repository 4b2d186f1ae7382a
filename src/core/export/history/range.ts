import { readFirstParentLog, type LogCommit, type LogRange } from '../../git/log-reader.js';
import type { ExportBuildContext } from '../types.js';

/** A range is read ahead (for the quick start) up to this many raw changes; beyond, it streams. */
export const QUICK_MAX_CHANGES = 50_000;

/**
 * Read the range ahead, up to `max` raw changes. `commits` yields everything (what was read, then
 * the rest of the same stream); `all` tells whether `buffered` is the whole range.
 */
export async function readRange(
  ctx: ExportBuildContext,
  range: LogRange,
  max: number,
  /** Called with each commit read ahead, as it comes (the quick start's reads of the tip begin meanwhile). */
  onCommit?: (c: LogCommit) => void,
): Promise<{
  buffered: LogCommit[];
  all: boolean;
  commits: AsyncIterable<LogCommit>;
  close: () => Promise<unknown>;
}> {
  const it = readFirstParentLog(ctx.sourceGit, range)[Symbol.asyncIterator]();
  const buffered: LogCommit[] = [];
  let n = 0;
  let all = false;
  for (;;) {
    if (n > max) break;
    const r = await it.next();
    if (r.done) {
      all = true;
      break;
    }
    buffered.push(r.value);
    n += r.value.changes.length;
    onCommit?.(r.value);
  }
  async function* rest(): AsyncGenerator<LogCommit> {
    yield* buffered;
    if (all) return;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  }
  // Stops `git log` when the replay ends early (a finding, an error).
  return { buffered, all, commits: rest(), close: () => it.return?.(undefined) ?? Promise.resolve() };
}
