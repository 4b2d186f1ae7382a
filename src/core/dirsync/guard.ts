/**
 * Refusals that protect against a disconnected or replaced drive: a side that is missing,
 * unreadable, or looks wiped compared with what the state knows. Pure except for `checkRoot`.
 *
 * Two decisions a user makes on a refusal, kept apart on purpose (one `--force` used to do
 * both, and creating a missing side then deleted everything on the other one):
 * - create-missing-side: the side is new. It is created if missing and filled from the other
 *   side as on a first sync; nothing is deleted.
 * - allow-mass-delete: the deletions are real. They are made on the other side too.
 */
import * as fs from 'node:fs';
import type { Finding } from '../report/result.js';
import type { Settings } from './settings.js';
import { other, type Entry, type Side, type State } from './types.js';

/** A side that lost at least this share of the files the state knows looks wiped, at any size. */
export const WIPED_SHARE = 0.9;

export function checkRoot(side: Side, s: Settings): Finding | undefined {
  const root = s.roots[side];
  let st: fs.Stats;
  try {
    st = fs.statSync(root);
  } catch {
    return {
      severity: 'error',
      code: 'dirsync-side-missing',
      message:
        `Side ${side} (${root}) does not exist: is the drive disconnected? Nothing was synced. ` +
        `Mount it; or, if side ${side} is new, pass ${s.optionName('create-missing-side')} to create it and fill it ` +
        `from ${other(side)} (nothing is deleted).`,
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

export interface WipedSide {
  side: Side;
  /** Files (and links) the state knows that are gone from this side. */
  gone: number;
  /** Files (and links) the state knows. */
  known: number;
}

/**
 * "Looks wiped": lost (almost) every file the state knows, whatever else the side holds (an
 * empty `lost+found` on a fresh drive, say) and however few files the state knows (1 of 1
 * counts); or, once the state knows `minFiles` files, more than `threshold` of them.
 */
export function looksWiped(gone: number, known: number, threshold: number, minFiles: number): boolean {
  if (known === 0) return false;
  return gone >= WIPED_SHARE * known || (known >= minFiles && gone / known > threshold);
}

/** The sides that look wiped. Both in one pass over the state (100k paths and all). */
export function wipedSides(
  entries: Record<Side, ReadonlyMap<string, Entry>>,
  state: State,
  threshold: number,
  minFiles: number,
): WipedSide[] {
  let known = 0;
  const gone: Record<Side, number> = { a: 0, b: 0 };
  for (const [p, s] of state) {
    if (s.type === 'dir') continue;
    known++;
    if (!entries.a.has(p)) gone.a++;
    if (!entries.b.has(p)) gone.b++;
  }
  return (['a', 'b'] as const)
    .filter((side) => looksWiped(gone[side], known, threshold, minFiles))
    .map((side) => ({ side, gone: gone[side], known }));
}

export function wipeRefusal(w: WipedSide, s: Settings): Finding {
  const pct = Math.round((100 * w.gone) / w.known);
  const there = other(w.side);
  return {
    severity: 'error',
    code: 'dirsync-looks-wiped',
    message:
      `Side ${w.side} (${s.roots[w.side]}) looks wiped: ${w.gone} of the ${w.known} files the last sync saw are gone (${pct}%). ` +
      'That is more like a disconnected, unmounted or replaced drive than deliberate deletions, so nothing was synced. ' +
      `Check the drive. If side ${w.side} is a new or replaced drive, run again with ${s.optionName('create-missing-side')}: ` +
      `it is filled from ${there} and nothing is deleted. If the deletions are real, run again with ` +
      `${s.optionName('allow-mass-delete')}: they are made on ${there} too.`,
  };
}

/** Why a side is filled from the other one on this run (create-missing-side). */
export function refillNotice(side: Side, s: Settings, cause: 'created' | WipedSide): Finding {
  const root = s.roots[side];
  const what =
    cause === 'created'
      ? s.dryRun
        ? `Side ${side} (${root}) does not exist: it would be created`
        : `Side ${side} (${root}) did not exist: created it`
      : `Side ${side} (${root}) lost ${cause.gone} of the ${cause.known} files the last sync saw`;
  return {
    severity: 'warning',
    code: 'dirsync-side-refilled',
    message:
      `${what}; it ${s.dryRun ? 'would be' : 'is'} filled from ${other(side)} as on a first sync, and nothing is deleted ` +
      `(${s.optionName('create-missing-side')}).`,
  };
}
