import * as path from 'node:path';
import { runImport } from '../../core/import/index.js';
import { resolveImportSettings } from '../../core/import/settings.js';
import { toJsonReport, toText } from '../../core/report/render.js';
import { lookupToken } from '../../core/settings/token.js';
import { writeFileAtomic } from '../../core/util/fs-atomic.js';
import { createPullRequestHost } from '../../github/pull-requests.js';
import { annotationLines } from '../annotations.js';
import { GATE_OPTIONS } from './gate-options.js';
import {
  COMMON_OPTIONS,
  EXIT_FAILED,
  EXIT_OK,
  flag,
  list,
  str,
  UsageError,
  type Command,
} from '../command.js';

/**
 * `ferry import-pr`: the import-pull-request action from a terminal. The token comes from
 * FERRY_TOKEN or GITHUB_TOKEN (never argv); the API from GITHUB_API_URL (GHES), git from
 * GITHUB_SERVER_URL.
 */
export const importPrCommand: Command = {
  name: 'import-pr',
  summary: 'Bring a public pull request back into the private repository (as import-pull-request)',
  usage: 'ferry import-pr --public-repo OWNER/NAME (--pull-request N | --label L) --allowlist FILE [options]',
  action: 'import-pull-request',
  options: {
    ...COMMON_OPTIONS,
    'public-repo': {
      type: 'string',
      arg: 'OWNER/NAME',
      help: 'The public repository (owner/name on GITHUB_SERVER_URL, a URL or a path).',
      input: 'public-repo',
    },
    'pull-request': { type: 'string', arg: 'N', help: 'The pull request to import.', input: 'pull-request' },
    label: {
      type: 'string',
      arg: 'L',
      help: 'Without --pull-request: the open pull requests with this label (default ferry-import).',
      input: 'label',
    },
    source: {
      type: 'string',
      arg: 'DIR',
      help: 'The private checkout (default: the current directory).',
      input: 'source',
    },
    'private-repo': {
      type: 'string',
      arg: 'REPO',
      help: 'Where the import branch goes: owner/name, a URL or a path (default: --source).',
      input: 'private-repo',
    },
    'base-branch': {
      type: 'string',
      arg: 'B',
      help: 'The private branch the change is moved onto (default main).',
      input: 'base-branch',
    },
    allowlist: { type: 'string', arg: 'FILE', help: "The export's allowlist.", input: 'allowlist' },
    map: { type: 'string', multiple: true, arg: 'FROM=TO', help: "The export's map rules.", input: 'map' },
    preserve: {
      type: 'string',
      multiple: true,
      arg: 'GLOB',
      help: "The export's preserve globs.",
      input: 'preserve',
    },
    'export-target': {
      type: 'string',
      arg: 'NAME',
      help: 'A ferry.yml export target giving the repository, allowlist, map and preserve.',
      input: 'export-target',
    },
    config: { type: 'string', arg: 'FILE', help: 'The ferry.yml (default ferry.yml).', input: 'config' },
    'no-open-pull-request': {
      type: 'boolean',
      help: 'Write the branch only; open no private pull request.',
      input: 'open-pull-request',
      inverts: true,
    },
    'dry-run': {
      type: 'boolean',
      help: 'Compute everything; write no branch, pull request or comment.',
      input: 'dry-run',
    },
    'committer-name': {
      type: 'string',
      arg: 'NAME',
      help: 'Committer of the import commit.',
      input: 'committer-name',
    },
    'committer-email': {
      type: 'string',
      arg: 'EMAIL',
      help: 'Committer email of the import commit.',
      input: 'committer-email',
    },
    'max-retries': {
      type: 'string',
      arg: 'N',
      help: 'Rebuild-and-push attempts when the branch moved (default 5).',
      input: 'max-retries',
    },
    // The gate settings resolveImportSettings takes, read and helped as on every other command.
    'forbidden-path': {
      ...GATE_OPTIONS['forbidden-path'],
      help: 'A path an imported change may not add (added to the built-in denylist).',
    },
    'secret-pattern': GATE_OPTIONS['secret-pattern'],
    'allowed-secret-fingerprint': GATE_OPTIONS['allowed-secret-fingerprint'],
    'no-secret-scan': GATE_OPTIONS['no-secret-scan'],
    report: { type: 'string', arg: 'FILE', help: 'Write the JSON report to FILE.', input: 'report-path' },
  },
  env: { token: 'FERRY_TOKEN or GITHUB_TOKEN' },
  notes: ['The GitHub API is GITHUB_API_URL (default https://api.github.com); git uses GITHUB_SERVER_URL.'],
  async run(args, ctx) {
    const at = (p: string | undefined) => (p ? path.resolve(ctx.cwd, p) : p);
    const token = lookupToken(process.env);
    if (!token)
      throw new UsageError(
        'Set FERRY_TOKEN (or GITHUB_TOKEN): the pull requests are read through the GitHub API.',
      );
    const source = at(str(args, 'source')) ?? ctx.cwd;
    const settings = await resolveImportSettings({
      publicRepo: str(args, 'public-repo'),
      pullRequest: str(args, 'pull-request'),
      label: str(args, 'label'),
      source,
      privateRepo: str(args, 'private-repo'),
      baseBranch: str(args, 'base-branch'),
      allowlist: at(str(args, 'allowlist')),
      map: list(args, 'map'),
      preserve: list(args, 'preserve'),
      exportTarget: str(args, 'export-target'),
      config: at(str(args, 'config')),
      openPullRequest: !flag(args, 'no-open-pull-request'),
      dryRun: flag(args, 'dry-run'),
      committerName: str(args, 'committer-name'),
      committerEmail: str(args, 'committer-email'),
      maxRetries: str(args, 'max-retries'),
      token,
      serverUrl: process.env.GITHUB_SERVER_URL || undefined,
      forbiddenPaths: list(args, 'forbidden-path'),
      secretPatterns: list(args, 'secret-pattern'),
      allowedSecretFingerprints: list(args, 'allowed-secret-fingerprint'),
      secretScan: flag(args, 'no-secret-scan') ? false : undefined,
    });
    const host = createPullRequestHost({
      token,
      publicRepo: settings.publicSlug,
      privateRepo: settings.privateSlug,
      logger: ctx.logger,
    });
    const results = await runImport(settings, host, ctx.logger);
    const json = toJsonReport('import-pr', results, { dryRun: settings.dryRun });
    const file = str(args, 'report');
    if (file) await writeFileAtomic(path.resolve(ctx.cwd, file), JSON.stringify(json, null, 2) + '\n');
    if (flag(args, 'json')) ctx.out(JSON.stringify(json, null, 2) + '\n');
    else
      ctx.out(
        results.length
          ? toText(results)
          : `No open pull request of ${settings.publicSlug} carries the label '${settings.label}'.\n`,
      );
    if (ctx.ci) for (const r of results) for (const l of annotationLines(r.findings)) ctx.out(l + '\n');
    await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
    return results.every((r) => r.success) ? EXIT_OK : EXIT_FAILED;
  },
};
