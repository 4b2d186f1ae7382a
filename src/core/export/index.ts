import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAllowlistStrict } from '../allowlist/parse.js';
import { ConfigurationError } from '../errors.js';
import { BlobReader } from '../git/cat-file.js';
import { createGitAuth } from '../git/git-auth-helper.js';
import { GitCommandManager } from '../git/git-command-manager.js';
import { isLocalRemote, remoteLabel, resolveRemote } from '../git/remote.js';
import { createScratchRepo, objectsDir } from '../git/scratch-repo.js';
import { DEFAULT_MAX_RETRIES, rebuildAndPush, throwIfRefused } from '../git/rebuild-and-push.js';
import { fetchRefs, lsRemote, pushRefs, workflowPermissionError, type PushResult } from '../git/transport.js';
import type { Logger } from '../logger.js';
import type { LandedDetails } from '../report/details.js';
import { hasErrors, newResult, summarizeChanges, type ResultOf } from '../report/result.js';
import { createBuildContext } from './context.js';
import { resolveSafetySettings } from './gates.js';
import { buildHistory } from './history/replay.js';
import { ROLLBACK_SKIPPED } from './rollback.js';
import { buildSnapshot } from './snapshot.js';
import { validateBranch } from './validate.js';
import type { BuildFn, BuildOutcome, ExportBuildContext, ExportMode, ExportSettings } from './types.js';
import { settingName } from '../settings/surface.js';
import { closeImports, closeLoop, mergedPullRequestImports } from './close-loop.js';
import type { ExportPullRequestApiFactory } from './pull-request-api.js';
import { exportPullRequest, pullRequestMessage } from './pull-request-run.js';
import type { PrPlan, PullRequestTarget } from './pull-request.js';

export * from './types.js';

/** An export's result: `export`, or `custom` for one package of sync-to-custom. */
export type ExportResult = ResultOf<'export' | 'custom'>;

/** What the adapters give the engine besides settings: the GitHub API (core has no client). */
export interface ExportServices {
  /** Pull requests of a repository: export as a pull request, and closing imported ones. */
  pullRequests?: ExportPullRequestApiFactory;
}

/**
 * The one library entry point of the export engine (actions, CLI and the runner call it).
 * Returns a TargetResult; `success: false` when a gate or policy stopped the export (nothing was
 * pushed). Throws ConfigurationError (a user mistake: bad allowlist, unknown target, auth) before
 * anything is pushed, and internal errors as they are.
 */
