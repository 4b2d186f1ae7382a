/**
 * Change detection, pure: how a side's current entry relates to the state entry. Stat decides
 * when it can (type, size, mode, mtime, link target); a content hash is asked for only when a
 * file kept its size and mode but its mtime moved, or when both sides changed to the same size.
 */
import type { Entry, Side, State, StateEntry } from './types.js';

/** `touched`: the mtime moved but the content hash proves the content did not. */
export type Status = 'absent' | 'new' | 'deleted' | 'unchanged' | 'touched' | 'changed' | 'maybe';

export function mtimeOf(s: StateEntry, side: Side): number {
  return side === 'a' ? s.mtimeA : s.mtimeB;
}

/** Status from stat alone; 'maybe' means a hash is needed. */
export function statStatus(e: Entry | undefined, s: StateEntry | undefined, side: Side): Status {
  if (!e) return s ? 'deleted' : 'absent';
  if (!s) return 'new';
  if (e.type !== s.type) return 'changed';
  if (e.type === 'dir') return 'unchanged';
  if (e.type === 'symlink') return e.target === s.target ? 'unchanged' : 'changed';
  if (e.size !== s.size || e.mode !== s.mode) return 'changed';
  return e.mtimeMs === mtimeOf(s, side) && !s.racy ? 'unchanged' : 'maybe';
}

export function isChange(s: Status): boolean {
  return s === 'new' || s === 'changed';
}

export function isSame(s: Status): boolean {
  return s === 'unchanged' || s === 'touched';
}

export interface HashRequest {
  side: Side;
  path: string;
}

/**
 * The paths where something may need doing: all but those whose both sides stat exactly as the
 * state recorded them. On those the planner never acts and nothing is hashed (proved by the
 * equivalence test), so a no-change rescan plans over nothing. In the planner's order: A's
 * paths, then B's paths not in A, then the state's paths on neither side.
 */
export function changedPaths(
  a: ReadonlyMap<string, Entry>,
  b: ReadonlyMap<string, Entry>,
  state: State,
): string[] {
  const out: string[] = [];
  for (const [p, A] of a) {
    const S = state.get(p);
    if (S && statStatus(A, S, 'a') === 'unchanged' && statStatus(b.get(p), S, 'b') === 'unchanged') continue;
    out.push(p);
  }
  for (const p of b.keys()) if (!a.has(p)) out.push(p);
  for (const p of state.keys()) if (!a.has(p) && !b.has(p)) out.push(p);
  return out;
}

/** Which files must be hashed before the planner can decide. Pure. */
export function hashRequests(
  a: ReadonlyMap<string, Entry>,
  b: ReadonlyMap<string, Entry>,
  state: State,
  paths?: readonly string[],
): HashRequest[] {
  const out: HashRequest[] = [];
  const seen = new Set<string>();
  const want = (side: Side, path: string, e: Entry | undefined) => {
    const key = `${side}:${path}`;
    if (e && e.type === 'file' && e.hash === undefined && !seen.has(key)) {
      seen.add(key);
      out.push({ side, path });
    }
  };
  const visit = (path: string) => {
    const A = a.get(path);
    const B = b.get(path);
    const S = state.get(path);
    const sa = statStatus(A, S, 'a');
    const sb = statStatus(B, S, 'b');
    if (sa === 'unchanged' && sb === 'unchanged') return;
    // A touched file is compared with the state's hash, or, lacking one, with the other side
    // when that side is unchanged (then it still holds the base content).
    if (sa === 'maybe') {
      want('a', path, A);
      if (!S?.hash) want('b', path, B);
    }
    if (sb === 'maybe') {
      want('b', path, B);
      if (!S?.hash) want('a', path, A);
    }
    // Both sides moved to the same size: the same content is no conflict.
    if (A?.type === 'file' && B?.type === 'file' && A.size === B.size && !isSame(sa) && !isSame(sb)) {
      want('a', path, A);
      want('b', path, B);
    }
  };
  if (paths) for (const p of paths) visit(p);
  else {
    for (const p of a.keys()) visit(p);
    for (const p of b.keys()) if (!a.has(p)) visit(p);
  }
  return out;
}

/** Final status once hashes are in (Entry.hash filled where requested). */
export function resolveStatus(
  e: Entry | undefined,
  s: StateEntry | undefined,
  side: Side,
  other: Entry | undefined,
  otherSide: Side,
): Status {
  const st = statStatus(e, s, side);
  if (st !== 'maybe') return st;
  if (s!.hash && e!.hash) return e!.hash === s!.hash ? 'touched' : 'changed';
  if (other && e!.hash && other.hash && statStatus(other, s, otherSide) === 'unchanged')
    return e!.hash === other.hash ? 'touched' : 'changed';
  return 'changed';
}

/** Same content now, whatever the state says. */
export function sameContent(A: Entry, B: Entry, sa: Status, sb: Status): boolean {
  if (A.type !== B.type) return false;
  if (A.type === 'dir') return true;
  if (A.type === 'symlink') return A.target === B.target;
  if (A.size !== B.size) return false;
  if (A.hash !== undefined && B.hash !== undefined) return A.hash === B.hash;
  // Neither changed since the last sync, when they were the same.
  return isSame(sa) && isSame(sb);
}
