import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runCustomExports } from '../../core/export/custom.js';
import { runExport, type ExportServices } from '../../core/export/index.js';
import { exportPullRequestFactory } from '../../github/export-pull-requests.js';
import { resolveExportSettings, type RawExportOptions } from '../../core/export/settings.js';
import { toJsonReport, toText } from '../../core/report/render.js';
import type { TargetResult } from '../../core/report/result.js';
import { lookupToken } from '../../core/settings/token.js';
import { writeFileAtomic } from '../../core/util/fs-atomic.js';
import { annotationLines } from '../annotations.js';
import { GATE_OPTIONS } from './gate-options.js';
import {
  COMMON_OPTIONS,
  EXIT_FAILED,
  EXIT_OK,
  flag,
  list,
  requireStr,
  str,
  UsageError,
  type CliContext,
  type Command,
  type OptionSpec,
  type ParsedArgs,
} from '../command.js';

/**
 * `ferry export` and `ferry custom`: the same engine, resolver and settings as the sync-to-public
 * and sync-to-custom actions. Credentials never come through argv: the token is read from
 * FERRY_TOKEN (or GITHUB_TOKEN), an SSH key from a file named by --ssh-key-file.
 */
const EXPORT_OPTIONS: OptionSpec = {
  ...COMMON_OPTIONS,
  source: {
    type: 'string',
    arg: 'DIR',
    help: 'The source repository (default: the current directory).',
    input: 'source',
  },
  rev: { type: 'string', arg: 'REV', help: 'The source revision to export (default HEAD).', input: 'rev' },
  target: {
    type: 'string',
    arg: 'URL_OR_PATH',
    help: 'The target repository: owner/name, a URL, or a local path.',
    input: 'target-repo',
  },
  branch: { type: 'string', arg: 'B', help: 'The target branch (default main).', input: 'branch' },
  map: { type: 'string', multiple: true, arg: 'FROM=TO', help: 'A path prefix rule.', input: 'map' },
  preserve: {
    type: 'string',
    multiple: true,
    arg: 'GLOB',
    help: 'Target paths kept from its tip (README, LICENSE, ...).',
    input: 'preserve',
  },
  message: {
    type: 'string',
    arg: 'TEMPLATE',
    help: 'Commit message template ({sha}, {short_sha}, {source_repo}, {message}).',
    input: 'commit-message',
  },
  'dry-run': {
    type: 'boolean',
    help: 'Plan only: compute the changes and the commit, push nothing.',
    input: 'dry-run',
  },
  force: {
    type: 'boolean',
    help: "Replace the target branch's history (with a lease); off: fast-forward only.",
    input: 'force',
  },
  'allow-rollback': {
    type: 'boolean',
    help: 'Export REV even when it is older than the last exported revision (rolls the target back).',
    input: 'allow-rollback',
  },
  'max-retries': {
    type: 'string',
    arg: 'N',
    help: 'Rebuild-and-push attempts when the target moved (default 5).',
    input: 'max-retries',
  },
  mode: { type: 'string', arg: 'MODE', help: 'snapshot (default) or history.', input: 'mode' },
  since: {
    type: 'string',
    arg: 'REV|root',
    help: 'History mode, first run: where to start.',
    input: 'since',
  },
  'scrub-line': {
    type: 'string',
    multiple: true,
    arg: 'RE',
    help: 'History mode: drop message lines matching RE.',
    input: 'scrub-lines',
  },
  'scrub-message': {
    type: 'string',
    multiple: true,
    arg: 'RE',
    help: 'History mode: replace messages matching RE.',
    input: 'scrub-messages',
  },
  'scrub-template': {
    type: 'string',
    arg: 'T',
    help: 'History mode: the message of scrubbed commits.',
    input: 'scrub-template',
  },
  'author-map': {
    type: 'string',
    arg: 'FILE',
    help: 'History mode: a mailmap-style author map.',
    input: 'author-map',
  },
  'keep-merges': {
    type: 'boolean',
    help: 'History mode: keep merges whose side branch exports something.',
    input: 'keep-merges',
  },
  'allow-mass-delete-commit': {
    type: 'string',
    multiple: true,
    arg: 'SHA',
    help: 'History mode: let this source commit delete beyond --max-delete-ratio (a restructuring commit).',
    input: 'allow-mass-delete-commits',
  },
  submodules: {
    type: 'string',
    arg: 'skip|keep',
    help: 'Gitlinks in the selection (default skip).',
    input: 'submodules',
  },
  lfs: {
    type: 'string',
    arg: 'warn|error|allow',
    help: 'LFS pointers in the selection (default warn).',
    input: 'lfs',
  },
  'committer-name': {
    type: 'string',
    arg: 'NAME',
    help: 'Committer of export commits (default ferry[bot]).',
    input: 'committer-name',
  },
  'committer-email': {
    type: 'string',
    arg: 'EMAIL',
    help: 'Committer email of export commits.',
    input: 'committer-email',
  },
  'ssh-key-file': {
    type: 'string',
    arg: 'FILE',
    help: 'SSH deploy key file, instead of a token.',
    input: 'ssh-key',
  },
  'ssh-known-hosts-file': {
    type: 'string',
    arg: 'FILE',
    help: 'known_hosts for SSH (host keys are always checked).',
    input: 'ssh-known-hosts',
  },
  ...GATE_OPTIONS,
  'pull-request': {
    type: 'boolean',
    help: 'Propose the export through one rolling pull request instead of pushing to --branch.',
    input: 'pull-request',
  },
  'pull-request-branch': {
    type: 'string',
    arg: 'B',
    help: 'The branch the pull request comes from (default ferry/export/{branch}).',
    input: 'pull-request-branch',
  },
  'pull-request-title': {
    type: 'string',
    arg: 'TEMPLATE',
    help: 'Pull request title ({short_sha}, {sha}, {source_repo}, {branch}).',
    input: 'pull-request-title',
  },
  'pull-request-label': {
    type: 'string',
    multiple: true,
    arg: 'LABEL',
    help: 'A label for a new pull request.',
    input: 'pull-request-labels',
  },
  'pull-request-draft': {
    type: 'boolean',
    help: 'Open new pull requests as drafts.',
    input: 'pull-request-draft',
  },
  report: { type: 'string', arg: 'FILE', help: 'Write the JSON report to FILE.', input: 'report-path' },
};