export async function runExport(
  settings: ExportSettings,
  logger: Logger,
  services: ExportServices = {},
): Promise<ExportResult> {
  const t0 = performance.now();
  const s = settings;
  const dryRun = !!s.dryRun;
  validateBranch(s.branch);
  const url = resolveRemote(s.target, s.auth?.serverUrl);
  const label = s.label ?? remoteLabel(url);
  const result = newResult(label, s.kind ?? 'export', dryRun);
  result.direction = 'push';
  const rules = s.rules ?? (s.allowlistFile ? await loadAllowlistStrict(s.allowlistFile) : undefined);
  if (!rules)
    throw new ConfigurationError(
      `No allowlist given. Name an allowlist file with ${settingName('allowlist')}.`,
    );
  const safety = resolveSafetySettings(s.safety);
  const auth = await createGitAuth(s.auth ?? {});
  try {
    const base = new GitCommandManager(path.resolve(s.source), { env: auth.env, logger });
    await base.assertMinimumVersion();
    const localTarget = isLocalRemote(url) ? localPath(url) : undefined;
    const { commit: sourceCommit, objects } = await resolveSource(base, s.rev ?? 'HEAD', logger);
    const alternates = [objects];
    if (localTarget) alternates.push(await objectsDir(base.with({ cwd: localTarget })));
    const scratch = await createScratchRepo(base, { alternates, parent: s.workDir, name: 'export' });
    const blobs = new BlobReader(scratch.git);
    const stats = { gatesMs: 0 };
    try {
      const target = exportTarget(scratch.git, blobs, url, s.branch, !!s.force, logger);
      const pr = s.pullRequest ? exportPullRequest(s, url, scratch.git, services, logger) : undefined;
      const ctx = await createBuildContext({
        settings: s,
        logger,
        scratch: scratch.git,
        scratchDir: scratch.dir,
        sourceGit: base,
        sourceCommit,
        targetLabel: label,
        rules,
        safety,
        sourceRepo: s.sourceRepo ?? path.basename(path.resolve(s.source)),
        blobs,
        stats,
        deepenTarget: localTarget ? undefined : target.deepen,
      });
      const prepareMs = performance.now() - t0;
      // No eager ls-tree of the source here: a re-export on a Ferry tip takes the incremental path
      // (./incremental.ts), which never lists the source tree.
      const build = buildFor(s.mode ?? 'snapshot');
      const loop = await rebuildAndPush({
        label,
        build: () => buildOnTip(ctx, build, target, pr),
        push: (updates, built) =>
          built.pr ? pr!.push(updates[0].from, built.pr) : target.push(updates[0].from, built.baseTip),
        workflowError: () => workflowPermissionError(url),
        dryRun,
        maxRetries: s.maxRetries ?? DEFAULT_MAX_RETRIES,
        logger,
      });
      throwIfRefused(loop);
      const { outcome, baseTip } = loop.value;
      const pushed = loop.pushed.length > 0;
      const toPr = pr && loop.value.pr;
      const failed = hasErrors(outcome.findings);
      result.success = !failed;
      result.changed = !failed && !!outcome.tip && (pushed || dryRun) && toPr?.action.kind !== 'vetoed';
      if (outcome.tip && !failed) result.commit = outcome.tip;
      result.changes = outcome.changes;
      result.findings = outcome.findings;
      result.counts = { ...summarizeChanges(outcome.changes), commits: failed ? 0 : outcome.commits };
      result.message = failed
        ? `Export stopped: ${outcome.findings.filter((f) => f.severity === 'error').length} error(s); nothing was pushed.`
        : !outcome.tip
          ? (outcome.findings.find((f) => f.code === ROLLBACK_SKIPPED)?.message ??
            `Up to date: ${label} ${s.branch} already matches ${sourceCommit.slice(0, 7)}.`)
          : dryRun
            ? `Dry run: would push ${outcome.commits} commit(s) to ${label} ${s.branch} (${outcome.changes.length} path(s) changed).`
            : `Pushed ${outcome.commits} commit(s) to ${label} ${s.branch} (${outcome.changes.length} path(s) changed).`;
      result.details = {
        mode: s.mode ?? 'snapshot',
        source: path.resolve(s.source),
        sourceRev: sourceCommit,
        branch: s.branch,
        baseTip: baseTip ?? null,
        pushed,
        attempts: loop.attempts,
        timings: {
          prepareMs: Math.round(prepareMs),
          buildMs: Math.round(loop.buildMs - stats.gatesMs),
          gatesMs: Math.round(stats.gatesMs),
          pushMs: Math.round(loop.pushMs),
        },
        ...(outcome.details ?? {}),
      };
      if (toPr) {
        await pullRequestMessage(result, pr!, toPr, outcome, sourceCommit, s);
        const merged = landedPullRequest(toPr);
        if (merged && baseTip && services.pullRequests && !failed)
          reportLanded(
            result,
            await closeImports(
              await mergedPullRequestImports(ctx, merged, baseTip),
              services.pullRequests,
              logger,
              dryRun,
            ),
          );
      } else if (pushed && services.pullRequests && !failed)
        reportLanded(result, await closeLoop(ctx, services.pullRequests, outcome, baseTip, logger, dryRun));
      return result;
    } finally {
      await blobs.close();
      await scratch.dispose();
    }
  } finally {
    await auth.cleanup();
    result.durationMs = Math.round(performance.now() - t0);
  }
}

/** Imported pull requests the export published: in the details; a failed close is a warning. */
function reportLanded(result: ExportResult, landed: LandedDetails[] | undefined): void {
  if (!landed || !result.details) return;
  result.details.landed = landed;
  for (const l of landed)
    if (l.operation === 'failed')
      result.findings.push({
        severity: 'warning',
        code: 'pull-request-not-closed',
        message: l.message ?? l.pullRequest,
      });
}

/**
 * The rolling pull request was merged since the last run (it is the newest closed one, merged, and
 * no newer one is open): this run is the first to see its export on the target branch, which is
 * when Ferry deletes the spent branch (or finds it deleted by GitHub). Its imports have landed.
 */
function landedPullRequest(plan: PrPlan): { body: string } | undefined {
  const { lastClosed, open, branchTip } = plan.state;
  if (!lastClosed?.merged || open) return undefined;
  return plan.action.kind === 'delete-branch' || !branchTip ? lastClosed : undefined;
}

/** The build function for a mode. */
function buildFor(mode: ExportMode): BuildFn {
  if (mode === 'snapshot') return buildSnapshot;
  if (mode === 'history') return buildHistory;
  throw new ConfigurationError(`Invalid mode '${String(mode)}'. Expected snapshot or history.`);
}

function localPath(url: string): string {
  const p = url.startsWith('file://') ? fileURLToPath(url) : url;
  if (!existsSync(p))
    throw new ConfigurationError(`Target ${p} does not exist. Create it first (git init --bare ${p}).`);
  return p;
}

