import * as path from 'node:path';
import { toJsonReport, toMarkdown, toText } from '../../core/report/render.js';
import { pagesTable, resolveWikiSettings, runWikiSync, type RawWikiSettings } from '../../core/wiki/index.js';
import { annotationLines } from '../annotations.js';
import {
  COMMON_OPTIONS,
  EXIT_FAILED,
  EXIT_OK,
  flag,
  list,
  requireStr,
  str,
  type Command,
} from '../command.js';

const FLAG_NAMES: Record<keyof RawWikiSettings, string> = {
  source: '--source',
  rev: '--rev',
  privateWiki: '--private-wiki',
  publicWiki: '--public-wiki',
  privateToken: 'FERRY_PRIVATE_WIKI_TOKEN',
  publicToken: 'FERRY_PUBLIC_WIKI_TOKEN',
  publicAllowlist: '--public-allowlist',
  home: '--home',
  direction: '--direction',
  unpublishedLinks: '--unpublished-links',
  dryRun: '--dry-run',
  syncBackBranch: '--sync-back-branch',
  commitMessage: '--commit-message',
  wikiBranch: '--wiki-branch',
  serverUrl: 'GITHUB_SERVER_URL',
};

/**
 * `ferry wiki`: the sync-wikis action from a terminal. Tokens come from the environment only
 * (FERRY_WIKI_TOKEN, or FERRY_PRIVATE_WIKI_TOKEN / FERRY_PUBLIC_WIKI_TOKEN), never argv.
 * --json prints Ferry's JSON report (command `wiki`).
 */
export const wikiCommand: Command = {
  name: 'wiki',
  summary: 'Sync a wiki folder to the private wiki (all pages) and the public wiki (allowlisted pages)',
  usage:
    'ferry wiki --source DIR [--private-wiki REPO] [--public-wiki REPO] [--public-allowlist FILE] [--direction push|bidirectional] [--unpublished-links fail|text] [--home FILE] [--rev REV] [--sync-back-branch NAME] [--wiki-branch NAME] [--commit-message TEXT] [--forbidden-path GLOB]... [--allowed-secret-fingerprint FP]... [--secret-scan-exclude GLOB]... [--secret-baseline FILE] [--dry-run] [--json]',
  options: {
    ...COMMON_OPTIONS,
    source: { type: 'string' },
    rev: { type: 'string' },
    'private-wiki': { type: 'string' },
    'public-wiki': { type: 'string' },
    'public-allowlist': { type: 'string' },
    home: { type: 'string' },
    direction: { type: 'string' },
    'unpublished-links': { type: 'string' },
    'dry-run': { type: 'boolean' },
    'sync-back-branch': { type: 'string' },
    'commit-message': { type: 'string' },
    'wiki-branch': { type: 'string' },
    'forbidden-path': { type: 'string', multiple: true },
    'allowed-secret-fingerprint': { type: 'string', multiple: true },
    'secret-scan-exclude': { type: 'string', multiple: true },
    'secret-baseline': { type: 'string' },
  },
  async run(args, ctx) {
    const env = process.env;
    const token = env.FERRY_WIKI_TOKEN || env.GITHUB_TOKEN || undefined;
    const settings = await resolveWikiSettings(
      {
        source: requireStr(args, 'source', this),
        rev: str(args, 'rev'),
        privateWiki: str(args, 'private-wiki'),
        publicWiki: str(args, 'public-wiki'),
        privateToken: env.FERRY_PRIVATE_WIKI_TOKEN || token,
        publicToken: env.FERRY_PUBLIC_WIKI_TOKEN || token,
        publicAllowlist: str(args, 'public-allowlist'),
        home: str(args, 'home'),
        direction: str(args, 'direction'),
        unpublishedLinks: str(args, 'unpublished-links'),
        dryRun: flag(args, 'dry-run'),
        syncBackBranch: str(args, 'sync-back-branch'),
        commitMessage: str(args, 'commit-message'),
        wikiBranch: str(args, 'wiki-branch'),
        serverUrl: env.GITHUB_SERVER_URL || undefined,
      },
      FLAG_NAMES,
    );
    // The public wiki's leak gates (secret scan, forbidden paths), with the export's options.
    const baseline = str(args, 'secret-baseline');
    settings.safety = {
      forbiddenPaths: list(args, 'forbidden-path'),
      allowedSecretFingerprints: list(args, 'allowed-secret-fingerprint'),
      secretScanExclude: list(args, 'secret-scan-exclude'),
      secretBaseline: baseline ? path.resolve(ctx.cwd, baseline) : undefined,
    };
    const results = await runWikiSync(settings, ctx.logger);
    if (flag(args, 'json'))
      ctx.out(JSON.stringify(toJsonReport('wiki', results, { dryRun: settings.dryRun }), null, 2) + '\n');
    else if (flag(args, 'verbose')) ctx.out(toMarkdown('ferry wiki', results) + '\n' + pagesTable(results));
    else ctx.out(toText(results));
    if (ctx.ci && !flag(args, 'json'))
      for (const l of annotationLines(results.flatMap((r) => r.findings))) process.stdout.write(l + '\n');
    return results.every((r) => r.success) ? EXIT_OK : EXIT_FAILED;
  },
};
