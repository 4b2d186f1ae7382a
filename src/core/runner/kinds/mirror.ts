import { runMirror } from '../../mirror/mirror.js';
import { mirrorSettings } from '../../mirror/settings.js';
import type { DivergenceIssueSink } from '../../mirror/types.js';
import { combineResults, remoteSpec, tokenFor } from './combine.js';
import type { KindAdapter } from './types.js';

/** ferry.yml keys of a mirror target that are not the action input in snake_case. */
export const MIRROR_KEYS = {
  'repo-a': 'a',
  'repo-b': 'b',
  'token-a': 'a_token_env',
  'token-b': 'b_token_env',
  'issue-labels': 'labels',
} as const;

/**
 * The `mirror` kind: the bilateral mirror engine. `on_divergence: issue` (the default) opens,
 * comments on and closes the divergence issue through the run's issue sink (see KindContext);
 * without one (no API token), a divergence fails the target and no issue is opened.
 */
export const runMirrorTarget: KindAdapter<'mirror'> = async (ctx) => {
  const o = ctx.target.options;
  const onDivergence = o.on_divergence ?? 'issue';
  const settings = mirrorSettings({
    repoA: remoteSpec(ctx, o.a),
    repoB: remoteSpec(ctx, o.b),
    tokenA: tokenFor(ctx, o.a_token_env),
    tokenB: tokenFor(ctx, o.b_token_env),
    branches: o.branches ?? ['main'],
    tags: o.tags,
    onDivergence,
    dryRun: ctx.dryRun,
    serverUrl: ctx.env.GITHUB_SERVER_URL,
  });
  let issues: DivergenceIssueSink | undefined;
  if (onDivergence === 'issue' && !ctx.dryRun) {
    const repository = o.issue_repo || ctx.env.GITHUB_REPOSITORY;
    const labels = o.labels ?? [];
    if (repository && ctx.divergenceIssues)
      issues = ctx.divergenceIssues(repository, labels.length ? labels : ['sync-failure', 'urgent']);
    else
      ctx.logger.info(
        `${ctx.target.name}: no ${repository ? 'API token' : 'issue_repo (or GITHUB_REPOSITORY)'}: a divergence fails without opening an issue.`,
      );
  }
  return combineResults(ctx, await runMirror(settings, ctx.logger, issues));
};