/** The export flags and the CLI spelling of what the actions take as inputs. */
const EXPORT_ENV = { token: 'FERRY_TOKEN or GITHUB_TOKEN' };

async function readOptional(file: string | undefined): Promise<string | undefined> {
  return file ? fs.readFile(file, 'utf8') : undefined;
}

async function exportOptions(args: ParsedArgs, cmd: Command, ctx: CliContext): Promise<RawExportOptions> {
  const at = (p: string | undefined) => (p ? path.resolve(ctx.cwd, p) : p);
  return {
    source: at(str(args, 'source')) ?? ctx.cwd,
    rev: str(args, 'rev'),
    target: requireStr(args, 'target', cmd),
    branch: str(args, 'branch'),
    map: list(args, 'map'),
    preserve: list(args, 'preserve'),
    messageTemplate: str(args, 'message'),
    dryRun: flag(args, 'dry-run'),
    force: flag(args, 'force'),
    allowRollback: flag(args, 'allow-rollback'),
    maxRetries: str(args, 'max-retries'),
    mode: str(args, 'mode'),
    since: str(args, 'since'),
    history: {
      scrubLines: list(args, 'scrub-line'),
      scrubMessages: list(args, 'scrub-message'),
      scrubTemplate: str(args, 'scrub-template'),
      authorMapFile: at(str(args, 'author-map')),
      keepMerges: flag(args, 'keep-merges'),
      allowMassDeleteCommits: list(args, 'allow-mass-delete-commit'),
    },
    submodules: str(args, 'submodules'),
    lfs: str(args, 'lfs'),
    committerName: str(args, 'committer-name'),
    committerEmail: str(args, 'committer-email'),
    token: lookupToken(process.env),
    sshKey: await readOptional(at(str(args, 'ssh-key-file'))),
    sshKnownHosts: await readOptional(at(str(args, 'ssh-known-hosts-file'))),
    serverUrl: process.env.GITHUB_SERVER_URL || undefined,
    sourceRepo: process.env.GITHUB_REPOSITORY,
    forbiddenPaths: list(args, 'forbidden-path'),
    secretPatterns: list(args, 'secret-pattern'),
    allowedSecretFingerprints: list(args, 'allowed-secret-fingerprint'),
    secretScan: flag(args, 'no-secret-scan') ? false : undefined,
    secretScanExclude: list(args, 'secret-scan-exclude'),
    secretBaseline: at(str(args, 'secret-baseline')),
    importCheck: flag(args, 'no-import-check') ? false : undefined,
    maxDeleteRatio: str(args, 'max-delete-ratio'),
    allowMassDelete: flag(args, 'allow-mass-delete'),
    pullRequest: flag(args, 'pull-request'),
    pullRequestBranch: str(args, 'pull-request-branch'),
    pullRequestTitle: str(args, 'pull-request-title'),
    pullRequestLabels: list(args, 'pull-request-label'),
    pullRequestDraft: flag(args, 'pull-request-draft'),
  };
}

