import { SizeReader } from '../../git/batch-check.js';
import { BlobReader } from '../../git/cat-file.js';
import { FastImportWriter } from '../../git/fast-import.js';
import { readFirstParentLog, type LogCommit } from '../../git/log-reader.js';
import { hasErrors, type Finding } from '../../report/result.js';
import { checkLfsPointers } from '../content-checks.js';
import {
  DEFAULT_COMMITTER,
  type BuildOutcome,
  type ExportBuildContext,
  type ProjectedTree,
  type TargetTree,
} from '../types.js';
import { loadAuthorMap, type AuthorMap } from './author-map.js';
import { resolveBase, type ReplayBase } from './base.js';
import { compileScrubber, type MessageScrubber } from './scrub.js';
import { DEFAULT_SCRUB_TEMPLATE, HISTORY_REF, type HistoryOptions } from './settings.js';
import { ReplayState } from './state.js';

/** Commit pairs listed in the result details; beyond this only the counts are given. */
const MAX_LISTED_COMMITS = 200;

/**
 * History mode (issue 4): replay every first-parent source commit since the last exported one
 * onto the target tip, one target commit per source commit that changes something selected.
 *
 *  1. The base is the newest `Ferry-Origin-Rev:` trailer on the target (see base.ts for the first run).
 *  2. When the target tip differs from the snapshot of the base under the current configuration
 *     (allowlist, map or preserve changed, or a first run), a reconciliation commit comes first.
 *  3. One streaming `git log --raw` over base..source feeds a ReplayState; every commit's change
 *     set passes the gates (a finding stops everything, nothing is pushed) and goes into one
 *     `git fast-import` stream that references the source blobs by id.
 *
 * Deterministic: committer identity fixed, committer date = the source commit's, so the same
 * range on the same target tip gives the same commit ids. Repeatable: the push loop calls it
 * again on a moved tip, and it then replays only what that tip's trailer says is missing.
 */
