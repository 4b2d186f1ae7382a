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
import { keepNeededDirectories } from './needed-dirs.js';
import { underAny } from './scan.js';
import { isChange, isSame, resolveStatus, sameContent, type Status } from './status.js';
import {
  other,
  type ConflictPolicy,
  type Entry,
  type Side,
  type State,
  type SyncDirection,
} from './types.js';

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
  const planner = new Planner(input);
  for (const p of input.paths ?? everyPath(input)) planner.decide(p);
  return planner.finish();
}

/** A's paths, then B's paths not in A, then the state's paths on neither side. */
function* everyPath({ a, b, state }: PlanInput): Iterable<string> {
  yield* a.keys();
  for (const p of b.keys()) if (!a.has(p)) yield p;
  for (const p of state.keys()) if (!a.has(p) && !b.has(p)) yield p;
}

/** The rules, one method each; the plan grows in `actions` and `conflicts`. */
class Planner {
  private readonly actions: Action[] = [];
  private readonly conflicts: Conflict[] = [];
  private readonly takenNames = new Set<string>();
  private heldBack = 0;
  private readonly entries: Record<Side, ReadonlyMap<string, Entry>>;
  private readonly errs: Record<Side, ReadonlySet<string>>;

  constructor(private readonly input: PlanInput) {
    this.entries = { a: input.a, b: input.b };
    this.errs = { a: input.errorsA ?? new Set(), b: input.errorsB ?? new Set() };
  }

  /** The three-way decision for one path. */
  decide(p: string): void {
    if (underAny(p, this.errs.a) || underAny(p, this.errs.b)) return;
    const A = this.input.a.get(p);
    const B = this.input.b.get(p);
    const S = this.input.state.get(p);
    const sa: Status = resolveStatus(A, S, 'a', B, 'b');
    const sb: Status = resolveStatus(B, S, 'b', A, 'a');
    if (!A && !B) {
      if (S) this.actions.push({ op: 'record', path: p, why: 'deleted on both sides' });
    } else if (A && B && sameContent(A, B, sa, sb)) {
      if (A.type === 'file' && A.mode !== B.mode) {
        this.propagate(S && A.mode === S.mode ? 'b' : 'a', p, 'permissions changed');
      } else if (sa !== 'unchanged' || sb !== 'unchanged') {
        this.actions.push({ op: 'record', path: p, a: A, b: B, why: 'same on both sides' });
      }
    } else if (isChange(sa) && (isSame(sb) || sb === 'absent')) {
      this.propagate('a', p, sa === 'new' ? 'added on a' : 'changed on a');
    } else if (isChange(sb) && (isSame(sa) || sa === 'absent')) {
      this.propagate('b', p, sb === 'new' ? 'added on b' : 'changed on b');
    } else if (sa === 'deleted' && isSame(sb)) {
      this.remove('b', p, 'deleted on a');
    } else if (sb === 'deleted' && isSame(sa)) {
      this.remove('a', p, 'deleted on b');
    } else if (sa === 'deleted') {
      this.deleteVsChange(p, 'a');
    } else if (sb === 'deleted') {
      this.deleteVsChange(p, 'b');
    } else {
      this.bothChanged(p, A!, B!, S ? 'both-changed' : 'first-sync');
    }
  }

  finish(): Plan {
    const fixed = keepNeededDirectories(this.actions, this.entries, (to) => this.allowed(to));
    return {
      actions: fixed.actions,
      conflicts: [...this.conflicts, ...fixed.conflicts],
      heldBack: this.heldBack,
    };
  }

  /** May this sync write to side `to`? */
  private allowed(to: Side): boolean {
    const { direction } = this.input;
    return direction === 'both' || (direction === 'a-to-b' ? to === 'b' : to === 'a');
  }

  /** Make the other side match `from` at p. False when the direction holds it back. */
  private propagate(from: Side, p: string, why: string): boolean {
    const to = other(from);
    if (!this.allowed(to)) {
      this.heldBack++;
      return false;
    }
    const src = this.entries[from].get(p)!;
    const dst = this.entries[to].get(p);
    if (src.type === 'dir') this.actions.push({ op: 'mkdir', side: to, path: p, src, overwrite: dst, why });
    else this.actions.push({ op: 'copy', from, to, path: p, entry: src, overwrite: dst, why });
    return true;
  }

  private remove(side: Side, p: string, why: string): void {
    if (!this.allowed(side)) {
      this.heldBack++;
      return;
    }
    this.actions.push({ op: 'delete', side, path: p, entry: this.entries[side].get(p)!, why });
  }

  /** Deleted on one side, changed on the other: content beats a deletion unless the policy says otherwise. */
  private deleteVsChange(p: string, deleted: Side): void {
    const changed = other(deleted);
    const base = `${p} was deleted on ${deleted} and changed on ${changed}`;
    const reason = 'delete-vs-change';
    if (this.input.policy === 'fail') {
      this.conflicts.push({
        path: p,
        reason,
        resolution: 'skipped',
        message: `${base}: left alone (--conflict fail)`,
      });
    } else if (this.input.policy === `prefer-${deleted}`) {
      if (!this.allowed(changed)) {
        this.conflicts.push({
          path: p,
          reason,
          resolution: 'skipped',
          message: `${base}: left alone (direction)`,
        });
        return;
      }
      const entry = this.entries[changed].get(p)!;
      this.actions.push({
        op: 'delete',
        side: changed,
        path: p,
        entry,
        why: `conflict: ${base}; prefer-${deleted}`,
      });
      this.conflicts.push({
        path: p,
        reason,
        resolution: 'deleted',
        winner: deleted,
        message: `${base}: deleted (prefer-${deleted})`,
      });
    } else {
      const ok = this.propagate(changed, p, `conflict: ${base}; the changed version is restored`);
      this.conflicts.push({
        path: p,
        reason,
        resolution: ok ? 'restored' : 'skipped',
        winner: changed,
        message: `${base}: ${ok ? `restored on ${deleted}` : 'left alone (direction)'}`,
      });
    }
  }