/** The GitHub API (GITHUB_API_URL) for pull requests, with the same token as git. */
function services(ctx: CliContext): ExportServices {
  return { pullRequests: exportPullRequestFactory(lookupToken(process.env), ctx.logger) };
}

async function report(
  command: string,
  results: TargetResult[],
  args: ParsedArgs,
  ctx: CliContext,
): Promise<number> {
  const json = toJsonReport(command, results);
  const file = str(args, 'report');
  if (file) await writeFileAtomic(path.resolve(ctx.cwd, file), JSON.stringify(json, null, 2) + '\n');
  if (flag(args, 'json')) ctx.out(JSON.stringify(json, null, 2) + '\n');
  else {
    ctx.out(toText(results));
    for (const r of results) {
      if (!r.changes?.length) continue;
      for (const c of r.changes.slice(0, 200)) ctx.out(`  ${c.change.padEnd(8)} ${c.path}\n`);
      if (r.changes.length > 200)
        ctx.out(`  ... and ${r.changes.length - 200} more (see --json or --report)\n`);
    }
  }
  if (ctx.ci) for (const r of results) for (const l of annotationLines(r.findings)) ctx.out(l + '\n');
  // The CLI entry calls process.exit() right after: a large report on a pipe would be cut off
  // unless the queued writes are flushed first.
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  return results.every((r) => r.success) ? EXIT_OK : EXIT_FAILED;
}

export const exportCommand: Command = {
  name: 'export',
  summary: 'Export the allowlisted part of a repository to another repository (as sync-to-public)',
  usage: 'ferry export --allowlist FILE --target URL_OR_PATH [--source DIR] [options]',
  action: 'sync-to-public',
  options: {
    ...EXPORT_OPTIONS,
    allowlist: { type: 'string', arg: 'FILE', help: 'The allowlist of exported paths.', input: 'allowlist' },
  },
  env: EXPORT_ENV,
  async run(args, ctx) {
    const allowlist = path.resolve(ctx.cwd, requireStr(args, 'allowlist', this));
    const settings = resolveExportSettings({ ...(await exportOptions(args, this, ctx)), allowlist });
    const result = await runExport(settings, ctx.logger, services(ctx));
    return report('export', [result], args, ctx);
  },
};

export const customCommand: Command = {
  name: 'custom',
  summary: 'Export customer packages, one target per package (as sync-to-custom)',
  usage: 'ferry custom --package NAME... --target URL_OR_PATH [--allowlist-dir DIR] [options]',
  action: 'sync-to-custom',
  options: {
    ...EXPORT_OPTIONS,
    package: {
      type: 'string',
      multiple: true,
      arg: 'NAME',
      help: 'A package (customer); comma-separated names work too.',
      input: 'packages',
    },
    'allowlist-dir': {
      type: 'string',
      arg: 'DIR',
      help: 'The directory of the package allowlists.',
      input: 'allowlist-dir',
    },
    'package-allowlist': {
      type: 'string',
      arg: 'NAME',
      help: 'Per-package allowlist file name, with {package}.',
      input: 'package-allowlist',
    },
    'generic-allowlist': {
      type: 'string',
      arg: 'NAME',
      help: 'Allowlist file name for packages without their own.',
      input: 'generic-allowlist',
    },
    template: {
      type: 'string',
      arg: 'DIR',
      help: "Rendered into a package's target on its first export.",
      input: 'template',
    },
  },
  env: EXPORT_ENV,
  notOnCli: { package: 'the same as --package (the action has package for a matrix, packages for a list)' },
  notes: ['--target and --map may hold {package}.'],
  async run(args, ctx) {
    const packages = list(args, 'package').flatMap((p) => p.split(','));
    if (!packages.length) throw new UsageError(`--package is required.\nUsage: ${this.usage}`);
    const template = str(args, 'template');
    const settings = resolveExportSettings({
      ...(await exportOptions(args, this, ctx)),
      templateDir: template ? path.resolve(ctx.cwd, template) : undefined,
    });
    const results = await runCustomExports(
      settings,
      {
        packages,
        allowlistDir: path.resolve(ctx.cwd, str(args, 'allowlist-dir') ?? '.'),
        packageAllowlist: str(args, 'package-allowlist'),
        genericAllowlist: str(args, 'generic-allowlist'),
      },
      ctx.logger,
      services(ctx),
    );
    return report('custom', results, args, ctx);
  },
};

export const exportCommands: Command[] = [exportCommand, customCommand];
