/** sync-to-public: the allowlisted part of this repository → a public repository, one commit per run. */
import { runExport } from '../core/export/index.js';
import { resolveExportSettings, type RawExportOptions } from '../core/export/settings.js';
import { toJsonReport, toMarkdown } from '../core/report/render.js';
import { detailsOf, hasErrors, type TargetResult } from '../core/report/result.js';
import type { PullRequestDetails } from '../core/report/details.js';
import type { ExportServices } from '../core/export/index.js';
import type { Logger } from '../core/logger.js';
import { exportPullRequestFactory } from '../github/export-pull-requests.js';
import { lookupToken } from '../core/settings/token.js';
import { inWorkspace, runActionMain } from './action-runner.js';
import { SYNC_TO_PUBLIC } from './constants.js';
import { readInputs, type Inputs } from './input-helper.js';
import { publish } from './publish.js';

type ExportInputs = Omit<Inputs<typeof SYNC_TO_PUBLIC.inputs>, 'allowlist'>;

/** The inputs sync-to-public and sync-to-custom share, as the export resolver takes them. */
export function exportOptions(i: ExportInputs): RawExportOptions {
  return {
    source: inWorkspace(i.source || '.'),
    rev: i.rev,
    target: i.targetRepo,
    branch: i.branch,
    map: i.map,
    preserve: i.preserve,
    messageTemplate: i.commitMessage,
    dryRun: i.dryRun,
    force: i.force,
    allowRollback: i.allowRollback,
    maxRetries: i.maxRetries,
    mode: i.mode,
    since: i.since,
    history: {
      scrubLines: i.scrubLines,
      scrubMessages: i.scrubMessages,
      scrubTemplate: i.scrubTemplate || undefined,
      authorMapFile: inWorkspace(i.authorMap) || undefined,
      keepMerges: i.keepMerges,
      allowMassDeleteCommits: i.allowMassDeleteCommits,
    },
    submodules: i.submodules,
    lfs: i.lfs,
    committerName: i.committerName,
    committerEmail: i.committerEmail,
    token: lookupToken(process.env, { value: i.token }),
    sshKey: i.sshKey,
    sshKnownHosts: i.sshKnownHosts,
    serverUrl: process.env.GITHUB_SERVER_URL || undefined,
    sourceRepo: process.env.GITHUB_REPOSITORY,
    forbiddenPaths: i.forbiddenPaths,
    secretPatterns: i.secretPatterns,
    allowedSecretFingerprints: i.allowedSecretFingerprints,
    secretScan: i.secretScan,
    secretScanExclude: i.secretScanExclude,
    secretBaseline: inWorkspace(i.secretBaseline) || undefined,
    importCheck: i.importCheck,
    maxDeleteRatio: i.maxDeleteRatio,
    allowMassDelete: i.allowMassDelete,
    pullRequest: i.pullRequest,
    pullRequestBranch: i.pullRequestBranch,
    pullRequestTitle: i.pullRequestTitle,
    pullRequestLabels: i.pullRequestLabels,
    pullRequestDraft: i.pullRequestDraft,
  };
}

/** The GitHub API for pull requests (export as a pull request, closing imported ones). */
export function exportServices(token: string | undefined, logger: Logger): ExportServices {
  return { pullRequests: exportPullRequestFactory(token, logger) };
}

/** Outputs summed over the results (one per package for sync-to-custom), then the one publisher. */
export async function publishExport(
  action: 'sync-to-public' | 'sync-to-custom',
  title: string,
  results: TargetResult[],
  reportPathInput: string,
): Promise<void> {
  const o = SYNC_TO_PUBLIC.outputs;
  const sum = (k: string) => results.reduce((s, r) => s + (r.counts[k] ?? 0), 0);
  const failed = results.filter((r) => !r.success || hasErrors(r.findings));
  // One pull request per target: the outputs name it when there is one target (sync-to-public).
  const pr = results.length === 1 ? pullRequestOf(results[0]) : undefined;
  await publish({
    report: toJsonReport(action, results),
    reportPathInput,
    defaultReportName: `ferry-${action}-report.json`,
    outputs: {
      [o.changed]: String(results.some((r) => r.changed)),
      [o.commitSha]: results.length === 1 ? (results[0].commit ?? '') : '',
      [o.filesAdded]: String(sum('added')),
      [o.filesModified]: String(sum('modified')),
      [o.filesDeleted]: String(sum('deleted')),
      [o.pullRequestNumber]: pr?.number ? String(pr.number) : '',
      [o.pullRequestUrl]: pr?.url ?? '',
      [o.pullRequestOperation]: pr?.operation ?? '',
    },
    summary: toMarkdown(title, results),
    findings: results.flatMap((r) => r.findings),
    failure: failed.length ? failed.map((r) => `${r.target}: ${r.message}`).join('\n') : undefined,
  });
}

function pullRequestOf(r: TargetResult): PullRequestDetails | undefined {
  return (detailsOf(r, 'export') ?? detailsOf(r, 'custom'))?.pullRequest;
}

export async function run(): Promise<void> {
  await runActionMain(async (logger) => {
    const inputs = readInputs(SYNC_TO_PUBLIC.inputs);
    const settings = resolveExportSettings({
      ...exportOptions(inputs),
      allowlist: inWorkspace(inputs.allowlist),
    });
    const result = await runExport(settings, logger, exportServices(settings.auth?.token, logger));
    logger.info(result.message);
    await publishExport('sync-to-public', 'Ferry: sync to public', [result], inputs.reportPath);
  });
}
