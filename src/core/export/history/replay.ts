/**
 * History mode: replay every first-parent source commit since the last exported one onto the
 * target tip, one target commit per source commit that changes something selected.
 *
 *  1. The base is the newest `Ferry-Origin-Rev:` trailer on the target (see base.ts for the first run).
 *  2. The start: when the tip is a Ferry commit of the base made with this configuration, the
 *     quick start lists no tree at all (quick-start.ts). Otherwise the full start reads the tip's
 *     tree and the base's snapshot, and when they differ (allowlist, map or preserve changed, or a
 *     first run) a reconciliation commit comes first.
 *  3. One streaming `git log --raw` over base..source feeds a ReplayState; each commit goes into
 *     one `git fast-import` stream (source blobs by id) as it is applied, while the gates check
 *     the commits' change sets in batches (gates.ts).
 *  4. The finish: when every batch passed, the stream is finished and the last commit is the new
 *     tip; a finding kills the stream before any ref moves, and nothing is pushed.
 *
 * Deterministic: committer identity fixed, committer date = the source commit's, so the same
 * range on the same target tip gives the same commit ids. Repeatable: the rebuild-and-push helper
 * calls it again on a moved tip, and it then replays only what that tip's trailer says is missing.
 */
import { FastImportWriter, type FileOp } from '../../git/fast-import.js';
import type { CommitIdentity } from '../../git/index-builder.js';
import { readFirstParentLog, type LogCommit } from '../../git/log-reader.js';
import { hasErrors, type Finding } from '../../report/result.js';
import { secretSetupFor } from '../secret-key.js';
import { sourceFileReader, streamGitBlob } from '../source-files.js';
import { DEFAULT_COMMITTER, type BuildOutcome, type ExportBuildContext } from '../types.js';
import { loadAuthorMap, type AuthorMap } from './author-map.js';
import { resolveBase, type ReplayBase } from './base.js';
import { publishedMessage, scrubValues } from './commits.js';
import { HistoryGates, type ReplayedStep, type StepViews } from './gates.js';
import { MassDeleteAllowance } from './mass-delete-commits.js';
import { opsBetween, readSideLine, SIDE_REF, targetStandIn } from './merges.js';
import { historyDetails, nameCommit, seen, stopped } from './outcome.js';
import { compileScrubber, type MessageScrubber } from './scrub.js';
import { DEFAULT_SCRUB_TEMPLATE, HISTORY_REF, type HistoryOptions } from './settings.js';
import { fullViews, startReplay, stateOptions, stopsHere, type ReplayStart, type RootStep } from './start.js';
import { ReplayState } from './state.js';

export async function buildHistory(ctx: ExportBuildContext, tip: string | undefined): Promise<BuildOutcome> {
  const t0 = performance.now();
  const opts: HistoryOptions = ctx.settings.history ?? {};
  const scrubber = compileScrubber({
    lines: opts.scrubLines,
    messages: opts.scrubMessages,
    template: opts.scrubTemplate ?? DEFAULT_SCRUB_TEMPLATE,
    placeholders: Object.keys(scrubValues(ctx, ctx.sourceCommit)),
  });
  const authors = await loadAuthorMap({ file: opts.authorMapFile, text: opts.authorMapText });
  const allowance = await MassDeleteAllowance.resolve(ctx.sourceGit, opts.allowMassDeleteCommits);
  const base = await resolveBase(ctx, tip);
  if (base.kind === 'ahead') {
    ctx.logger.info(base.note);
    return { commits: 0, changes: [], findings: [], details: historyDetails(base, 0, 0, false, []) };
  }
  const laps = new Laps(t0);
  // fast-import starts while the start reads the log and the tip (spawned once mkdtemp returns,
  // after the log's spawn), unless there is nothing to replay. Killed unused when nothing is written.
  const writer = base.rev === ctx.sourceCommit ? undefined : FastImportWriter.open(ctx.git, HISTORY_REF);
  writer?.catch(() => undefined);
  const starting = startReplay(ctx, tip, base, opts, writer);
  let handed = false;
  const start = await starting.catch(async (e: unknown) => {
    await (await writer?.catch(() => undefined))?.abort();
    throw e;
  });
  try {
    if ('stopped' in start) return start.stopped;
    laps.lap('startMs');
    handed = true;
    return await new HistoryReplay(
      ctx,
      tip,
      base,
      start,
      { scrubber, authors, keepMerges: !!opts.keepMerges, allowance, writer },
      laps,
    ).run();
  } finally {
    if (!handed) await (await writer?.catch(() => undefined))?.abort();
    await start.close();
  }
}

