import { BlobReader } from '../../git/cat-file.js';
import { FastImportWriter, type FileOp } from '../../git/fast-import.js';
import { readFirstParentLog, readRootCommit, type LogCommit } from '../../git/log-reader.js';
import { hasErrors, type Finding } from '../../report/result.js';
import { resolveSafetySettings } from '../gates.js';
import { DEFAULT_COMMITTER, type BuildOutcome, type ExportBuildContext, type TargetTree } from '../types.js';
import { loadAuthorMap } from './author-map.js';
import { resolveBase } from './base.js';
import { HistoryGates, type ReplayedStep, type StepViews } from './gates.js';
import { opsBetween, readSideLine, SIDE_REF, targetStandIn } from './merges.js';
import { quickStart, tipQualifies, type QuickStart } from './quick-start.js';
import { compileScrubber } from './scrub.js';
import { DEFAULT_SCRUB_TEMPLATE, HISTORY_REF, type HistoryOptions } from './settings.js';
import { ReplayState, type StateOptions } from './state.js';
import { reconcile, replayMessage, scrubValues } from './commits.js';
import { emptyProjection, historyDetails, nameCommit, seen, stopped } from './outcome.js';
import { QUICK_MAX_CHANGES, readRange } from './range.js';

/**
 * History mode: replay every first-parent source commit since the last exported one
 * onto the target tip, one target commit per source commit that changes something selected.
 *
 *  1. The base is the newest `Ferry-Origin-Rev:` trailer on the target (see base.ts for the first run).
 *  2. When the target tip differs from the snapshot of the base under the current configuration
 *     (allowlist, map or preserve changed, or a first run), a reconciliation commit comes first.
 *  3. One streaming `git log --raw` over base..source feeds a ReplayState; each commit goes into
 *     one `git fast-import` stream (source blobs by id) as it is applied. The gates then check
 *     every commit's change set in one batch (gates.ts); a finding kills the stream before any ref
 *     moves and nothing is pushed.
 *
 * The common incremental case lists no tree at all (quick-start.ts): the tip's Ferry-Config
 * trailer says it is the base's snapshot under this configuration.
 *
 * Deterministic: committer identity fixed, committer date = the source commit's, so the same
 * range on the same target tip gives the same commit ids. Repeatable: the push loop calls it
 * again on a moved tip, and it then replays only what that tip's trailer says is missing.
 */