  /** Both sides changed (or differ on a first sync): the policy picks the version that keeps the name. */
  private bothChanged(p: string, A: Entry, B: Entry, reason: ConflictReason): void {
    const { policy } = this.input;
    const base =
      reason === 'first-sync' ? `${p} differs between a and b (first sync)` : `${p} changed on both sides`;
    if (policy === 'fail') {
      this.conflicts.push({
        path: p,
        reason,
        resolution: 'skipped',
        message: `${base}: left alone (--conflict fail)`,
      });
      return;
    }
    if ((A.type === 'dir') !== (B.type === 'dir')) {
      this.directoryVsFile(p, A.type === 'dir' ? 'b' : 'a');
      return;
    }
    const winner = this.winnerOf(A, B);
    const loser = other(winner);
    if (!this.allowed(loser)) {
      this.heldBack++;
      this.conflicts.push({
        path: p,
        reason,
        resolution: policy === 'keep-both' ? 'skipped' : (policy as Resolution),
        winner,
        message: `${base}: ${loser} keeps its version (${policy}, one-way)`,
      });
    } else if (policy === 'keep-both') this.keepBoth(p, winner, base, reason);
    else {
      const W = this.entries[winner].get(p)!;
      const L = this.entries[loser].get(p)!;
      this.actions.push({
        op: 'copy',
        from: winner,
        to: loser,
        path: p,
        entry: W,
        overwrite: L,
        why: `conflict: ${base}; ${policy}`,
      });
      this.conflicts.push({
        path: p,
        reason,
        resolution: policy as Resolution,
        winner,
        message: `${base}: ${winner}'s version won (${policy}), ${loser}'s was overwritten`,
      });
    }
  }

  /** prefer-a/prefer-b win outright; otherwise the newer (mtime; a tie goes to A), or the source of a one-way sync. */
  private winnerOf(A: Entry, B: Entry): Side {
    const { policy, direction } = this.input;
    const newer: Side = B.mtimeMs > A.mtimeMs ? 'b' : 'a';
    if (policy === 'prefer-a') return 'a';
    if (policy === 'prefer-b') return 'b';
    if (policy === 'newer') return newer;
    return direction === 'a-to-b' ? 'a' : direction === 'b-to-a' ? 'b' : newer;
  }

  /** The loser's version is set aside, the winner's takes the name on the loser's side. */
  private keepBoth(p: string, winner: Side, base: string, reason: ConflictReason): void {
    const loser = other(winner);
    const copyName = this.setAside(p, loser, `conflict: ${base}; ${loser} version kept aside`);
    this.actions.push({
      op: 'copy',
      from: winner,
      to: loser,
      path: p,
      entry: this.entries[winner].get(p)!,
      why: `conflict: ${base}; ${winner} is newer`,
    });
    this.conflicts.push({
      path: p,
      reason,
      resolution: 'keep-both',
      winner,
      conflictCopy: copyName,
      message: `${base}: kept ${winner}'s version, ${loser}'s is now ${copyName}`,
    });
  }

  /** A directory always keeps the name: moving a whole subtree aside would surprise more. */
  private directoryVsFile(p: string, loser: Side): void {
    const winner = other(loser);
    if (this.input.direction !== 'both') {
      this.conflicts.push({
        path: p,
        reason: 'type',
        resolution: 'skipped',
        message: `${p} is a directory on ${winner} and not on ${loser}: left alone (one-way sync)`,
      });
      return;
    }
    const why = `conflict: ${p} is a directory on ${winner}`;
    const copyName = this.setAside(p, loser, why);
    this.actions.push({ op: 'mkdir', side: loser, path: p, src: this.entries[winner].get(p)!, why });
    this.conflicts.push({
      path: p,
      reason: 'type',
      resolution: 'keep-both',
      winner,
      conflictCopy: copyName,
      message: `${p} is a directory on ${winner}: the ${loser} version was kept as ${copyName}`,
    });
  }

  /**
   * Rename the loser's version at p to a fresh conflict-copy name, and copy it to the other side
   * too when this sync may write there. Returns the name.
   */
  private setAside(p: string, loser: Side, why: string): string {
    const copyName = this.freshConflictName(p, loser);
    const winner = other(loser);
    this.actions.push({ op: 'rename', side: loser, path: p, to: copyName, why });
    if (this.allowed(winner))
      this.actions.push({
        op: 'copy',
        from: loser,
        to: winner,
        path: copyName,
        entry: this.entries[loser].get(p)!,
        why: `conflict copy of ${p} from ${loser}`,
      });
    return copyName;
  }

  /** A conflict-copy name no side, the state or this plan uses yet. */
  private freshConflictName(p: string, side: Side): string {
    const { a, b, state, now } = this.input;
    for (let n = 1; ; n++) {
      const c = conflictName(p, side, now, n);
      if (!a.has(c) && !b.has(c) && !state.has(c) && !this.takenNames.has(c)) {
        this.takenNames.add(c);
        return c;
      }
    }
  }
}