export async function buildHistory(ctx: ExportBuildContext, tip: string | undefined): Promise<BuildOutcome> {
  const s = ctx.settings;
  const opts: HistoryOptions = s.history ?? {};
  const scrubber = compileScrubber({
    lines: opts.scrubLines,
    messages: opts.scrubMessages,
    template: opts.scrubTemplate ?? DEFAULT_SCRUB_TEMPLATE,
  });
  const authors = await loadAuthorMap({ file: opts.authorMapFile, text: opts.authorMapText });
  // The target tree and the base's source tree are read concurrently (two ls-tree processes).
  const tipTreeP = ctx.readTargetTree(tip);
  tipTreeP.catch(() => undefined);
  const base = await resolveBase(ctx, tip);
  const projectedP: Promise<ProjectedTree> = base.rev
    ? ctx.projectTree(base.rev)
    : Promise.resolve(emptyProjection());
  projectedP.catch(() => undefined);
  const tipTree = await tipTreeP;
  if (base.kind === 'ahead') {
    ctx.logger.info(base.note);
    return { commits: 0, changes: [], findings: [], details: historyDetails(base, 0, 0, false, []) };
  }
  // With force, the replay starts a new root history (pushed with a lease); preserve still reads the tip.
  const parent = s.force ? undefined : tip;
  const parentTree: TargetTree = s.force ? new Map() : tipTree;
  const findings: Finding[] = [];
  if (tip && !s.force && base.kind !== 'trailer' && (await ctx.git.isShallow()))
    // A remote target is fetched shallow: a trailer below hand-made commits is out of sight.
    findings.push({
      severity: 'warning',
      code: 'history-no-trailer',
      message: `No Ferry-Origin-Rev trailer in the fetched part of ${ctx.targetLabel}; starting as a first run (${base.note}). If an earlier export exists below hand-made commits, their replay is skipped.`,
    });

  // 1-2. The base snapshot, and a reconciliation commit when the target differs from it.
  const projected = await projectedP;
  findings.push(...projected.findings);
  const start = await ctx.overlayPreserved(projected.tree, tipTree, tip === undefined);
  const reconDiff = ctx.diffTrees(parentTree, start);
  let head = parent;
  let reconciled = false;
  if (reconDiff.changes.length) {
    const context = base.rev ? `reconciliation at source commit ${base.rev}` : 'reconciliation';
    findings.push(...(await ctx.runGates(reconDiff, projected, parentTree.size, context)));
    if (hasErrors(findings)) return stopped(reconDiff.changes, findings, base);
    head = await reconcile(ctx, start, parent, base, tip === undefined || !!s.force);
    reconciled = true;
  }

  // 3. Replay.
  const state = new ReplayState(start, projected, {
    select: ctx.select,
    mapPath: ctx.mapPath,
    submodules: s.submodules ?? 'skip',
  });
  const sizes = new SizeReader(ctx.git);
  const blobs = new BlobReader(ctx.git);
  let writer: FastImportWriter | undefined;
  const replayed: { source: string; mark: string }[] = [];
  let skipped = 0;
  const committer = s.committer ?? DEFAULT_COMMITTER;
  /** Where the replay's time goes (details.history.timings): reading, applying, gates, writing. */
  const timings = { readMs: 0, applyMs: 0, gatesMs: 0, writeMs: 0 };
  try {
    let tick = performance.now();
    const lap = (k: keyof typeof timings): void => {
      const now = performance.now();
      timings[k] += now - tick;
      tick = now;
    };
    for await (const c of readFirstParentLog(ctx.sourceGit, { from: base.rev, to: ctx.sourceCommit })) {
      lap('readMs');
      const known = await sizes.sizes(state.selectedBlobs(c.changes));
      const step = state.apply(c.changes, known);
      lap('applyMs');
      if (!step.ops.length) {
        skipped++;
        findings.push(...step.findings.filter((f) => f.severity !== 'warning' || !seen(findings, f)));
        continue;
      }
      const context = `source commit ${c.sha}`;
      const stepFindings = [...step.findings];
      stepFindings.push(
        ...(await ctx.runGates(step.diff, gateView(state), step.targetFileCountBefore, context)),
      );
      stepFindings.push(...(await lfsFindings(ctx, step.diff, known, blobs)));
      if (step.needsSymlinkCheck)
        stepFindings.push(...(await state.symlinks.check((oid) => blobs.read(oid))));
      for (const f of stepFindings) if (!seen(findings, f)) findings.push(nameCommit(f, c.sha));
      if (hasErrors(findings)) {
        await writer?.abort();
        writer = undefined;
        return stopped(step.diff.changes, findings, base);
      }
      writer ??= await FastImportWriter.open(ctx.git, HISTORY_REF);
      lap('gatesMs');
      const mark = await writer.commit({
        author: { ...authors.map({ name: c.authorName, email: c.authorEmail }), date: c.authorDate },
        committer: { name: committer.name, email: committer.email, date: c.committerDate },
        message: ctx.withTrailer(replayMessage(c, scrubber, authors, ctx), c.sha),
        from: replayed.length === 0 ? head : undefined,
        ops: step.ops,
      });
      replayed.push({ source: c.sha, mark });
      lap('writeMs');
    }
    const marks = writer ? await writer.finish() : new Map<string, string>();
    lap('writeMs');
    writer = undefined;
    const commits = replayed.map((r) => ({ source: r.source, target: marks.get(r.mark) ?? '' }));
    const last = commits[commits.length - 1]?.target;
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
      details: historyDetails(base, replayed.length, skipped, reconciled, commits, timings),
    };
  } catch (e) {
    await writer?.abort();
    throw e;
  } finally {
    await sizes.close();
    await blobs.close();
  }
}

