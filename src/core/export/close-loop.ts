/**
 * Closing the loop on imported pull requests. A change imported from a public pull request
 * carries `Ferry-Import: owner/repo#N` and `Ferry-Import-Head: <sha>` (core/import). When an
 * export publishes it, the public pull request has done its job: Ferry comments once (a hidden
 * marker makes it idempotent) that it landed as <public sha>, labels it and closes it. If the pull
 * request moved after the import (its head is not the imported one), Ferry says so and leaves it
 * open. An API failure here is reported, never an export failure: the export is already public.
 */
import { errorMessage } from '../errors.js';
import { findTrailerCommit, lastTrailer, trailerValues } from '../git/trailers.js';
import type { Logger } from '../logger.js';
import type { LandedDetails } from '../report/details.js';
import type { ExportPullRequestApiFactory } from './pull-request-api.js';
import type { BuildOutcome, ExportBuildContext } from './types.js';

export const LANDED_LABEL = 'ferry-landed';

export interface Landed {
  repository: string;
  number: number;
  head?: string;
  /** The public commit that published it. */
  commit: string;
}

/**
 * The imports an export published: the trailers of the commits it pushed (history mode copies
 * them), and in snapshot mode those of the source commits since the previous export (its one
 * commit's message names only the newest).
 */
export async function publishedImports(
  ctx: ExportBuildContext,
  outcome: BuildOutcome,
  baseTip: string | undefined,
): Promise<Landed[]> {
  if (!outcome.tip) return [];
  const found = new Map<string, Landed>();
  const range = baseTip ? [`${baseTip}..${outcome.tip}`] : [outcome.tip];
  collect(found, await ctx.git.exec(['log', FORMAT, IMPORT_GREP, ...range, '--']), (sha) => sha);
  if ((ctx.settings.mode ?? 'snapshot') === 'snapshot') {
    const prev = await ctx.lastExportedRev(baseTip);
    collect(found, await sourceLog(ctx, prev, ctx.sourceCommit), () => outcome.tip!);
  }
  return [...found.values()];
}

/**
 * The imports a merged export pull request published, found by the next run: the source commits
 * from the export before it on the target branch up to the `Ferry-Origin-Rev` its body carries
 * (Ferry wrote it there, so it survives a squash merge), landed as the target branch's commit
 * that carries that trailer (the squash commit, or the export commit a merge brought in).
 */
export async function mergedPullRequestImports(
  ctx: ExportBuildContext,
  merged: { body: string },
  baseTip: string,
): Promise<Landed[]> {
  const rev = lastTrailer(merged.body, 'originRev');
  if (!rev) return [];
  const git = ctx.git;
  const holder = await git
    .exec(['log', '-1', '--format=%H', '-F', `--grep=Ferry-Origin-Rev: ${rev}`, baseTip, '--'])
    .catch(() => '');
  const landed = holder || baseTip;
  // The export before it: where the published range starts (unknown in a shallow history).
  const before = await findTrailerCommit(git, `${landed}^`, 'originRev').catch(() => undefined);
  const found = new Map<string, Landed>();
  collect(found, await sourceLog(ctx, before?.value, rev), () => landed);
  return [...found.values()];
}

const FORMAT = '--format=%x1e%H%x00%B';
const IMPORT_GREP = '--grep=^Ferry-Import: ';

/** The Ferry-Import trailers of the messages in a `git log` (FORMAT), each landed as `commitOf(sha)`. */
function collect(found: Map<string, Landed>, log: string, commitOf: (sha: string) => string): void {
  for (const rec of log.split('\x1e')) {
    const nul = rec.indexOf('\0');
    if (nul < 0) continue;
    const sha = rec.slice(0, nul).trim();
    const msg = rec.slice(nul + 1);
    const heads = trailerValues(msg, 'importHead');
    trailerValues(msg, 'import').forEach((ref, i) => {
      const m = /^(.+)#(\d+)$/.exec(ref)!;
      if (!found.has(ref))
        found.set(ref, { repository: m[1], number: Number(m[2]), head: heads[i], commit: commitOf(sha) });
    });
  }
}

/** The source commits an export of `rev` published after an export of `prev`, as a log (FORMAT). */
async function sourceLog(ctx: ExportBuildContext, prev: string | undefined, rev: string): Promise<string> {
  const known = prev && (await ctx.git.tryExec(['cat-file', '-e', `${prev}^{commit}`]));
  // No previous export: everything up to the source commit is published now.
  const src = known ? [`${prev}..${rev}`] : prev ? ['-1', rev] : [rev];
  // A shallow source may lack the range: then only the exported commit's own message counts.
  return ctx.git.exec(['log', FORMAT, IMPORT_GREP, ...src, '--']).catch(() => '');
}

export async function closeLoop(
  ctx: ExportBuildContext,
  api: ExportPullRequestApiFactory,
  outcome: BuildOutcome,
  baseTip: string | undefined,
  logger: Logger,
  dryRun: boolean,
): Promise<LandedDetails[] | undefined> {
  return closeImports(await publishedImports(ctx, outcome, baseTip), api, logger, dryRun);
}

/** Comment, label and close each landed import's pull request (idempotent: hidden markers). */
export async function closeImports(
  imports: readonly Landed[],
  api: ExportPullRequestApiFactory,
  logger: Logger,
  dryRun: boolean,
): Promise<LandedDetails[] | undefined> {
  if (!imports.length) return undefined;
  const out: LandedDetails[] = [];
  for (const imp of imports) {
    const ref = `${imp.repository}#${imp.number}`;
    try {
      out.push({ pullRequest: ref, commit: imp.commit, ...(await closeOne(api, imp, ref, dryRun)) });
    } catch (e) {
      const message = `Could not close ${ref} after it landed as ${imp.commit.slice(0, 7)}: ${errorMessage(e)}`;
      logger.warning(message);
      out.push({ pullRequest: ref, commit: imp.commit, operation: 'failed', message });
    }
  }
  return out;
}

async function closeOne(
  factory: ExportPullRequestApiFactory,
  imp: Landed,
  ref: string,
  dryRun: boolean,
): Promise<Pick<LandedDetails, 'operation' | 'message'>> {
  const api = factory(imp.repository);
  const pr = await api.get(imp.number);
  if (pr.state === 'closed') return { operation: 'done', message: `${ref} is closed already.` };
  if (imp.head && pr.headSha !== imp.head) {
    if (!dryRun)
      await api.commentOnce(
        imp.number,
        `<!-- ferry:landed-moved ${ref} ${imp.head} -->`,
        `The change imported from ${imp.head} landed as ${imp.commit}. This pull request has moved since (its head is now ${pr.headSha}), so Ferry leaves it open: the newer commits still need an import.`,
      );
    return {
      operation: 'moved',
      message: `${ref} moved after the import (head ${pr.headSha.slice(0, 7)}): left open.`,
    };
  }
  if (dryRun) return { operation: 'would-close' };
  await api.commentOnce(
    imp.number,
    `<!-- ferry:landed ${ref} -->`,
    `Thank you! This change landed as ${imp.commit}.`,
  );
  await api.addLabels(imp.number, [LANDED_LABEL]);
  await api.update(imp.number, { state: 'closed' });
  return { operation: 'closed' };
}
