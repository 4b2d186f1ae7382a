import { runMirror } from '../../mirror/mirror.js';
import { mirrorSettings } from '../../mirror/settings.js';
import type { DivergenceIssueSink } from '../../mirror/types.js';
import { combineResults, remoteSpec, tokenFor } from './combine.js';
import type { KindAdapter } from './types.js';

/**
 * The `mirror` kind: the bilateral mirror engine. `on_divergence: issue` (the default) opens,
 * comments on and closes the divergence issue through the run's issue sink (see KindContext);
 * without one (no API token), a divergence fails the target and no issue is opened.
 */
export const runMirrorTarget: KindAdapter = async (ctx) => {
  const o = ctx.target.options as Record<string, unknown>;
  const onDivergence = o.on_divergence === 'warn' || o.on_divergence === 'fail' ? o.on_divergence : 'issue';
  const settings = mirrorSettings(
    {
      repoA: remoteSpec(ctx, String(o.a)),
      repoB: remoteSpec(ctx, String(o.b)),
      tokenA: tokenFor(ctx, 'a_token_env'),
      tokenB: tokenFor(ctx, 'b_token_env'),
      branches: (o.branches as string[] | undefined) ?? ['main'],
      tags: o.tags as string | undefined,
      onDivergence,
      dryRun: ctx.dryRun,
      serverUrl: ctx.env.GITHUB_SERVER_URL,
    },
    { a: `targets.${ctx.target.name}.a`, b: `targets.${ctx.target.name}.b` },
  );
  let issues: DivergenceIssueSink | undefined;
  if (onDivergence === 'issue' && !ctx.dryRun) {
    const repository = (o.issue_repo as string | undefined) || ctx.env.GITHUB_REPOSITORY;
    const labels = (o.labels as string[] | undefined) ?? [];
    if (repository && ctx.divergenceIssues)
      issues = ctx.divergenceIssues(repository, labels.length ? labels : ['sync-failure', 'urgent']);
    else
      ctx.logger.info(
        `${ctx.target.name}: no ${repository ? 'API token' : 'issue_repo (or GITHUB_REPOSITORY)'}: a divergence fails without opening an issue.`,
      );
  }
  return combineResults(ctx, await runMirror(settings, ctx.logger, issues));
};
