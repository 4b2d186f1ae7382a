import * as core from '@actions/core';
import * as path from 'node:path';
import { ConfigurationError } from '../core/errors.js';
import { resolveExportSettings, type RawExportOptions } from '../core/export/settings.js';
import { runExport } from '../core/export/index.js';
import type { ExportSettings } from '../core/export/types.js';
import { toJsonReport } from '../core/report/render.js';
import { hasErrors, type TargetResult } from '../core/report/result.js';
import { writeFileAtomic } from '../core/util/fs-atomic.js';
import { annotate, boolInput, listInput, runActionMain, secretInput, writeSummary } from './action-runner.js';

/** sync-to-public: the allowlisted part of this repository → a public repository, one commit per run. */
export const INPUT = {
  targetRepo: 'target-repo',
  branch: 'branch',
  source: 'source',
  rev: 'rev',
  allowlist: 'allowlist',
  preserve: 'preserve',
  map: 'map',
  commitMessage: 'commit-message',
  token: 'token',
  sshKey: 'ssh-key',
  sshKnownHosts: 'ssh-known-hosts',
  dryRun: 'dry-run',
  force: 'force',
  maxRetries: 'max-retries',
  mode: 'mode',
  since: 'since',
  scrubLines: 'scrub-lines',
  scrubMessages: 'scrub-messages',
  scrubTemplate: 'scrub-template',
  authorMap: 'author-map',
  keepMerges: 'keep-merges',
  submodules: 'submodules',
  lfs: 'lfs',
  committerName: 'committer-name',
  committerEmail: 'committer-email',
  forbiddenPaths: 'forbidden-paths',
  secretPatterns: 'secret-patterns',
  allowedSecretFingerprints: 'allowed-secret-fingerprints',
  secretScan: 'secret-scan',
  secretScanExclude: 'secret-scan-exclude',
  secretBaseline: 'secret-baseline',
  importCheck: 'import-check',
  maxDeleteRatio: 'max-delete-ratio',
  allowMassDelete: 'allow-mass-delete',
  reportPath: 'report-path',
} as const;

export const OUTPUT = {
  changed: 'changed',
  commitSha: 'commit-sha',
  filesAdded: 'files-added',
  filesModified: 'files-modified',
  filesDeleted: 'files-deleted',
  reportPath: 'report-path',
} as const;

const NAMES = Object.fromEntries(Object.entries(INPUT).map(([k, v]) => [k, `input '${v}'`])) as Partial<
  Record<keyof RawExportOptions, string>
>;

function ratioInput(name: string): number | undefined {
  const v = core.getInput(name).trim();
  if (!v) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 1)
    throw new ConfigurationError(`Input '${name}' must be a number from 0 to 1, got '${v}'.`);
  return n;
}

/** Inputs shared by sync-to-public and sync-to-custom, read once into ExportSettings. */
export function readExportInputs(targetInput: string): ExportSettings {
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  const inWorkspace = (p: string) => (p ? path.resolve(workspace, p) : p);
  const secretScan = core.getInput(INPUT.secretScan).trim();
  const importCheck = core.getInput(INPUT.importCheck).trim();
  return resolveExportSettings(
    {
      source: inWorkspace(core.getInput(INPUT.source) || '.'),
      rev: core.getInput(INPUT.rev),
      target: core.getInput(targetInput),
      branch: core.getInput(INPUT.branch),
      allowlist: inWorkspace(core.getInput(INPUT.allowlist)),
      map: listInput(INPUT.map),
      preserve: listInput(INPUT.preserve),
      messageTemplate: core.getInput(INPUT.commitMessage),
      dryRun: boolInput(INPUT.dryRun),
      force: boolInput(INPUT.force),
      maxRetries: core.getInput(INPUT.maxRetries),
      mode: core.getInput(INPUT.mode),
      since: core.getInput(INPUT.since),
      history: {
        scrubLines: core.getMultilineInput(INPUT.scrubLines).filter((l) => l.trim()),
        scrubMessages: core.getMultilineInput(INPUT.scrubMessages).filter((l) => l.trim()),
        scrubTemplate: core.getInput(INPUT.scrubTemplate) || undefined,
        authorMapFile: inWorkspace(core.getInput(INPUT.authorMap)) || undefined,
        keepMerges: boolInput(INPUT.keepMerges),
      },
      submodules: core.getInput(INPUT.submodules),
      lfs: core.getInput(INPUT.lfs),
      committerName: core.getInput(INPUT.committerName),
      committerEmail: core.getInput(INPUT.committerEmail),
      token: secretInput(INPUT.token),
      sshKey: secretInput(INPUT.sshKey),
      sshKnownHosts: core.getInput(INPUT.sshKnownHosts),
      serverUrl: process.env.GITHUB_SERVER_URL || undefined,
      sourceRepo: process.env.GITHUB_REPOSITORY,
      safety: {
        forbiddenPaths: listInput(INPUT.forbiddenPaths),
        secretPatterns: core.getMultilineInput(INPUT.secretPatterns).filter((l) => l.trim()),
        allowedSecretFingerprints: listInput(INPUT.allowedSecretFingerprints),
        secretScan: secretScan ? boolInput(INPUT.secretScan) : undefined,
        secretScanExclude: listInput(INPUT.secretScanExclude),
        secretBaseline: inWorkspace(core.getInput(INPUT.secretBaseline)) || undefined,
        importCheck: importCheck ? boolInput(INPUT.importCheck) : undefined,
        maxDeleteRatio: ratioInput(INPUT.maxDeleteRatio),
        allowMassDelete: boolInput(INPUT.allowMassDelete),
      },
    },
    { ...NAMES, target: `input '${targetInput}'` },
  );
}

/** Outputs (summed over results), JSON report, job summary and annotations; fails the step on errors. */
export async function publishResults(command: string, title: string, results: TargetResult[]): Promise<void> {
  const sum = (k: string) => results.reduce((s, r) => s + (r.counts[k] ?? 0), 0);
  const reportPath =
    core.getInput(INPUT.reportPath) ||
    path.join(process.env.RUNNER_TEMP || process.cwd(), `ferry-${command}-report.json`);
  await writeFileAtomic(reportPath, JSON.stringify(toJsonReport(command, results), null, 2) + '\n');
  core.setOutput(OUTPUT.changed, String(results.some((r) => r.changed)));
  core.setOutput(OUTPUT.commitSha, results.length === 1 ? (results[0].commit ?? '') : '');
  core.setOutput(OUTPUT.filesAdded, String(sum('added')));
  core.setOutput(OUTPUT.filesModified, String(sum('modified')));
  core.setOutput(OUTPUT.filesDeleted, String(sum('deleted')));
  core.setOutput(OUTPUT.reportPath, reportPath);
  for (const r of results) annotate(r.findings);
  await writeSummary(title, results);
  const failed = results.filter((r) => !r.success || hasErrors(r.findings));
  if (failed.length) core.setFailed(failed.map((r) => `${r.target}: ${r.message}`).join('\n'));
}

export async function run(): Promise<void> {
  await runActionMain(async (logger) => {
    const settings = readExportInputs(INPUT.targetRepo);
    const result = await runExport(settings, logger);
    logger.info(result.message);
    await publishResults('sync-to-public', 'Ferry: sync to public', [result]);
  });
}