/** A batch of replayed commits goes to the gates once it holds this many changes. */
const GATE_BATCH_CHANGES = 8192;

/** Where the replay's time goes (details.history.timings). */
class Laps {
  readonly timings = { startMs: 0, readMs: 0, applyMs: 0, gatesMs: 0, writeMs: 0 };
  constructor(private tick: number) {}

  lap(k: keyof Laps['timings']): void {
    const now = performance.now();
    this.timings[k] += now - this.tick;
    this.tick = now;
  }
}

/** One replay: the steps of run(), and the running state they share. */
class HistoryReplay {
  private readonly findings: Finding[];
  private readonly committer: CommitIdentity;
  private readonly gates: HistoryGates;
  /** The target as the replay goes (the tree, the path sets and their timelines). */
  private readonly state: ReplayState;
  private writer?: FastImportWriter;
  private readonly replayed: { source: string; mark: string }[] = [];
  /** Change sets waiting for the gates, and their size. */
  private batch: ReplayedStep[] = [];
  private batchChanges = 0;
  private skipped = 0;
  private index = 0;
  private mainCommits = 0;
  private mergesKept = 0;
  /** The last main-line commit written (a mark), or the start. */
  private current: string | undefined;
  /** The target commit (id or mark) that stands for each main-line source commit of this run. */
  private readonly standIn = new Map<string, string | undefined>();

  constructor(
    private readonly ctx: ExportBuildContext,
    private readonly tip: string | undefined,
    private readonly base: ReplayBase,
    private readonly start: ReplayStart,
    private readonly how: {
      scrubber: MessageScrubber;
      authors: AuthorMap;
      keepMerges: boolean;
      allowance: MassDeleteAllowance;
      /** The fast-import process opened while the start ran (none: opened at the first commit). */
      writer?: Promise<FastImportWriter>;
    },
    private readonly laps: Laps,
  ) {
    this.findings = start.findings;
    this.state = start.state;
    this.committer = ctx.settings.committer ?? DEFAULT_COMMITTER;
    this.current = start.head;
    if (base.rev) this.standIn.set(base.rev, start.head);
    const quick = start.quick;
    this.gates = new HistoryGates({
      git: ctx.git,
      settings: ctx.safety,
      lfs: ctx.settings.lfs ?? 'warn',
      viewsAt: (i) => (quick ? quick.viewsAt(this.state, i) : fullViews(this.state, i)),
      // Import resolution reads config files (tsconfig, package.json) at the exported revision.
      sourceFiles: sourceFileReader(ctx.git, (oid) => this.ctx.readObject(oid), ctx.sourceCommit),
      secretSetup: () => secretSetupFor(ctx.sourceGit, ctx.sourceCommit, ctx.safety),
      streamBlob: (oid) => streamGitBlob(ctx.git, oid),
      massDeleteAllowed: (sha) => how.allowance.allows(sha),
    });
  }

  /** An error stops a real run here; a dry run goes on (stopsHere). */
  private stops(): boolean {
    return stopsHere(this.ctx, this.findings);
  }

  async run(): Promise<BuildOutcome> {
    try {
      if (this.start.root) await this.replayRoot(this.start.root);
      this.laps.lap('applyMs');
      if (!this.stops()) await this.replayRange();
      return await this.finish();
    } catch (e) {
      await (this.writer ?? (await this.how.writer?.catch(() => undefined)))?.abort();
      throw e;
    }
  }

  /**
   * Step 3: apply every commit in memory and write it to fast-import as it comes (git builds trees
   * while the log streams); the gates get the commits in batches and read their blobs meanwhile.
   */
  private async replayRange(): Promise<void> {
    const { ctx } = this;
    const commits =
      this.start.commits ?? readFirstParentLog(ctx.sourceGit, { from: this.base.rev, to: ctx.sourceCommit });
    for await (const c of commits) {
      this.laps.lap('readMs');
      const at = this.index++;
      const sideTip =
        this.how.keepMerges && c.parents.length === 2 && !this.stops() ? await this.replaySide(c) : undefined;
      const r = await this.applyStep(this.state, c, at);
      this.laps.lap('applyMs');
      if (this.stops()) break;
      if (!r && !sideTip) {
        this.skipped++;
        this.standIn.set(c.sha, this.current);
        continue;
      }
      const mark = await this.write(c, r?.ops ?? [], {
        ...(this.mainCommits === 0 ? { from: this.start.head } : {}),
        ...(sideTip ? { merge: [sideTip] } : {}),
      });
      if (sideTip) this.mergesKept++;
      this.mainCommits++;
      this.current = mark;
      this.standIn.set(c.sha, mark);
      this.laps.lap('writeMs');
    }
  }

