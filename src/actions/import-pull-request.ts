/** import-pull-request: public pull requests → branches (and pull requests) of this private repository. */
import { runImport } from '../core/import/index.js';
import { resolveImportSettings } from '../core/import/settings.js';
import type { ImportResult } from '../core/import/types.js';
import { toJsonReport, toMarkdown } from '../core/report/render.js';
import { lookupToken } from '../core/settings/token.js';
import { createPullRequestHost } from '../github/pull-requests.js';
import { ConfigurationError } from '../core/errors.js';
import { inWorkspace, runActionMain } from './action-runner.js';
import { IMPORT_PULL_REQUEST } from './constants.js';
import { readInputs } from './input-helper.js';
import { publish } from './publish.js';

export async function run(): Promise<void> {
  await runActionMain(async (logger) => {
    const i = readInputs(IMPORT_PULL_REQUEST.inputs);
    const token = lookupToken(process.env, { value: i.token });
    const settings = await resolveImportSettings({
      publicRepo: i.publicRepo,
      pullRequest: i.pullRequest,
      label: i.label,
      source: inWorkspace(i.source || '.'),
      privateRepo: i.privateRepo || process.env.GITHUB_REPOSITORY || '',
      baseBranch: i.baseBranch,
      allowlist: inWorkspace(i.allowlist),
      map: i.map,
      preserve: i.preserve,
      exportTarget: i.exportTarget,
      config: i.config ? inWorkspace(i.config) : undefined,
      openPullRequest: i.openPullRequest,
      dryRun: i.dryRun,
      committerName: i.committerName,
      committerEmail: i.committerEmail,
      maxRetries: i.maxRetries,
      token,
      serverUrl: process.env.GITHUB_SERVER_URL || undefined,
      forbiddenPaths: i.forbiddenPaths,
      secretPatterns: i.secretPatterns,
      allowedSecretFingerprints: i.allowedSecretFingerprints,
      secretScan: i.secretScan,
    });
    if (!token)
      throw new ConfigurationError(
        `input 'token' is required: the pull requests are read through the GitHub API.`,
      );
    const host = createPullRequestHost({
      token,
      publicRepo: settings.publicSlug,
      privateRepo: settings.privateSlug,
      logger,
    });
    const results = await runImport(settings, host, logger);
    for (const r of results) logger.info(r.message);
    await publishImport(results, i.reportPath, !!settings.dryRun);
  });
}

async function publishImport(
  results: ImportResult[],
  reportPathInput: string,
  dryRun: boolean,
): Promise<void> {
  const o = IMPORT_PULL_REQUEST.outputs;
  const written = results.filter((r) => r.commit && (r.details?.pushed || r.dryRun));
  const last = written.at(-1);
  const failed = results.filter((r) => !r.success);
  await publish({
    report: toJsonReport('import-pull-request', results, { dryRun }),
    reportPathInput,
    defaultReportName: 'ferry-import-pull-request-report.json',
    outputs: {
      [o.imported]: String(written.length),
      [o.status]: results
        .map((r) => (results.length > 1 ? `#${r.details?.pullRequest.number} ` : '') + r.details?.status)
        .join(', '),
      [o.branch]: written.map((r) => r.details?.branch).join(','),
      [o.commitSha]: last?.commit ?? '',
      [o.pullRequestUrl]: results
        .map((r) => r.details?.privatePullRequest?.url)
        .filter(Boolean)
        .join(','),
    },
    summary: toMarkdown('Ferry: import pull requests', results),
    findings: results.flatMap((r) => r.findings),
    failure: failed.length ? failed.map((r) => `${r.target}: ${r.message}`).join('\n') : undefined,
  });
}
