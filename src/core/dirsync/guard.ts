/**
 * Refusals that protect against a disconnected drive: a side that is missing, unreadable, or
 * looks wiped compared with what the state knows. Pure except for `checkRoot`.
 */
import * as fs from 'node:fs';
import type { Finding } from '../report/result.js';
import type { Entry, Side, State } from './types.js';

export function checkRoot(side: Side, root: string): Finding | undefined {
  let st: fs.Stats;
  try {
    st = fs.statSync(root);
  } catch {
    return {
      severity: 'error',
      code: 'dirsync-side-missing',
      message:
        `Side ${side} (${root}) does not exist: is the drive disconnected? Nothing was synced. ` +
        'Mount it, or pass --force to create it and sync into an empty directory.',
    };
  }
  if (!st.isDirectory())
    return {
      severity: 'error',
      code: 'dirsync-side-missing',
      message: `Side ${side} (${root}) is not a directory. Nothing was synced. Name a directory.`,
    };
  try {
    fs.accessSync(root, fs.constants.R_OK | fs.constants.X_OK);
    fs.readdirSync(root);
  } catch (e) {
    return {
      severity: 'error',
      code: 'dirsync-side-unreadable',
      message: `Side ${side} (${root}) cannot be read (${(e as Error).message}). Nothing was synced. Fix its permissions.`,
    };
  }
  return undefined;
}

/**
 * More than `threshold` of the files the state knows are gone from one side (or the side is
 * empty while the state knows files): a wiped or unmounted side, not a mass deletion. Both
 * sides in one pass over the state (it is walked once per sync, 100k paths and all).
 */
export function wipeChecks(
  roots: Record<Side, string>,
  entries: Record<Side, ReadonlyMap<string, Entry>>,
  state: State,
  threshold: number,
  minFiles: number,
): Finding | undefined {
  let known = 0;
  const gone: Record<Side, number> = { a: 0, b: 0 };
  for (const [p, s] of state) {
    if (s.type === 'dir') continue;
    known++;
    if (!entries.a.has(p)) gone.a++;
    if (!entries.b.has(p)) gone.b++;
  }
  if (known === 0) return undefined;
  for (const side of ['a', 'b'] as const) {
    const empty = entries[side].size === 0;
    if (!empty && (known < minFiles || gone[side] / known <= threshold)) continue;
    const pct = Math.round((100 * gone[side]) / known);
    return {
      severity: 'error',
      code: 'dirsync-looks-wiped',
      message:
        `Side ${side} (${roots[side]}) looks wiped: ${gone[side]} of the ${known} files the last sync saw are gone (${pct}%). ` +
        'That is more like a disconnected or unmounted drive than deliberate deletions, so nothing was synced. ' +
        'Check the drive; if the deletions are real, run again with --force.',
    };
  }
  return undefined;
}
