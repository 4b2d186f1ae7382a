import { runMirror } from '../../mirror/mirror.js';
import { mirrorSettings } from '../../mirror/settings.js';
import { combineResults, remoteSpec, tokenFor } from './combine.js';
import type { KindAdapter } from './types.js';

/**
 * The `mirror` kind: the bilateral mirror engine. The runner has no GitHub API client, so
 * `on_divergence: issue` reports like `fail` here (use the bilateral-mirror action for issues).
 */
export const runMirrorTarget: KindAdapter = async (ctx) => {
  const o = ctx.target.options as Record<string, unknown>;
  const onDivergence = o.on_divergence === 'warn' ? 'warn' : 'fail';
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
  return combineResults(ctx, await runMirror(settings, ctx.logger));
};
