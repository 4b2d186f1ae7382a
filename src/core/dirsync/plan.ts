/**
 * The dirsync planner: scan results of both sides + the state → a list of actions. Pure: no
 * file system, no clock (the time for conflict names comes in), so every rule is unit-tested.
 *
 * Per path, three-way: a change on one side flows to the other; a deletion on one side removes
 * the other side's unchanged copy; both sides changed to different content, or one deleted and
 * the other changed, is a conflict resolved by the policy. With no state entry (first sync)
 * the sides are unioned and differing files are conflicts.
 */
import * as path from 'node:path';
import { underAny } from './scan.js';
import { isChange, isSame, resolveStatus, sameContent, type Status } from './status.js';
import type { ConflictPolicy, Entry, Side, State, SyncDirection } from './types.js';

export type Action =
  | { op: 'rename'; side: Side; path: string; to: string; why: string }
  | { op: 'delete'; side: Side; path: string; entry: Entry; why: string }
  | { op: 'mkdir'; side: Side; path: string; src: Entry; overwrite?: Entry; why: string }
  | {
      op: 'copy';
      from: Side;
      to: Side;
      path: string;
      /** The source entry; for a conflict copy it sits at `path` after the rename. */
      entry: Entry;
      /** What the destination held at scan time; verified before it is replaced. */
      overwrite?: Entry;
      why: string;
    }
  /** No file changes: bring the state up to date (both entries) or drop it (neither). */
  | { op: 'record'; path: string; a?: Entry; b?: Entry; why: string };

export type ConflictReason = 'both-changed' | 'first-sync' | 'delete-vs-change' | 'type';
export type Resolution = 'keep-both' | 'newer' | 'prefer-a' | 'prefer-b' | 'restored' | 'deleted' | 'skipped';

export interface Conflict {
  path: string;
  reason: ConflictReason;
  resolution: Resolution;
  /** The side whose version stays at `path`. */
  winner?: Side;
  /** Where the other version was kept (keep-both). */
  conflictCopy?: string;
  message: string;
}

export interface Plan {
  actions: Action[];
  conflicts: Conflict[];
  /** Changes not propagated because of --direction; they stay pending in the state. */
  heldBack: number;
}

export interface PlanInput {
  a: ReadonlyMap<string, Entry>;
  b: ReadonlyMap<string, Entry>;
  state: State;
  direction: SyncDirection;
  policy: ConflictPolicy;
  now: Date;
  /** Unreadable paths per side: they and their subtrees are left alone. */
  errorsA?: ReadonlySet<string>;
  errorsB?: ReadonlySet<string>;
  /** Only these paths can need an action (status.ts changedPaths); default: every path. */
  paths?: readonly string[];
}

const other = (s: Side): Side => (s === 'a' ? 'b' : 'a');

