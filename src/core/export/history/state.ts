/**
 * The replay's running picture of the target, advanced one source commit at a time. Pure: no
 * I/O. It starts from the snapshot tree of the base revision (the reconciled target) and applies
 * each commit's raw diff, restricted to selected paths and mapped, so after the last commit it
 * holds exactly the snapshot tree of the last revision (the invariant the property test checks):
 *  - a selected source path is added/modified/deleted at its mapped target path;
 *  - a path frozen by `preserve` (or a template file on a first export) keeps the target's copy,
 *    as overlayPreserved does in snapshot mode;
 *  - gitlinks follow the submodule policy, as projectEntries does.
 */
import type { FileOp } from '../../git/fast-import.js';
import type { RawChange } from '../../git/log-reader.js';
import type { Finding, PathChange } from '../../report/result.js';
import type { GateChange } from '../../safety/types.js';
import type { ProjectedTree, SubmodulePolicy, TargetTree, TreeDiff } from '../types.js';
import { mapCollision, submoduleSkipped } from '../project.js';
import { SymlinkIndex, type LinkBase } from './symlinks.js';
import { PathTimeline } from './timeline.js';

export interface StateOptions {
  select(sourcePath: string): boolean;
  mapPath(sourcePath: string): string;
  submodules: SubmodulePolicy;
  /**
   * False when the start tree and path sets are partial (the quick start, see quick-start.ts): they
   * then hold only the paths the range touches, and the timelines leave the rest to a probe.
   */
  complete?: boolean;
  /**
   * With a partial start: the target files the start tree leaves out (the tip's count, or a lower
   * bound high enough for the mass-deletion gate, minus the start tree's size).
   */
  countOffset?: number;
  /** With a partial start: answers the symlink check about the files the start tree leaves out. */
  linkBase?: LinkBase;
}

/** A start tree's projection as the state needs it: path sets and, when known, its entries. */
export type StartProjection = Pick<ProjectedTree, 'exportedSourcePaths' | 'sourcePaths'> & {
  /** The projected entries (their symlinks are recorded in each commit); absent: none. */
  tree?: TargetTree;
};

export interface ReplayStep {
  /** fast-import file operations (deletions first, so a file may replace a directory and back). */
  ops: FileOp[];
  diff: TreeDiff;
  findings: Finding[];
  /** Symlinks exist and the step changed something: run `symlinks.check`. */
  needsSymlinkCheck: boolean;
  /** Target file count before the step (for the mass-deletion gate). */
  targetFileCountBefore: number;
  /** Target paths this step deletes (for the mass-deletion gate). */
  deletions: number;
}

const GITLINK = '160000';
const SYMLINK = '120000';
const ZERO_MODE = '000000';

export class ReplayState {
  /** Target path → entry, the whole target tree after the steps so far. */
  readonly tree: TargetTree;
  readonly exportedSourcePaths: Set<string>;
  readonly sourcePaths: Set<string>;
  /** Exported directories and symlinks, for the per-step symlink check. */
  readonly symlinks: SymlinkIndex;
  /** Source paths and exported source paths as they stood at each step (for the batched gates). */
  readonly sourceTimeline = new PathTimeline();
  readonly exportedTimeline = new PathTimeline();
  private readonly frozen: Set<string>;
  private readonly complete: boolean;

  /**
   * The projection's symlinks (target path → source path), preserved paths included: what each
   * replayed commit records for the next run's quick start (tip-state.ts).
   */
  readonly projectedLinks = new Map<string, string>();

  constructor(
    start: TargetTree,
    projected: StartProjection,
    private readonly opts: StateOptions,
  ) {
    this.tree = new Map(start);
    this.exportedSourcePaths = new Set(projected.exportedSourcePaths);
    this.sourcePaths = new Set(projected.sourcePaths);
    // Whatever overlayPreserved took from the target tip (or the template) stays as it is.
    this.frozen = new Set([...start].filter(([, e]) => e.origin !== 'source').map(([p]) => p));
    this.symlinks = new SymlinkIndex(start, opts.linkBase);
    this.complete = opts.complete ?? true;
    for (const [t, e] of projected.tree ?? [])
      if (e.mode === SYMLINK) this.projectedLinks.set(t, e.sourcePath ?? t);
  }

  /** The target file count (the whole tree's, also when the state holds part of it). */
  get fileCount(): number {
    return this.tree.size + (this.opts.countOffset ?? 0);
  }

  /** The selected source paths a commit touches, with their new blob ids (for a size lookup). */
  selectedBlobs(changes: readonly RawChange[]): string[] {
    const out: string[] = [];
    for (const ch of changes)
      if (ch.dstMode !== ZERO_MODE && ch.dstMode !== GITLINK && this.opts.select(ch.path))
        out.push(ch.dstOid);
    return out;
  }