  /**
   * The root commit, replayed from its projection: its changes are the whole snapshot. It goes
   * to fast-import first, so git builds its trees while the gates and the log get under way (a
   * finding still kills the stream before any ref moves).
   */
  private async replayRoot({
    commit: c,
    before,
    after,
    findings: projectedFindings,
  }: RootStep): Promise<void> {
    const { findings } = this;
    const at = this.index++;
    this.how.allowance.reach(c.sha);
    const ops = opsBetween(before, after);
    for (const f of projectedFindings)
      if (!seen(findings, f)) findings.push(ops.length ? nameCommit(f, c.sha) : f);
    if (!ops.length) {
      this.skipped++;
      this.standIn.set(c.sha, this.current);
      return;
    }
    if (!this.stops()) {
      this.current = await this.write(c, ops, { from: this.start.head });
      this.mainCommits++;
      this.standIn.set(c.sha, this.current);
    }
    const diff = this.ctx.diffTrees(before, after);
    this.queueGates({
      index: at,
      sha: c.sha,
      gateChanges: diff.gateChanges,
      deletions: diff.gateChanges.filter((g) => g.change === 'deleted').length,
      targetFileCountBefore: before.size,
    });
    if (this.state.symlinks.hasLinks)
      for (const f of await this.state.symlinks.check((oid) => this.ctx.readObject(oid)))
        if (!seen(findings, f)) findings.push(nameCommit(f, c.sha));
  }