export function conflictStamp(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/** `dir/name.conflict-b-20261122T112233Z.ext` (a leading dot is not an extension). */
export function conflictName(p: string, side: Side, now: Date, n = 1): string {
  const dir = path.posix.dirname(p);
  const base = path.posix.basename(p);
  const ext = path.posix.extname(base);
  const stem = base.slice(0, base.length - ext.length);
  const name = `${stem}.conflict-${side}-${conflictStamp(now)}${n > 1 ? `-${n}` : ''}${ext}`;
  return dir === '.' ? name : `${dir}/${name}`;
}

export function planSync(input: PlanInput): Plan {
  const { a, b, state, direction, policy, now } = input;
  const errs = { a: input.errorsA ?? new Set<string>(), b: input.errorsB ?? new Set<string>() };
  const entries = { a, b };
  const actions: Action[] = [];
  const conflicts: Conflict[] = [];
  const takenNames = new Set<string>();
  let heldBack = 0;
  const allowed = (to: Side) => direction === 'both' || (direction === 'a-to-b' ? to === 'b' : to === 'a');

  const freshConflictName = (p: string, side: Side) => {
    for (let n = 1; ; n++) {
      const c = conflictName(p, side, now, n);
      if (!a.has(c) && !b.has(c) && !state.has(c) && !takenNames.has(c)) {
        takenNames.add(c);
        return c;
      }
    }
  };

  /** Make `to` match `from` at p. */
  const propagate = (from: Side, p: string, why: string): boolean => {
    const to = other(from);
    if (!allowed(to)) {
      heldBack++;
      return false;
    }
    const src = entries[from].get(p)!;
    const dst = entries[to].get(p);
    if (src.type === 'dir') actions.push({ op: 'mkdir', side: to, path: p, src, overwrite: dst, why });
    else actions.push({ op: 'copy', from, to, path: p, entry: src, overwrite: dst, why });
    return true;
  };

  const remove = (side: Side, p: string, why: string) => {
    if (!allowed(side)) {
      heldBack++;
      return;
    }
    actions.push({ op: 'delete', side, path: p, entry: entries[side].get(p)!, why });
  };

  const deleteVsChange = (p: string, deleted: Side) => {
    const changed = other(deleted);
    const base = `${p} was deleted on ${deleted} and changed on ${changed}`;
    if (policy === 'fail') {
      conflicts.push({
        path: p,
        reason: 'delete-vs-change',
        resolution: 'skipped',
        message: `${base}: left alone (--conflict fail)`,
      });
      return;
    }
    if (policy === `prefer-${deleted}`) {
      if (allowed(changed)) {
        actions.push({
          op: 'delete',
          side: changed,
          path: p,
          entry: entries[changed].get(p)!,
          why: `conflict: ${base}; prefer-${deleted}`,
        });
        conflicts.push({
          path: p,
          reason: 'delete-vs-change',
          resolution: 'deleted',
          winner: deleted,
          message: `${base}: deleted (prefer-${deleted})`,
        });
      } else
        conflicts.push({
          path: p,
          reason: 'delete-vs-change',
          resolution: 'skipped',
          message: `${base}: left alone (direction)`,
        });
      return;
    }
    // Content beats a deletion: bring the changed version back.
    const ok = propagate(changed, p, `conflict: ${base}; the changed version is restored`);
    conflicts.push({
      path: p,
      reason: 'delete-vs-change',
      resolution: ok ? 'restored' : 'skipped',
      winner: changed,
      message: `${base}: ${ok ? `restored on ${deleted}` : 'left alone (direction)'}`,
    });
  };

  const bothChanged = (p: string, A: Entry, B: Entry, reason: ConflictReason) => {
    const base =
      reason === 'first-sync' ? `${p} differs between a and b (first sync)` : `${p} changed on both sides`;
    if (policy === 'fail') {
      conflicts.push({
        path: p,
        reason,
        resolution: 'skipped',
        message: `${base}: left alone (--conflict fail)`,
      });
      return;
    }
    if ((A.type === 'dir') !== (B.type === 'dir')) {
      // A directory always keeps the name: moving a whole subtree aside would surprise more.
      const loser: Side = A.type === 'dir' ? 'b' : 'a';
      const winner = other(loser);
      if (direction !== 'both') {
        conflicts.push({
          path: p,
          reason: 'type',
          resolution: 'skipped',
          message: `${p} is a directory on ${winner} and not on ${loser}: left alone (one-way sync)`,
        });
        return;
      }
      const copyName = freshConflictName(p, loser);
      const L = entries[loser].get(p)!;
      actions.push({
        op: 'rename',
        side: loser,
        path: p,
        to: copyName,
        why: `conflict: ${p} is a directory on ${winner}`,
      });
      actions.push({
        op: 'copy',
        from: loser,
        to: winner,
        path: copyName,
        entry: L,
        why: `conflict copy of ${p} from ${loser}`,
      });
      actions.push({
        op: 'mkdir',
        side: loser,
        path: p,
        src: entries[winner].get(p)!,
        why: `conflict: ${p} is a directory on ${winner}`,
      });
      conflicts.push({
        path: p,
        reason: 'type',
        resolution: 'keep-both',
        winner,
        conflictCopy: copyName,
        message: `${p} is a directory on ${winner}: the ${loser} version was kept as ${copyName}`,
      });
      return;
    }
    const newer: Side = B.mtimeMs > A.mtimeMs ? 'b' : 'a';
    let winner: Side;
    if (policy === 'prefer-a') winner = 'a';
    else if (policy === 'prefer-b') winner = 'b';
    else if (policy === 'newer') winner = newer;
    else winner = direction === 'a-to-b' ? 'a' : direction === 'b-to-a' ? 'b' : newer;
    const loser = other(winner);
    if (!allowed(loser)) {
      heldBack++;
      conflicts.push({
        path: p,
        reason,
        resolution: policy === 'keep-both' ? 'skipped' : (policy as Resolution),
        winner,
        message: `${base}: ${loser} keeps its version (${policy}, one-way)`,
      });
      return;
    }
    const W = entries[winner].get(p)!;
    const L = entries[loser].get(p)!;
    if (policy === 'keep-both') {
      const copyName = freshConflictName(p, loser);
      actions.push({
        op: 'rename',
        side: loser,
        path: p,
        to: copyName,
        why: `conflict: ${base}; ${loser} version kept aside`,
      });
      if (allowed(winner))
        actions.push({
          op: 'copy',
          from: loser,
          to: winner,
          path: copyName,
          entry: L,
          why: `conflict copy of ${p} from ${loser}`,
        });
      actions.push({
        op: 'copy',
        from: winner,
        to: loser,
        path: p,
        entry: W,
        why: `conflict: ${base}; ${winner} is newer`,
      });
      conflicts.push({
        path: p,
        reason,
        resolution: 'keep-both',
        winner,
        conflictCopy: copyName,
        message: `${base}: kept ${winner}'s version, ${loser}'s is now ${copyName}`,
      });
      return;
    }
    actions.push({
      op: 'copy',
      from: winner,
      to: loser,
      path: p,
      entry: W,
      overwrite: L,
      why: `conflict: ${base}; ${policy}`,
    });
    conflicts.push({
      path: p,
      reason,
      resolution: policy as Resolution,
      winner,
      message: `${base}: ${winner}'s version won (${policy}), ${loser}'s was overwritten`,
    });
  };

  const decide = (p: string) => {
    if (underAny(p, errs.a) || underAny(p, errs.b)) return;
    const A = a.get(p);
    const B = b.get(p);
    const S = state.get(p);
    const sa: Status = resolveStatus(A, S, 'a', B, 'b');
    const sb: Status = resolveStatus(B, S, 'b', A, 'a');
    if (!A && !B) {
      if (S) actions.push({ op: 'record', path: p, why: 'deleted on both sides' });
      return;
    }
    if (A && B && sameContent(A, B, sa, sb)) {
      if (A.type === 'file' && A.mode !== B.mode) {
        propagate(S && A.mode === S.mode ? 'b' : 'a', p, 'permissions changed');
      } else if (sa !== 'unchanged' || sb !== 'unchanged') {
        actions.push({ op: 'record', path: p, a: A, b: B, why: 'same on both sides' });
      }
      return;
    }
    if (isChange(sa) && (isSame(sb) || sb === 'absent')) {
      propagate('a', p, sa === 'new' ? 'added on a' : 'changed on a');
    } else if (isChange(sb) && (isSame(sa) || sa === 'absent')) {
      propagate('b', p, sb === 'new' ? 'added on b' : 'changed on b');
    } else if (sa === 'deleted' && isSame(sb)) {
      remove('b', p, 'deleted on a');
    } else if (sb === 'deleted' && isSame(sa)) {
      remove('a', p, 'deleted on b');
    } else if (sa === 'deleted') {
      deleteVsChange(p, 'a');
    } else if (sb === 'deleted') {
      deleteVsChange(p, 'b');
    } else {
      bothChanged(p, A!, B!, S ? 'both-changed' : 'first-sync');
    }
  };

  if (input.paths) for (const p of input.paths) decide(p);
  else {
    for (const p of a.keys()) decide(p);
    for (const p of b.keys()) if (!a.has(p)) decide(p);
    for (const p of state.keys()) if (!a.has(p) && !b.has(p)) decide(p);
  }

  const fixed = keepNeededDirectories(actions, entries, allowed);
  return { actions: fixed.actions, conflicts: [...conflicts, ...fixed.conflicts], heldBack };
}

/**
 * A directory cannot be deleted (or replaced by a file) on a side where something below it
 * stays or arrives: then it is kept, and recreated where it was deleted.
 */
function keepNeededDirectories(
  actions: Action[],
  entries: Record<Side, ReadonlyMap<string, Entry>>,
  allowed: (to: Side) => boolean,
): { actions: Action[]; conflicts: Conflict[] } {
  const suspects: Record<Side, Set<string>> = { a: new Set(), b: new Set() };
  for (const x of actions) {
    if (x.op === 'delete' && x.entry.type === 'dir') suspects[x.side].add(x.path);
    if (x.op === 'copy' && x.overwrite?.type === 'dir') suspects[x.to].add(x.path);
  }
  if (suspects.a.size === 0 && suspects.b.size === 0) return { actions, conflicts: [] };
  const needed: Record<Side, Set<string>> = { a: new Set(), b: new Set() };
  for (const side of ['a', 'b'] as const) {
    if (suspects[side].size === 0) continue;
    const gone = new Set<string>();
    const arriving: string[] = [];
    for (const x of actions) {
      if ((x.op === 'delete' || x.op === 'rename') && x.side === side) gone.add(x.path);
      if ((x.op === 'copy' && x.to === side) || (x.op === 'mkdir' && x.side === side)) arriving.push(x.path);
      if (x.op === 'rename' && x.side === side) arriving.push(x.to);
    }
    const mark = (q: string) => {
      for (let cut = q.lastIndexOf('/'); cut > 0; cut = q.lastIndexOf('/', cut - 1)) {
        const anc = q.slice(0, cut);
        if (suspects[side].has(anc)) needed[side].add(anc);
      }
    };
    for (const q of entries[side].keys()) if (!gone.has(q)) mark(q);
    for (const q of arriving) mark(q);
  }
  const out: Action[] = [];
  const conflicts: Conflict[] = [];
  for (const x of actions) {
    if (x.op === 'delete' && needed[x.side].has(x.path)) {
      const there = other(x.side);
      if (allowed(there))
        out.push({
          op: 'mkdir',
          side: there,
          path: x.path,
          src: x.entry,
          why: `kept: ${x.path} still has content on ${x.side}`,
        });
      continue;
    }
    if (x.op === 'copy' && needed[x.to].has(x.path)) {
      conflicts.push({
        path: x.path,
        reason: 'type',
        resolution: 'skipped',
        message: `${x.path} is a ${x.entry.type} on ${x.from} but a directory with content on ${x.to}: rename one of them`,
      });
      continue;
    }
    out.push(x);
  }
  return { actions: out, conflicts };
}
