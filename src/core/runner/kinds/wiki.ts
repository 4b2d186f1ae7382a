import * as path from 'node:path';
import { runWikiSync } from '../../wiki/index.js';
import { resolveWikiSettings } from '../../wiki/settings.js';
import { combineResults, remoteSpec, tokenFor } from './combine.js';
import type { KindAdapter } from './types.js';

/** The `wiki` kind: the wiki sync engine (push, or bidirectional). */
export const runWikiTarget: KindAdapter = async (ctx) => {
  const o = ctx.target.options as Record<string, unknown>;
  const s = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
  const token = tokenFor(ctx);
  const key = (k: string) => `targets.${ctx.target.name}.${k}`;
  const settings = await resolveWikiSettings(
    {
      source: path.join(ctx.root, s('source') ?? 'wiki'),
      privateWiki: s('private_wiki') && remoteSpec(ctx, s('private_wiki')!),
      publicWiki: s('public_wiki') && remoteSpec(ctx, s('public_wiki')!),
      privateToken: token,
      publicToken: token,
      publicAllowlist: s('public_allowlist') && path.join(ctx.root, s('public_allowlist')!),
      home: s('home'),
      direction: ctx.target.direction === 'bidirectional' ? 'bidirectional' : 'push',
      unpublishedLinks: s('private_links'),
      dryRun: ctx.dryRun,
      commitMessage: s('commit_message'),
      serverUrl: ctx.env.GITHUB_SERVER_URL,
    },
    {
      source: key('source'),
      rev: key('rev'),
      privateWiki: key('private_wiki'),
      publicWiki: key('public_wiki'),
      privateToken: key('token_env'),
      publicToken: key('token_env'),
      publicAllowlist: key('public_allowlist'),
      home: key('home'),
      direction: key('direction'),
      unpublishedLinks: key('private_links'),
      dryRun: 'dry_run',
      syncBackBranch: key('sync_back_branch'),
      commitMessage: key('commit_message'),
      wikiBranch: key('wiki_branch'),
      serverUrl: 'GITHUB_SERVER_URL',
    },
  );
  return combineResults(ctx, await runWikiSync(settings, ctx.logger));
};
