import * as path from 'node:path';
import { toJsonReport, toMarkdown, toText } from '../../core/report/render.js';
import { lookupToken } from '../../core/settings/token.js';
import { writeFileAtomic } from '../../core/util/fs-atomic.js';
import { pagesTable, resolveWikiSettings, runWikiSync } from '../../core/wiki/index.js';
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
import { GATE_OPTIONS } from './gate-options.js';

/**
 * `ferry wiki`: the sync-wikis action from a terminal. Tokens come from the environment only
 * (FERRY_PRIVATE_WIKI_TOKEN / FERRY_PUBLIC_WIKI_TOKEN, else FERRY_WIKI_TOKEN, FERRY_TOKEN or
 * GITHUB_TOKEN), never argv. --json prints Ferry's JSON report (command `wiki`).
 */
export const wikiCommand: Command = {
  name: 'wiki',
  summary: 'Sync a wiki folder to the private wiki (all pages) and the public wiki (allowlisted pages)',
  usage:
    'ferry wiki --source DIR [--private-wiki REPO] [--public-wiki REPO --public-allowlist FILE] [options]',
  action: 'sync-wikis',
  options: {
    ...COMMON_OPTIONS,
    source: { type: 'string', arg: 'DIR', help: 'The folder of wiki pages (committed).', input: 'source' },
    rev: { type: 'string', arg: 'REV', help: 'The revision to publish (default HEAD).', input: 'rev' },
    'private-wiki': {
      type: 'string',
      arg: 'REPO',
      help: 'The wiki that gets every page.',
      input: 'private-wiki',
    },
    'public-wiki': {
      type: 'string',
      arg: 'REPO',
      help: 'The wiki that gets the allowlisted pages.',
      input: 'public-wiki',
    },
    'public-allowlist': {
      type: 'string',
      arg: 'FILE',
      help: 'The allowlist of public pages.',
      input: 'public-allowlist',
    },
    home: {
      type: 'string',
      arg: 'FILE',
      help: 'The page that becomes Home (default README.md).',
      input: 'home',
    },
    direction: {
      type: 'string',
      arg: 'push|bidirectional',
      help: 'bidirectional brings wiki edits back on a branch (default push).',
      input: 'direction',
    },
    'unpublished-links': {
      type: 'string',
      arg: 'fail|text',
      help: 'A public page linking to a private one (default fail).',
      input: 'unpublished-links',
    },
    'dry-run': { type: 'boolean', help: 'Compute and report everything, push nothing.', input: 'dry-run' },
    'sync-back-branch': {
      type: 'string',
      arg: 'NAME',
      help: 'The branch that receives wiki edits (default ferry/wiki-sync).',
      input: 'sync-back-branch',
    },
    'commit-message': {
      type: 'string',
      arg: 'TEXT',
      help: 'Message of the wiki commits ({wiki}, {source}, {rev}, {short}).',
      input: 'commit-message',
    },
    'wiki-branch': {
      type: 'string',
      arg: 'NAME',
      help: "The wiki branch (default: the one the wiki's HEAD names).",
      input: 'wiki-branch',
    },
    // The public wiki's leak gates, as the export's.
    'forbidden-path': GATE_OPTIONS['forbidden-path'],
    'allowed-secret-fingerprint': GATE_OPTIONS['allowed-secret-fingerprint'],
    'secret-scan-exclude': GATE_OPTIONS['secret-scan-exclude'],
    'secret-baseline': GATE_OPTIONS['secret-baseline'],
    report: { type: 'string', arg: 'FILE', help: 'Write the JSON report to FILE.', input: 'report-path' },
  },
  env: {
    token: 'FERRY_WIKI_TOKEN, FERRY_TOKEN or GITHUB_TOKEN',
    'private-token': 'FERRY_PRIVATE_WIKI_TOKEN',
    'public-token': 'FERRY_PUBLIC_WIKI_TOKEN',
  },
  async run(args, ctx) {
    const env = process.env;
    const at = (p: string | undefined) => (p ? path.resolve(ctx.cwd, p) : p);
    const settings = await resolveWikiSettings({
      source: requireStr(args, 'source', this),
      rev: str(args, 'rev'),
      privateWiki: str(args, 'private-wiki'),
      publicWiki: str(args, 'public-wiki'),
      privateToken: lookupToken(env, { vars: ['FERRY_PRIVATE_WIKI_TOKEN', 'FERRY_WIKI_TOKEN'] }),
      publicToken: lookupToken(env, { vars: ['FERRY_PUBLIC_WIKI_TOKEN', 'FERRY_WIKI_TOKEN'] }),
      publicAllowlist: str(args, 'public-allowlist'),
      home: str(args, 'home'),
      direction: str(args, 'direction'),
      unpublishedLinks: str(args, 'unpublished-links'),
      dryRun: flag(args, 'dry-run'),
      syncBackBranch: str(args, 'sync-back-branch'),
      commitMessage: str(args, 'commit-message'),
      wikiBranch: str(args, 'wiki-branch'),
      serverUrl: env.GITHUB_SERVER_URL || undefined,
      forbiddenPaths: list(args, 'forbidden-path'),
      allowedSecretFingerprints: list(args, 'allowed-secret-fingerprint'),
      secretScanExclude: list(args, 'secret-scan-exclude'),
      secretBaseline: at(str(args, 'secret-baseline')),
    });
    const results = await runWikiSync(settings, ctx.logger);
    const report = toJsonReport('wiki', results, { dryRun: settings.dryRun });
    const file = str(args, 'report');
    if (file) await writeFileAtomic(path.resolve(ctx.cwd, file), JSON.stringify(report, null, 2) + '\n');
    if (flag(args, 'json')) ctx.out(JSON.stringify(report, null, 2) + '\n');
    else if (flag(args, 'verbose')) ctx.out(toMarkdown('ferry wiki', results) + '\n' + pagesTable(results));
    else ctx.out(toText(results));
    if (ctx.ci && !flag(args, 'json'))
      for (const l of annotationLines(results.flatMap((r) => r.findings))) process.stdout.write(l + '\n');
    return results.every((r) => r.success) ? EXIT_OK : EXIT_FAILED;
  },
};
