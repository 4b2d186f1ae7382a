import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runCustomExports } from '../../core/export/custom.js';
import { runExport } from '../../core/export/index.js';
import { resolveExportSettings, type RawExportOptions } from '../../core/export/settings.js';
import type { ExportSettings } from '../../core/export/types.js';
import { toJsonReport, toText } from '../../core/report/render.js';
import type { TargetResult } from '../../core/report/result.js';
import { writeFileAtomic } from '../../core/util/fs-atomic.js';
import { annotationLines } from '../annotations.js';
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
 * `ferry export` and `ferry custom`: the same engine and options as the sync-to-public and
 * sync-to-custom actions. Credentials never come through argv: the token is read from FERRY_TOKEN
 * (or GITHUB_TOKEN), an SSH key from a file named by --ssh-key-file.
 */
const EXPORT_OPTIONS: OptionSpec = {
  ...COMMON_OPTIONS,
  source: { type: 'string' },
  rev: { type: 'string' },
  target: { type: 'string' },
  branch: { type: 'string' },
  map: { type: 'string', multiple: true },
  preserve: { type: 'string', multiple: true },
  message: { type: 'string' },
  'dry-run': { type: 'boolean' },
  force: { type: 'boolean' },
  'max-retries': { type: 'string' },
  mode: { type: 'string' },
  since: { type: 'string' },
  'scrub-line': { type: 'string', multiple: true },
  'scrub-message': { type: 'string', multiple: true },
  'scrub-template': { type: 'string' },
  'author-map': { type: 'string' },
  'keep-merges': { type: 'boolean' },
  submodules: { type: 'string' },
  lfs: { type: 'string' },
  'committer-name': { type: 'string' },
  'committer-email': { type: 'string' },
  'ssh-key-file': { type: 'string' },
  'ssh-known-hosts-file': { type: 'string' },
  'forbidden-path': { type: 'string', multiple: true },
  'secret-pattern': { type: 'string', multiple: true },
  'allowed-secret-fingerprint': { type: 'string', multiple: true },
  'no-secret-scan': { type: 'boolean' },
  'secret-scan-exclude': { type: 'string', multiple: true },
  'secret-baseline': { type: 'string' },
  'no-import-check': { type: 'boolean' },
  'max-delete-ratio': { type: 'string' },
  'allow-mass-delete': { type: 'boolean' },
  report: { type: 'string' },
};

const NAMES: Partial<Record<keyof RawExportOptions, string>> = {
  target: '--target',
  maxRetries: '--max-retries',
  mode: '--mode',
  submodules: '--submodules',
  lfs: '--lfs',
};

async function readOptional(file: string | undefined): Promise<string | undefined> {
  return file ? fs.readFile(file, 'utf8') : undefined;
}