export async function buildHistory(ctx: ExportBuildContext, tip: string | undefined): Promise<BuildOutcome> {
  const t0 = performance.now();
  const s = ctx.settings;
  const opts: HistoryOptions = s.history ?? {};
  const scrubber = compileScrubber({
    lines: opts.scrubLines,
    messages: opts.scrubMessages,
    template: opts.scrubTemplate ?? DEFAULT_SCRUB_TEMPLATE,
    placeholders: Object.keys(scrubValues(ctx, ctx.sourceCommit)),
  });
  const authors = await loadAuthorMap({ file: opts.authorMapFile, text: opts.authorMapText });
  const base = await resolveBase(ctx, tip);
  if (base.kind === 'ahead') {
    ctx.logger.info(base.note);
    return { commits: 0, changes: [], findings: [], details: historyDetails(base, 0, 0, false, []) };
  }
  /** Where the replay's time goes (details.history.timings). */
  const timings = { startMs: 0, readMs: 0, applyMs: 0, gatesMs: 0, writeMs: 0 };
  let tick = t0;
  const lap = (k: keyof typeof timings): void => {
    const now = performance.now();
    timings[k] += now - tick;
    tick = now;
  };
  const range = { from: base.rev, to: ctx.sourceCommit };
  const keepMerges = !!opts.keepMerges;

  // 1. The start: quick (no tree listed) when the tip is a Ferry commit of the base with this config.
  let commits: AsyncIterable<LogCommit> | undefined;
  let closeRange: (() => Promise<unknown>) | undefined;
  let quick: QuickStart | undefined;
  if (opts.quickStart !== false && tip && base.rev && (await tipQualifies(ctx, tip, base))) {
    const read = await readRange(ctx, range, QUICK_MAX_CHANGES);
    commits = read.commits;
    closeRange = read.close;
    // A kept merge replays its side line from the fork's snapshot: that needs the full start.
    const merges = keepMerges && read.buffered.some((c) => c.parents.length > 1);
    if (read.all && !merges) quick = await quickStart(ctx, tip, base.rev, read.buffered);
  }
  try {
    return await replay();
  } finally {
    await closeRange?.();
    await quick?.names.close();
  }

  async function replay(): Promise<BuildOutcome> {
    const findings: Finding[] = [];
    let state: ReplayState;
    let parentTree: TargetTree;
    let head = tip;
    let reconciled = false;
    let root: RootStep | undefined;
    /** Where preserved paths come from (the tip's tree), for the start of kept merges' side lines. */
    let preservedFrom: TargetTree = new Map();
    if (quick) {
      parentTree = quick.start;
      state = new ReplayState(quick.start, emptyProjection(), stateOptions(ctx, false));
    } else {
      // Full start: the tip's tree and the base's snapshot (two ls-tree processes side by side).
      // From the root, the root commit's snapshot is projected beside them and the log starts
      // after it (see RootStep).
      const rootCommit = base.rev ? undefined : await readRootCommit(ctx.sourceGit, ctx.sourceCommit);
      if (rootCommit) commits = readFirstParentLog(ctx.sourceGit, { from: rootCommit.sha, to: range.to });
      const [tipTree, projected, rootProjected] = await Promise.all([
        ctx.readTargetTree(tip),
        base.rev ? ctx.projectTree(base.rev) : Promise.resolve(emptyProjection()),
        rootCommit ? ctx.projectTree(rootCommit.sha) : undefined,
      ]);
      // With force, the replay starts a new root history (pushed with a lease); preserve still reads the tip.
      head = s.force ? undefined : tip;
      parentTree = s.force ? new Map() : tipTree;
      preservedFrom = tipTree;
      if (tip && !s.force && base.kind !== 'trailer' && (await ctx.git.isShallow()))
        // A remote target is fetched shallow: a trailer below hand-made commits is out of sight.
        findings.push({
          severity: 'warning',
          code: 'history-no-trailer',
          message: `No Ferry-Origin-Rev trailer in the fetched part of ${ctx.targetLabel}; starting as a first run (${base.note}). If an earlier export exists below hand-made commits, their replay is skipped.`,
        });
      findings.push(...projected.findings);
      const start = await ctx.overlayPreserved(projected.tree, tipTree, tip === undefined);
      // 2. A reconciliation commit when the target differs from the base's snapshot.
      const reconDiff = ctx.diffTrees(parentTree, start);
      if (reconDiff.changes.length) {
        const context = base.rev ? `reconciliation at source commit ${base.rev}` : 'reconciliation';
        findings.push(...(await ctx.runGates(reconDiff, projected, parentTree.size, context)));
        if (hasErrors(findings)) return stopped(reconDiff.changes, findings, base);
        head = await reconcile(ctx, start, head, base, tip === undefined || !!s.force);
        reconciled = true;
      }
      if (rootCommit && rootProjected) {
        const after = await ctx.overlayPreserved(rootProjected.tree, tipTree, tip === undefined);
        root = { commit: rootCommit, before: start, after, findings: rootProjected.findings };
        // The state starts from the root's snapshot; the root's own step comes first (replayRoot).
        state = new ReplayState(after, rootProjected, stateOptions(ctx, true));
      } else state = new ReplayState(start, projected, stateOptions(ctx, true));
    }
    lap('startMs');

    // 3. Replay: apply every commit in memory, writing each one to fast-import as it comes (git
    //    builds trees while the log streams). The gates get the commits in batches and read their
    //    blobs meanwhile; only when every batch passed is the stream finished (a finding kills
    //    fast-import: no ref moves).
    commits ??= readFirstParentLog(ctx.sourceGit, range);
    const blobs = new BlobReader(ctx.git);
    let writer: FastImportWriter | undefined;
    const replayed: { source: string; mark: string }[] = [];
    const gates = new HistoryGates({
      git: ctx.git,
      settings: resolveSafetySettings(s.safety),
      lfs: s.lfs ?? 'warn',
      viewsAt: (i) => (quick ? quick.viewsAt(state, i) : fullViews(state, i)),
    });
    let batch: ReplayedStep[] = [];
    let batchChanges = 0;
    let skipped = 0;
    let index = 0;
    let mainCommits = 0;
    let mergesKept = 0;
    /** The last main-line commit written (a mark), or the start. */
    let current = head;
    const committer = s.committer ?? DEFAULT_COMMITTER;
    /** The target commit (id or mark) that stands for each main-line source commit of this run. */
    const standIn = new Map<string, string | undefined>();
    if (base.rev) standIn.set(base.rev, head);

    /** A replayed commit's change set goes to the gates with the next full batch. */
    const queueGates = (step: ReplayedStep): void => {
      batch.push(step);
      batchChanges += step.gateChanges.length;
      if (batchChanges >= GATE_BATCH_CHANGES) {
        // Its blobs are read and scanned while the replay goes on.
        gates.add(batch);
        batch = [];
        batchChanges = 0;
      }
    };
    /** Apply one commit to `st`; its gate step, or undefined when it changes nothing selected. */
    const applyStep = async (
      st: ReplayState,
      c: LogCommit,
      at: number,
      views?: ReplayedStep['views'],
    ): Promise<{ ops: FileOp[] } | undefined> => {
      const step = st.apply(c.changes, undefined, at);
      if (!step.ops.length) {
        for (const f of step.findings) if (!seen(findings, f)) findings.push(f);
        return undefined;
      }
      for (const f of step.findings) if (!seen(findings, f)) findings.push(nameCommit(f, c.sha));
      if (step.needsSymlinkCheck) {
        for (const f of await st.symlinks.check((oid) => blobs.read(oid)))
          if (!seen(findings, f)) findings.push(nameCommit(f, c.sha));
      }
      queueGates({
        index: at,
        sha: c.sha,
        gateChanges: step.diff.gateChanges,
        deletions: step.deletions,
        targetFileCountBefore: step.targetFileCountBefore,
        views,
      });
      return { ops: step.ops };
    };
    const write = async (
      c: LogCommit,
      ops: readonly FileOp[],
      extra: { from?: string; merge?: string[]; ref?: string },
    ): Promise<string> => {
      writer ??= await FastImportWriter.open(ctx.git, HISTORY_REF);
      const mark = writer.commit({
        author: { ...authors.map({ name: c.authorName, email: c.authorEmail }), date: c.authorDate },
        committer: { name: committer.name, email: committer.email, date: c.committerDate },
        message: replayMessage(c, scrubber, authors, ctx),
        ops,
        ...extra,
      });
      replayed.push({ source: c.sha, mark });
      if (writer.backpressure) await writer.drained();
      return mark;
    };
    /**
     * keep-merges: replay the side line of merge `c` on its own ref; the mark of its last commit,
     * or undefined when the side line changes nothing selected (the merge is then linearized).
     */
    const replaySide = async (c: LogCommit): Promise<string | undefined> => {
      const side = await readSideLine(ctx, c);
      const fork = side[0]?.parents[0];
      if (!fork) return undefined;
      const known = standIn.has(fork);
      const from = known ? standIn.get(fork) : await targetStandIn(ctx, tip, fork);
      const projected = await ctx.projectTree(fork);
      const sideStart = await ctx.overlayPreserved(projected.tree, preservedFrom, false);
      // A stand-in from earlier runs may predate a config change: its tree is brought to the
      // fork's current snapshot by the first side commit.
      let lead: FileOp[] = [];
      if (!known) {
        const standInTree = from ? await ctx.readTargetTree(from) : new Map();
        lead = opsBetween(standInTree, sideStart);
        // What the lead adds passes the gates too, judged at the fork.
        const diff = ctx.diffTrees(standInTree, sideStart);
        if (diff.gateChanges.length)
          batch.push({
            index: 0,
            sha: fork,
            gateChanges: diff.gateChanges,
            deletions: diff.gateChanges.filter((g) => g.change === 'deleted').length,
            targetFileCountBefore: standInTree.size,
            views: () => ({
              sourcePaths: projected.sourcePaths,
              exportedSourcePaths: projected.exportedSourcePaths,
            }),
          });
      }
      const sideState = new ReplayState(sideStart, projected, stateOptions(ctx, true));
      const views = (i: number): StepViews => fullViews(sideState, i);
      let sideTip: string | undefined;
      let i = 0;
      for (const sc of side) {
        const r = await applyStep(sideState, sc, i++, views);
        if (!r) continue;
        if (hasErrors(findings)) return undefined;
        const first = sideTip === undefined;
        sideTip = await write(sc, first ? [...lead, ...r.ops] : r.ops, {
          ref: SIDE_REF,
          ...(first ? { from } : {}),
        });
      }
      return sideTip;
    };
    /**
     * The root commit, replayed from its projection: its changes are the whole snapshot. It goes
     * to fast-import first, so git builds its trees while the gates and the log get under way (a
     * finding still kills the stream before any ref moves).
     */
    const replayRoot = async ({
      commit: c,
      before,
      after,
      findings: projectedFindings,
    }: RootStep): Promise<void> => {
      const at = index++;
      const ops = opsBetween(before, after);
      for (const f of projectedFindings)
        if (!seen(findings, f)) findings.push(ops.length ? nameCommit(f, c.sha) : f);
      if (!ops.length) {
        skipped++;
        standIn.set(c.sha, current);
        return;
      }
      if (!hasErrors(findings)) {
        current = await write(c, ops, { from: head });
        mainCommits++;
        standIn.set(c.sha, current);
      }
      const diff = ctx.diffTrees(before, after);
      queueGates({
        index: at,
        sha: c.sha,
        gateChanges: diff.gateChanges,
        deletions: diff.gateChanges.filter((g) => g.change === 'deleted').length,
        targetFileCountBefore: before.size,
      });
      if (state.symlinks.hasLinks)
        for (const f of await state.symlinks.check((oid) => blobs.read(oid)))
          if (!seen(findings, f)) findings.push(nameCommit(f, c.sha));
    };
    try {
      if (root) await replayRoot(root);
      lap('applyMs');
      if (!hasErrors(findings))
        for await (const c of commits) {
          lap('readMs');
          const at = index++;
          const sideTip =
            keepMerges && c.parents.length === 2 && !hasErrors(findings) ? await replaySide(c) : undefined;
          const r = await applyStep(state, c, at);
          lap('applyMs');
          if (hasErrors(findings)) break;
          if (!r && !sideTip) {
            skipped++;
            standIn.set(c.sha, current);
            continue;
          }
          const mark = await write(c, r?.ops ?? [], {
            ...(mainCommits === 0 ? { from: head } : {}),
            ...(sideTip ? { merge: [sideTip] } : {}),
          });
          if (sideTip) mergesKept++;
          mainCommits++;
          current = mark;
          standIn.set(c.sha, mark);
          lap('writeMs');
        }
      gates.add(batch);
      // Waited for even after an error: a batch may still be reading, and its findings add detail.
      const gated = await gates.finish();
      for (const f of gated.findings) if (!seen(findings, f)) findings.push(f);
      state.fillSizes(gated.sizes);
      lap('gatesMs');
      if (hasErrors(findings)) {
        await writer?.abort();
        writer = undefined;
        return stopped(ctx.diffTrees(parentTree, state.tree).changes, findings, base);
      }
      const marks = writer ? await writer.finish() : new Map<string, string>();
      writer = undefined;
      lap('writeMs');
      const pairs = replayed.map((r) => ({ source: r.source, target: marks.get(r.mark) ?? '' }));
      const last = mainCommits && current ? marks.get(current) : undefined;
      if (replayed.length && !last) throw new Error('git fast-import did not report the replayed commits');
      const newTip = last ?? head;
      const changes = ctx.diffTrees(parentTree, state.tree).changes;
      if (!newTip || newTip === tip || (!changes.length && !reconciled && !replayed.length))
        return { commits: 0, changes: [], findings, details: historyDetails(base, 0, skipped, false, []) };
      return {
        tip: newTip,
        commits: replayed.length + (reconciled ? 1 : 0),
        changes,
        findings,
        details: historyDetails(
          base,
          replayed.length,
          skipped,
          reconciled,
          pairs,
          timings,
          !!quick,
          mergesKept,
        ),
      };
    } catch (e) {
      await writer?.abort();
      throw e;
    } finally {
      await blobs.close();
    }
  }
}

/** A batch of replayed commits goes to the gates once it holds this many changes. */
const GATE_BATCH_CHANGES = 8192;

/**
 * A replay from the root (a first run with `since: root`): the root commit adds every file it
 * has, so its tree is the snapshot of the root. It is projected like a snapshot export's (one
 * streamed ls-tree) instead of being read as a raw diff that lists every file, and the log
 * starts after it. `before`: the target before the root (empty, or the reconciled tip with what
 * preserve keeps); `after`: the root's snapshot with the same preserved overlay.
 */
interface RootStep {
  commit: LogCommit;
  before: TargetTree;
  after: TargetTree;
  findings: Finding[];
}

function stateOptions(ctx: ExportBuildContext, complete: boolean): StateOptions {
  return {
    select: ctx.select,
    mapPath: ctx.mapPath,
    submodules: ctx.settings.submodules ?? 'skip',
    complete,
  };
}

/** The source path sets at a step, from the complete live sets and the timelines. */
function fullViews(state: ReplayState, step: number): StepViews {
  return {
    sourcePaths: state.sourceTimeline.view(step, (p) => state.sourcePaths.has(p)),
    exportedSourcePaths: state.exportedTimeline.view(step, (p) => state.exportedSourcePaths.has(p)),
  };
}
