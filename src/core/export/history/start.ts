/**
 * Where a replay starts from (step 2 of replay.ts): the target tree and path sets the first
 * replayed commit applies to. The quick start lists no tree at all when the tip is a Ferry commit
 * of the base made with this configuration (quick-start.ts). Otherwise the full start reads the
 * tip's tree and the base's snapshot side by side and, when they differ (allowlist, map or
 * preserve changed, or a first run), makes a reconciliation commit first; its findings may stop
 * the build. From the root, the root commit's snapshot is projected too and the log starts after it.
 */
import { readFirstParentLog, readRootCommit, type LogCommit } from '../../git/log-reader.js';
import { hasErrors, type Finding } from '../../report/result.js';
import type { BuildOutcome, ExportBuildContext, TargetTree } from '../types.js';
import type { ReplayBase } from './base.js';
import { reconcile } from './commits.js';
import type { StepViews } from './gates.js';
import { emptyProjection, stopped } from './outcome.js';
import { quickStart, type QuickStart } from './quick-start.js';
import { TreeReader } from '../../git/tree-reader.js';
import type { FastImportWriter } from '../../git/fast-import.js';
import { checkTip, type FullPath } from '../tip-state.js';
import { QUICK_MAX_CHANGES, readRange } from './range.js';
import { linksOf } from '../snapshot.js';
import type { HistoryOptions } from './settings.js';
import { ReplayState, type StateOptions } from './state.js';

/**
 * A replay from the root (a first run with `since: root`): the root commit adds every file it
 * has, so its tree is the snapshot of the root. It is projected like a snapshot export's (one
 * streamed ls-tree) instead of being read as a raw diff that lists every file, and the log
 * starts after it. `before`: the target before the root (empty, or the reconciled tip with what
 * preserve keeps); `after`: the root's snapshot with the same preserved overlay.
 */
export interface RootStep {
  commit: LogCommit;
  before: TargetTree;
  after: TargetTree;
  findings: Finding[];
}

export interface ReplayStart {
  findings: Finding[];
  state: ReplayState;
  /** The target tree the replay starts from (for the net changes reported). */
  parentTree: TargetTree;
  /** The commit the first replayed commit goes on: the tip, or the reconciliation commit. */
  head: string | undefined;
  reconciled: boolean;
  root?: RootStep;
  /** Where preserved paths come from (the tip's tree), for the start of kept merges' side lines. */
  preservedFrom: TargetTree;
  quick?: QuickStart;
  /** Why the quick start was not taken (a notice, too, when the target was changed by hand). */
  fallback?: FullPath;
  /** The range's commits when already opened (read ahead, or after the root). */
  commits?: AsyncIterable<LogCommit>;
  /** Stops what the start opened (the read-ahead log, the quick start's lookups). */
  close(): Promise<void>;
}

/** The reconciliation's findings stopped the build: nothing else is done. */
export interface StoppedStart {
  stopped: BuildOutcome;
  close(): Promise<void>;
}