/**
 * The source commit and the source's object directory, in one git process when the commit is
 * there; a shallow checkout that lacks it fetches just that commit (depth 1).
 */
async function resolveSource(
  git: GitCommandManager,
  rev: string,
  logger: Logger,
): Promise<{ commit: string; objects: string }> {
  const r = await git.execRaw(
    ['rev-parse', '--git-path', 'objects', '--verify', '-q', '--end-of-options', `${rev}^{commit}`],
    {
      allowedExitCodes: [1, 128],
    },
  );
  const [objects, sha] = r.stdout.toString('utf8').split('\n');
  if (r.exitCode === 0 && sha) return { commit: sha, objects: path.resolve(git.cwd, objects) };
  if (r.exitCode === 128)
    throw new ConfigurationError(
      `Source ${git.cwd} is not a git repository. Check out the source repository first.`,
    );
  if (await git.isShallow()) {
    logger.info(`Fetching ${rev} into the shallow source checkout.`);
    // A sha is fetched as it is; a name lands on a Ferry-owned ref (no FETCH_HEAD is written).
    const isSha = /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(rev);
    await fetchRefs(git, 'origin', [isSha ? rev : `+${rev}:refs/ferry/source`], { depth: 1, logger });
    const fetched = await git.tryRevParse(isSha ? rev : 'refs/ferry/source');
    if (fetched) return { commit: fetched, objects: path.resolve(git.cwd, objects) };
  }
  throw new ConfigurationError(`Source revision '${rev}' was not found in ${git.cwd}.`);
}

/**
 * One build on the target's current tip; a build with error findings or no change pushes nothing.
 * As a pull request, the build is the same (the incremental paths read the target branch, never
 * the pull request branch) and the plan decides whether it goes to the pull request branch.
 */
async function buildOnTip(
  ctx: ExportBuildContext,
  build: BuildFn,
  target: ExportTarget,
  pr?: PullRequestTarget,
) {
  const baseTip = await target.fetchTip();
  const outcome: BuildOutcome = await build(ctx, baseTip);
  if (pr) {
    const plan: PrPlan = await pr.plan(outcome, baseTip);
    const updates = plan.action.kind === 'push' ? [{ ref: pr.ref, from: plan.action.commit }] : [];
    return { value: { outcome, baseTip, pr: plan }, updates };
  }
  const updates = hasErrors(outcome.findings) || !outcome.tip ? [] : [{ ref: target.ref, from: outcome.tip }];
  return { value: { outcome, baseTip, pr: undefined as PrPlan | undefined }, updates };
}

/** The target branch as the scratch repository sees it. */
interface ExportTarget {
  ref: string;
  /** Fetch the branch into the scratch repo; its tip, or undefined when it does not exist. */
  fetchTip(): Promise<string | undefined>;
  /** Push `commit` to the branch; `seenTip` is the tip it was built on (the lease for force). */
  push(commit: string, seenTip: string | undefined): Promise<PushResult>;
  /** Fetch `by` more commits of the branch's history (it is fetched shallow). */
  deepen(by: number): Promise<void>;
}

function exportTarget(
  git: GitCommandManager,
  objects: BlobReader,
  url: string,
  branch: string,
  force: boolean,
  logger: Logger,
): ExportTarget {
  const ref = `refs/heads/${branch}`;
  return {
    ref,
    async fetchTip() {
      const tip = (await lsRemote(git, url, [ref], { logger })).get(ref);
      if (!tip) return undefined;
      // A local target is visible through alternates; a remote one is fetched at depth 1. Asked of
      // the run's cat-file reader (no process of its own; it finds a pack fetched later too).
      if (await objects.read(`${tip}^{commit}`)) return tip;
      await fetchRefs(git, url, [`+${ref}:refs/ferry/target`], { depth: 1, logger });
      return git.revParse('refs/ferry/target');
    },
    push: (commit, seenTip) =>
      pushRefs(git, url, [`${commit}:${ref}`], {
        logger,
        force,
        expect: force ? new Map([[ref, seenTip ?? '']]) : undefined,
        // A new branch gets everything: blobs reused from the source's packs (their deltas
        // included) and trees written by fast-import (deltified against their previous versions
        // already). git's delta search over the rest finds next to nothing there (docs/export.md
        // has the figures). Later pushes keep it: their deltas against the target's objects are
        // what makes them small.
        deltaSearch: seenTip !== undefined,
      }),
    // History mode looks for the last Ferry-Origin-Rev trailer below hand-made commits.
    deepen: (by) => fetchRefs(git, url, [`+${ref}:refs/ferry/target`], { deepen: by, logger }),
  };
}