async function settingsFrom(args: ParsedArgs, cmd: Command, ctx: CliContext): Promise<ExportSettings> {
  const ratio = str(args, 'max-delete-ratio');
  const maxDeleteRatio = ratio === undefined ? undefined : Number(ratio);
  if (maxDeleteRatio !== undefined && !(maxDeleteRatio >= 0 && maxDeleteRatio <= 1))
    throw new UsageError(`--max-delete-ratio must be a number from 0 to 1, got '${ratio}'.`);
  const at = (p: string | undefined) => (p ? path.resolve(ctx.cwd, p) : p);
  return resolveExportSettings(
    {
      source: at(str(args, 'source')) ?? ctx.cwd,
      rev: str(args, 'rev'),
      target: requireStr(args, 'target', cmd),
      branch: str(args, 'branch'),
      allowlist: at(str(args, 'allowlist')),
      map: list(args, 'map'),
      preserve: list(args, 'preserve'),
      messageTemplate: str(args, 'message'),
      dryRun: flag(args, 'dry-run'),
      force: flag(args, 'force'),
      maxRetries: str(args, 'max-retries'),
      mode: str(args, 'mode'),
      since: str(args, 'since'),
      history: {
        scrubLines: list(args, 'scrub-line'),
        scrubMessages: list(args, 'scrub-message'),
        scrubTemplate: str(args, 'scrub-template'),
        authorMapFile: at(str(args, 'author-map')),
        keepMerges: flag(args, 'keep-merges'),
      },
      submodules: str(args, 'submodules'),
      lfs: str(args, 'lfs'),
      committerName: str(args, 'committer-name'),
      committerEmail: str(args, 'committer-email'),
      token: process.env.FERRY_TOKEN || process.env.GITHUB_TOKEN || undefined,
      sshKey: await readOptional(at(str(args, 'ssh-key-file'))),
      sshKnownHosts: await readOptional(at(str(args, 'ssh-known-hosts-file'))),
      serverUrl: process.env.GITHUB_SERVER_URL || undefined,
      sourceRepo: process.env.GITHUB_REPOSITORY,
      safety: {
        forbiddenPaths: list(args, 'forbidden-path'),
        secretPatterns: list(args, 'secret-pattern'),
        allowedSecretFingerprints: list(args, 'allowed-secret-fingerprint'),
        secretScan: flag(args, 'no-secret-scan') ? false : undefined,
        secretScanExclude: list(args, 'secret-scan-exclude'),
        secretBaseline: at(str(args, 'secret-baseline')),
        importCheck: flag(args, 'no-import-check') ? false : undefined,
        maxDeleteRatio,
        allowMassDelete: flag(args, 'allow-mass-delete') || undefined,
      },
    },
    NAMES,
  );
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

const COMMON_USAGE =
  '--source DIR [--rev REV] --target URL_OR_PATH [--branch B] [--map FROM=TO]... [--preserve GLOB]... ' +
  '[--message TEMPLATE] [--dry-run] [--force] [--max-retries N] [--mode snapshot|history] [--since REV|root] [--scrub-line RE]... [--scrub-message RE]... ' +
  '[--scrub-template T] [--author-map FILE] [--keep-merges] [--forbidden-path GLOB]... [--secret-pattern RE]... ' +
  '[--allowed-secret-fingerprint FP]... [--secret-scan-exclude GLOB]... [--secret-baseline FILE] [--no-secret-scan] ' +
  '[--no-import-check] [--report FILE] [--json]';

export const exportCommand: Command = {
  name: 'export',
  summary: 'Export the allowlisted part of a repository to another repository (as sync-to-public)',
  usage: `ferry export --allowlist FILE ${COMMON_USAGE}  (token: FERRY_TOKEN or GITHUB_TOKEN)`,
  options: { ...EXPORT_OPTIONS, allowlist: { type: 'string' } },
  async run(args, ctx) {
    requireStr(args, 'allowlist', this);
    const settings = await settingsFrom(args, this, ctx);
    const result = await runExport(settings, ctx.logger);
    return report('export', [result], args, ctx);
  },
};

export const customCommand: Command = {
  name: 'custom',
  summary: 'Export customer packages, one target per package (as sync-to-custom)',
  usage:
    `ferry custom --package NAME [--package NAME]... [--allowlist-dir DIR] [--template DIR] ${COMMON_USAGE}` +
    '  (--target and --map may hold {package})',
  options: {
    ...EXPORT_OPTIONS,
    package: { type: 'string', multiple: true },
    'allowlist-dir': { type: 'string' },
    'package-allowlist': { type: 'string' },
    'generic-allowlist': { type: 'string' },
    template: { type: 'string' },
  },
  async run(args, ctx) {
    const packages = list(args, 'package').flatMap((p) => p.split(','));
    if (!packages.length) throw new UsageError(`--package is required.\nUsage: ${this.usage}`);
    const settings = await settingsFrom(args, this, ctx);
    const template = str(args, 'template');
    if (template) settings.templateDir = path.resolve(ctx.cwd, template);
    const results = await runCustomExports(
      settings,
      {
        packages,
        allowlistDir: path.resolve(ctx.cwd, str(args, 'allowlist-dir') ?? '.'),
        packageAllowlist: str(args, 'package-allowlist'),
        genericAllowlist: str(args, 'generic-allowlist'),
      },
      ctx.logger,
    );
    return report('custom', results, args, ctx);
  },
};

export const exportCommands: Command[] = [exportCommand, customCommand];