/** The reconciliation (or first-run snapshot) commit: the base's snapshot tree on the tip. */
async function reconcile(
  ctx: ExportBuildContext,
  tree: TargetTree,
  parent: string | undefined,
  base: ReplayBase,
  firstRun: boolean,
): Promise<string> {
  const treeId = await ctx.writeTree(tree);
  const committer = ctx.settings.committer ?? DEFAULT_COMMITTER;
  if (!base.rev) {
    // Replaying from the root onto a target that has other files: clear it first.
    return ctx.commit({
      tree: treeId,
      parents: parent ? [parent] : [],
      message: 'Prepare the target for a history export from the root\n',
      committer: { ...committer, date: '@0 +0000' },
      author: { ...committer, date: '@0 +0000' },
    });
  }
  const src = await ctx.readSourceCommit(base.rev);
  // Deterministic: dated like the base commit, so racing runs make the same reconciliation.
  const date = base.committerDate;
  const message = firstRun
    ? ctx.formatMessage(src)
    : ctx.withTrailer(
        `Reconcile with the current export configuration at ${base.rev.slice(0, 7)}\n\n` +
          `The allowlist, map or preserve rules changed since the last export (or the target was edited):\n` +
          `this commit brings the target to the current selection of ${base.rev}.\n` +
          `The replayed commits that follow continue from there.`,
        base.rev,
      );
  return ctx.commit({
    tree: treeId,
    parents: parent ? [parent] : [],
    message,
    committer: { ...committer, date },
    author: { ...(ctx.settings.author ?? committer), date },
  });
}

function replayMessage(
  c: LogCommit,
  scrubber: MessageScrubber,
  authors: AuthorMap,
  ctx: ExportBuildContext,
): string {
  const vars = {
    ...(ctx.settings.vars ?? {}),
    sha: c.sha,
    short_sha: c.sha.slice(0, 7),
    source_repo: ctx.settings.sourceRepo ?? '',
  };
  return authors.mapMessage(scrubber.scrub(c.message, vars));
}

/**
 * The gates get the live source-path sets (for the import closure) but an empty tree: the
 * context's symlink check walks the whole tree, which per replayed commit would be quadratic.
 * The replay keeps that check incrementally instead (state.symlinks, see symlinks.ts).
 */
function gateView(state: ReplayState): ProjectedTree {
  return {
    tree: new Map(),
    exportedSourcePaths: state.exportedSourcePaths,
    sourcePaths: state.sourcePaths,
    findings: [],
  };
}

/** LFS pointers among the added/changed blobs, with the sizes the replay already has. */
async function lfsFindings(
  ctx: ExportBuildContext,
  diff: {
    gateChanges: readonly {
      change: string;
      oid?: string;
      mode?: string;
      targetPath: string;
      sourcePath: string;
    }[];
  },
  sizes: ReadonlyMap<string, number>,
  blobs: BlobReader,
): Promise<Finding[]> {
  const changed = diff.gateChanges
    .filter((c) => c.change !== 'deleted' && c.oid && c.mode !== '160000' && c.mode !== '120000')
    .map((c) => ({
      path: c.targetPath,
      sourcePath: c.sourcePath,
      oid: c.oid!,
      size: sizes.get(c.oid!) ?? -1,
    }));
  return checkLfsPointers(changed, ctx.settings.lfs ?? 'warn', (oid) => blobs.read(oid));
}

function seen(list: readonly Finding[], f: Finding): boolean {
  return list.some(
    (g) => g.code === f.code && g.file === f.file && g.severity === f.severity && g.severity !== 'error',
  );
}

/** Findings name the source commit they came from (gates may already do it through `context`). */
function nameCommit(f: Finding, sha: string): Finding {
  if (f.message.includes(sha) || f.message.includes(sha.slice(0, 7))) return f;
  return { ...f, message: `${f.message} (source commit ${sha.slice(0, 12)})` };
}

function stopped(changes: BuildOutcome['changes'], findings: Finding[], base: ReplayBase): BuildOutcome {
  return { commits: 0, changes, findings, details: historyDetails(base, 0, 0, false, []) };
}

function emptyProjection(): ProjectedTree {
  return { tree: new Map(), exportedSourcePaths: new Set(), sourcePaths: new Set(), findings: [] };
}

function historyDetails(
  base: ReplayBase,
  replayed: number,
  skipped: number,
  reconciled: boolean,
  commits: { source: string; target: string }[],
  timings?: Record<string, number>,
): Record<string, unknown> {
  return {
    history: {
      base: base.rev ?? null,
      baseFrom: base.kind,
      replayed,
      skipped,
      reconciliation: reconciled,
      commits: commits.slice(-MAX_LISTED_COMMITS),
      commitsTruncated: commits.length > MAX_LISTED_COMMITS,
      ...(timings
        ? { timings: Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v)])) }
        : {}),
    },
  };
}
