import * as path from 'node:path';
import { runWikiSync } from '../../wiki/index.js';
import { resolveWikiSettings } from '../../wiki/settings.js';
import { combineResults, remoteSpec, tokenFor } from './combine.js';
import type { KindAdapter } from './types.js';

/** ferry.yml keys of a wiki target that are not the action input in snake_case. */
export const WIKI_KEYS = {
  'unpublished-links': 'private_links',
  'forbidden-paths': 'forbidden',
  token: 'token_env',
  'private-token': 'token_env',
  'public-token': 'token_env',
} as const;

/** The `wiki` kind: the wiki sync engine (push, or bidirectional), through the actions' resolver. */
export const runWikiTarget: KindAdapter<'wiki'> = async (ctx) => {
  const o = ctx.target.options;
  const token = tokenFor(ctx, o.token_env);
  const settings = await resolveWikiSettings({
    source: path.join(ctx.root, o.source ?? 'wiki'),
    privateWiki: o.private_wiki && remoteSpec(ctx, o.private_wiki),
    publicWiki: o.public_wiki && remoteSpec(ctx, o.public_wiki),
    privateToken: token,
    publicToken: token,
    publicAllowlist: o.public_allowlist && path.join(ctx.root, o.public_allowlist),
    home: o.home,
    direction: ctx.target.direction === 'bidirectional' ? 'bidirectional' : 'push',
    unpublishedLinks: o.private_links,
    dryRun: ctx.dryRun,
    commitMessage: o.commit_message,
    serverUrl: ctx.env.GITHUB_SERVER_URL,
    forbiddenPaths: o.forbidden,
    secretScanExclude: o.secret_scan_exclude,
    secretBaseline: o.secret_baseline && path.join(ctx.root, o.secret_baseline),
  });
  return combineResults(ctx, await runWikiSync(settings, ctx.logger));
};