  /**
   * Apply one commit's raw diff (against its first parent). `sizes`: blob id → size, if known (the
   * replay fills sizes in later, see fillSizes). `step`: the commit's index in the range, for the
   * timelines.
   */
  apply(changes: readonly RawChange[], sizes: ReadonlyMap<string, number> = new Map(), step = 0): ReplayStep {
    const targetFileCountBefore = this.fileCount;
    const dels: FileOp[] = [];
    const mods: FileOp[] = [];
    const pathChanges: PathChange[] = [];
    const gateChanges: GateChange[] = [];
    const findings: Finding[] = [];
    for (const ch of changes) {
      const p = ch.path;
      const deleted = ch.status === 'D' || ch.dstMode === ZERO_MODE;
      this.track(this.sourcePaths, this.sourceTimeline, p, step, !deleted);
      if (!this.opts.select(p)) continue;
      const skipLink = !deleted && ch.dstMode === GITLINK && this.opts.submodules !== 'keep';
      if (skipLink) findings.push(submoduleSkipped(p));
      this.track(this.exportedSourcePaths, this.exportedTimeline, p, step, !(deleted || skipLink));
      const tp = this.opts.mapPath(p);
      if (!deleted && !skipLink && ch.dstMode === SYMLINK) this.projectedLinks.set(tp, p);
      else if (this.projectedLinks.get(tp) === p) this.projectedLinks.delete(tp);
      if (this.frozen.has(tp)) continue;
      const old = this.tree.get(tp);
      if (deleted || skipLink) {
        // Only remove what this source path put there (a collision's other side stays).
        if (!old || old.sourcePath !== p) continue;
        this.tree.delete(tp);
        this.symlinks.remove(tp);
        dels.push({ op: 'D', path: tp });
        pathChanges.push({ path: tp, change: 'deleted', ...(old.size >= 0 ? { bytes: old.size } : {}) });
        gateChanges.push({ sourcePath: p, targetPath: tp, change: 'deleted', mode: old.mode });
        continue;
      }
      if (old && old.sourcePath !== p) {
        findings.push(mapCollision(p, old.sourcePath ?? 'a target file', tp));
        continue;
      }
      if (old && old.mode === ch.dstMode && old.oid === ch.dstOid) continue;
      const size = sizes.get(ch.dstOid) ?? -1;
      const entry = { mode: ch.dstMode, oid: ch.dstOid, size, sourcePath: p, origin: 'source' as const };
      this.tree.set(tp, entry);
      this.symlinks.add(tp, entry);
      const change = old ? 'modified' : 'added';
      mods.push({ op: 'M', mode: ch.dstMode, oid: ch.dstOid, path: tp });
      pathChanges.push({ path: tp, change, ...(size >= 0 ? { bytes: size } : {}) });
      gateChanges.push({ sourcePath: p, targetPath: tp, change, oid: ch.dstOid, mode: ch.dstMode });
    }
    return {
      ops: [...dels, ...mods],
      // `oids` stays empty on purpose: the context would look sizes up with a process per call;
      // the replay passes sizes itself (see replay.ts).
      diff: { changes: pathChanges, gateChanges, oids: new Map() },
      findings,
      needsSymlinkCheck: (dels.length > 0 || mods.length > 0) && this.symlinks.hasLinks,
      targetFileCountBefore,
      deletions: dels.length,
    };
  }

  /** Entries of the tree whose size is unknown get it from `sizes` (after the batched blob read). */
  fillSizes(sizes: ReadonlyMap<string, number>): void {
    for (const [p, e] of this.tree) {
      if (e.size >= 0 || e.origin !== 'source') continue;
      const n = sizes.get(e.oid);
      // A new entry: the start tree's entries may be shared with the context's projection cache.
      if (n !== undefined) this.tree.set(p, { ...e, size: n });
    }
  }

  private track(set: Set<string>, timeline: PathTimeline, p: string, step: number, present: boolean): void {
    const before = set.has(p);
    if (present) set.add(p);
    else set.delete(p);
    if (this.complete) {
      // Views are asked for steps ≥ 0 only, so the first step's changes need no record: a later
      // record's `before` (the live membership) already includes them. A root replay's first
      // commit adds every path: that is most of the records saved.
      if (before !== present && step > 0) timeline.record(p, step, before, present);
    } else {
      // A partial set does not know the membership before the range: the probe answers for it.
      timeline.record(p, step, undefined, present);
    }
  }
}