  /**
   * keep-merges: replay the side line of merge `c` on its own ref; the mark of its last commit,
   * or undefined when the side line changes nothing selected (the merge is then linearized).
   */
  private async replaySide(c: LogCommit): Promise<string | undefined> {
    const { ctx } = this;
    const side = await readSideLine(ctx, c);
    const fork = side[0]?.parents[0];
    if (!fork) return undefined;
    const known = this.standIn.has(fork);
    const from = known ? this.standIn.get(fork) : await targetStandIn(ctx, this.tip, fork);
    const projected = await ctx.projectTree(fork);
    const sideStart = await ctx.overlayPreserved(projected.tree, this.start.preservedFrom, false);
    // A stand-in from earlier runs may predate a config change: its tree is brought to the
    // fork's current snapshot by the first side commit.
    let lead: FileOp[] = [];
    if (!known) {
      const standInTree = from ? await ctx.readTargetTree(from) : new Map();
      lead = opsBetween(standInTree, sideStart);
      // What the lead adds passes the gates too, judged at the fork.
      const diff = ctx.diffTrees(standInTree, sideStart);
      if (diff.gateChanges.length)
        this.batch.push({
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
      const r = await this.applyStep(sideState, sc, i++, views);
      if (!r) continue;
      if (this.stops()) return undefined;
      const first = sideTip === undefined;
      sideTip = await this.write(
        sc,
        first ? [...lead, ...r.ops] : r.ops,
        { ref: SIDE_REF, ...(first ? { from } : {}) },
        sideState,
      );
    }
    return sideTip;
  }

  /** Apply one commit to `st`; its fast-import operations, or undefined when it changes nothing selected. */
  private async applyStep(
    st: ReplayState,
    c: LogCommit,
    at: number,
    views?: ReplayedStep['views'],
  ): Promise<{ ops: FileOp[] } | undefined> {
    const { findings } = this;
    this.how.allowance.reach(c.sha);
    const step = st.apply(c.changes, undefined, at);
    if (!step.ops.length) {
      for (const f of step.findings) if (!seen(findings, f)) findings.push(f);
      return undefined;
    }
    for (const f of step.findings) if (!seen(findings, f)) findings.push(nameCommit(f, c.sha));
    if (step.needsSymlinkCheck) {
      for (const f of await st.symlinks.check((oid) => this.ctx.readObject(oid)))
        if (!seen(findings, f)) findings.push(nameCommit(f, c.sha));
    }
    this.queueGates({
      index: at,
      sha: c.sha,
      gateChanges: step.diff.gateChanges,
      deletions: step.deletions,
      targetFileCountBefore: step.targetFileCountBefore,
      views,
    });
    return { ops: step.ops };
  }

  /** A replayed commit's change set goes to the gates with the next full batch. */
  private queueGates(step: ReplayedStep): void {
    this.batch.push(step);
    this.batchChanges += step.gateChanges.length;
    if (this.batchChanges >= GATE_BATCH_CHANGES) {
      // Its blobs are read and scanned while the replay goes on.
      this.gates.add(this.batch);
      this.batch = [];
      this.batchChanges = 0;
    }
  }

  /** Queue one replayed commit on the fast-import stream (`st`: the state it leaves); its mark. */
  private async write(
    c: LogCommit,
    ops: readonly FileOp[],
    extra: { from?: string; merge?: string[]; ref?: string },
    st: ReplayState = this.state,
  ): Promise<string> {
    const { authors, scrubber } = this.how;
    this.writer ??= await (this.how.writer ?? FastImportWriter.open(this.ctx.git, HISTORY_REF));
    // The message as published: the gates scan it for secrets with the change sets.
    const message = await publishedMessage(c, scrubber, authors, this.ctx, st.projectedLinks.keys(), (oid) =>
      this.ctx.readObject(oid),
    );
    this.gates.addMessage(c.sha, message.text);
    const mark = this.writer.commit({
      author: { ...authors.map({ name: c.authorName, email: c.authorEmail }), date: c.authorDate },
      committer: { name: this.committer.name, email: this.committer.email, date: c.committerDate },
      message: message.bytes ?? message.text,
      ...(message.encoding ? { encoding: message.encoding } : {}),
      ops,
      ...extra,
    });
    this.replayed.push({ source: c.sha, mark });
    if (this.writer.backpressure) await this.writer.drained();
    return mark;
  }

  /**
   * Step 4: wait for the gates (even after an error: a batch may still be reading, and its
   * findings add detail), then finish the stream, or kill it when anything stopped the build.
   */
  private async finish(): Promise<BuildOutcome> {
    const { ctx, base, findings, replayed } = this;
    const { parentTree, reconciled, head } = this.start;
    this.gates.add(this.batch);
    // git builds the last commits' trees while the gates read and scan (the ref moves only on finish).
    this.writer?.flush();
    const gated = await this.gates.finish();
    for (const f of gated.findings) if (!seen(findings, f)) findings.push(f);
    // A commit named in allow-mass-delete-commits that the range does not hold (once it was read to the end).
    if (!this.stops()) findings.push(...this.how.allowance.unreached(base.rev, ctx.sourceCommit));
    this.state.fillSizes(gated.sizes);
    this.laps.lap('gatesMs');
    // Opened while the start ran, but every commit was skipped: nothing to finish.
    if (!this.writer) await (await this.how.writer?.catch(() => undefined))?.abort();
    if (hasErrors(findings)) {
      await this.writer?.abort();
      this.writer = undefined;
      return stopped(ctx.diffTrees(parentTree, this.state.tree).changes, findings, base);
    }
    const marks = this.writer ? await this.writer.finish() : new Map<string, string>();
    this.writer = undefined;
    this.laps.lap('writeMs');
    const pairs = replayed.map((r) => ({ source: r.source, target: marks.get(r.mark) ?? '' }));
    const last = this.mainCommits && this.current ? marks.get(this.current) : undefined;
    if (replayed.length && !last) throw new Error('git fast-import did not report the replayed commits');
    const newTip = last ?? head;
    const changes = ctx.diffTrees(parentTree, this.state.tree).changes;
    if (!newTip || newTip === this.tip || (!changes.length && !reconciled && !replayed.length))
      return { commits: 0, changes: [], findings, details: historyDetails(base, 0, this.skipped, false, []) };
    return {
      tip: newTip,
      commits: replayed.length + (reconciled ? 1 : 0),
      changes,
      findings,
      details: historyDetails(
        base,
        replayed.length,
        this.skipped,
        reconciled,
        pairs,
        this.laps.timings,
        this.start.quick ? true : (this.start.fallback?.fullPath ?? false),
        this.mergesKept,
      ),
    };
  }
}