export async function startReplay(
  ctx: ExportBuildContext,
  tip: string | undefined,
  base: ReplayBase,
  opts: HistoryOptions,
  /** The replay's fast-import, opened meanwhile: it reads the tip's trees as the log comes. */
  writer?: Promise<FastImportWriter>,
): Promise<ReplayStart | StoppedStart> {
  const ahead = await readAhead(ctx, tip, base, opts, writer);
  const close = async () => {
    await ahead.close?.();
    await ahead.quick?.close();
  };
  try {
    if (ahead.quick)
      return {
        findings: [],
        state: new ReplayState(
          ahead.quick.start,
          { ...emptyProjection(), tree: ahead.quick.links },
          {
            ...stateOptions(ctx, false),
            countOffset: ahead.quick.countOffset,
            linkBase: ahead.quick.linkBase,
          },
        ),
        parentTree: ahead.quick.start,
        head: tip,
        reconciled: false,
        preservedFrom: new Map(),
        quick: ahead.quick,
        commits: ahead.commits,
        close,
      };
    const full = await fullStart(ctx, tip, base);
    if ('stopped' in full) return { stopped: full.stopped, close };
    // A target changed by hand is said first: it is why this run listed the trees.
    if (ahead.fallback?.notice) full.findings.unshift(ahead.fallback.notice);
    return { ...full, fallback: ahead.fallback, commits: full.commits ?? ahead.commits, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** The quick start's read-ahead of the range when the tip qualifies, or why it does not. */
async function readAhead(
  ctx: ExportBuildContext,
  tip: string | undefined,
  base: ReplayBase,
  opts: HistoryOptions,
  writer?: Promise<FastImportWriter>,
): Promise<{
  quick?: QuickStart;
  fallback?: FullPath;
  commits?: AsyncIterable<LogCommit>;
  close?: () => Promise<unknown>;
}> {
  if (opts.quickStart === false) return { fallback: { fullPath: 'disabled' } };
  if (!tip || base.kind === 'snapshot' || base.kind === 'root')
    return { fallback: { fullPath: 'first-export' } };
  if (base.kind !== 'trailer' || !base.rev) return { fallback: { fullPath: 'not-last-export' } };
  const check = await checkTip(ctx, tip);
  if (!('tip' in check)) return { fallback: check };
  // The tip names an older export than the base found below it: not the last export's commit.
  if (check.tip.originRev !== base.rev) return { fallback: { fullPath: 'not-last-export' } };
  // The tip's tree objects along the paths the range touches are read while git log still writes
  // the later commits (the quick start then finds them read), and fast-import reads the same ones
  // (its commits then apply a delta or two instead of the whole chain): processes side by side.
  const trees = new TreeReader({ read: (oid) => ctx.readObject(oid) });
  const tipTree = await ctx.treeOf(check.tip.commit);
  const warm = (c: LogCommit): void => {
    if (opts.keepMerges && c.parents.length > 1) return;
    const paths = c.changes.filter((ch) => ctx.select(ch.path)).map((ch) => ctx.mapPath(ch.path));
    for (const p of paths) trees.entry(tipTree, p).catch(() => undefined);
    writer?.then((w) => w.prefetch(tipTree, paths)).catch(() => undefined);
  };
  const read = readRange(ctx, { from: base.rev, to: ctx.sourceCommit }, QUICK_MAX_CHANGES, warm);
  // The recorded symlinks' sources at the base (the quick start checks every link): read meanwhile.
  const bases = check.tip.links.flatMap((t) => ctx.sourcesFor(t).filter((q) => ctx.select(q)));
  if (bases.length)
    void ctx
      .treeOf(base.rev)
      .then((baseTree) => trees.entries(baseTree, bases))
      .catch(() => undefined);
  const { commits, close, all, buffered } = await read;
  const opened = { commits, close };
  if (!all) return { ...opened, fallback: { fullPath: 'range-too-long' } };
  // A kept merge replays its side line from the fork's snapshot: that needs the full start.
  if (opts.keepMerges && buffered.some((c) => c.parents.length > 1))
    return { ...opened, fallback: { fullPath: 'kept-merges' } };
  const quick = await quickStart(ctx, check.tip, buffered, trees);
  return 'fullPath' in quick ? { ...opened, fallback: quick } : { ...opened, quick };
}

async function fullStart(
  ctx: ExportBuildContext,
  tip: string | undefined,
  base: ReplayBase,
): Promise<Omit<ReplayStart, 'close'> | { stopped: BuildOutcome }> {
  const force = !!ctx.settings.force;
  const findings: Finding[] = [];
  const rootCommit = base.rev ? undefined : await readRootCommit(ctx.sourceGit, ctx.sourceCommit);
  const [tipTree, projected, rootProjected] = await Promise.all([
    ctx.readTargetTree(tip),
    base.rev ? ctx.projectTree(base.rev) : Promise.resolve(emptyProjection()),
    rootCommit ? ctx.projectTree(rootCommit.sha) : undefined,
  ]);
  // With force, the replay starts a new root history (pushed with a lease); preserve still reads the tip.
  let head = force ? undefined : tip;
  const parentTree: TargetTree = force ? new Map() : tipTree;
  if (tip && !force && base.kind !== 'trailer' && (await ctx.git.isShallow()))
    // A remote target is fetched shallow: a trailer below hand-made commits is out of sight.
    findings.push({
      severity: 'warning',
      code: 'history-no-trailer',
      message: `No Ferry-Origin-Rev trailer in the fetched part of ${ctx.targetLabel}; starting as a first run (${base.note}). If an earlier export exists below hand-made commits, their replay is skipped.`,
    });
  findings.push(...projected.findings);
  const start = await ctx.overlayPreserved(projected.tree, tipTree, tip === undefined);
  const reconDiff = ctx.diffTrees(parentTree, start);
  let reconciled = false;
  if (reconDiff.changes.length) {
    const context = base.rev ? `reconciliation at source commit ${base.rev}` : 'reconciliation';
    findings.push(...(await ctx.runGates(reconDiff, projected, parentTree.size, context)));
    if (stopsHere(ctx, findings)) return { stopped: stopped(reconDiff.changes, findings, base) };
    head = await reconcile(ctx, start, head, base, tip === undefined || force, linksOf(projected.tree));
    reconciled = true;
  }
  const common = { findings, parentTree, head, reconciled, preservedFrom: tipTree };
  if (!rootCommit || !rootProjected)
    return { ...common, state: new ReplayState(start, projected, stateOptions(ctx, true)) };
  const after = await ctx.overlayPreserved(rootProjected.tree, tipTree, tip === undefined);
  return {
    ...common,
    root: { commit: rootCommit, before: start, after, findings: rootProjected.findings },
    // The state starts from the root's snapshot; the root's own step comes first (replayRoot).
    state: new ReplayState(after, rootProjected, stateOptions(ctx, true)),
    commits: readFirstParentLog(ctx.sourceGit, { from: rootCommit.sha, to: ctx.sourceCommit }),
  };
}

/**
 * Whether the build stops here: at the first error in a real run (the build fails anyway). A dry
 * run goes on past errors (the first-run snapshot's, a replayed commit's, a side line's), so one
 * dry run shows every finding of the range, not only the first ones: the build fails all the
 * same, and the commits made meanwhile never leave the scratch repository. Every place the replay
 * would stop for an error asks this, so the two kinds of run differ in this one place.
 */
export function stopsHere(ctx: ExportBuildContext, findings: readonly Finding[]): boolean {
  return hasErrors(findings) && !ctx.settings.dryRun;
}

export function stateOptions(ctx: ExportBuildContext, complete: boolean): StateOptions {
  return {
    select: ctx.select,
    mapPath: ctx.mapPath,
    submodules: ctx.settings.submodules ?? 'skip',
    complete,
  };
}

/** The source path sets at a step, from the complete live sets and the timelines. */
export function fullViews(state: ReplayState, step: number): StepViews {
  return {
    sourcePaths: state.sourceTimeline.view(step, (p) => state.sourcePaths.has(p)),
    exportedSourcePaths: state.exportedTimeline.view(step, (p) => state.exportedSourcePaths.has(p)),
  };
}
