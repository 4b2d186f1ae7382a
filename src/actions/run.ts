import { loadConfig } from '../core/config/load.js';
import { DEFAULT_CONFIG_PATH } from '../core/config/types.js';
import { ConfigurationError } from '../core/errors.js';
import type { Direction } from '../core/report/result.js';
import { runConfig } from '../core/runner/run.js';
import { runMarkdown, toRunReport } from '../core/runner/report.js';
import { ALL_DIRECTIONS } from '../core/runner/workflows.js';
import { settingName } from '../core/settings/surface.js';
import { lookupToken } from '../core/settings/token.js';
import { exportPullRequestFactory } from '../github/export-pull-requests.js';
import { divergenceIssueFactory } from '../github/divergence-issues.js';
import { inWorkspace, runActionMain } from './action-runner.js';
import { RUN } from './constants.js';
import { readInputs } from './input-helper.js';
import { publish, resolveReportPath } from './publish.js';

/** The root action: ferry.yml through the runner. */
function direction(value: string): Direction | undefined {
  if (value === '' || value === ALL_DIRECTIONS) return undefined;
  if (value === 'pull' || value === 'push' || value === 'bidirectional') return value;
  throw new ConfigurationError(
    `${settingName('direction')} must be pull, push, bidirectional, all or empty, got '${value}'.`,
  );
}

export async function run(): Promise<void> {
  await runActionMain(async (logger) => {
    const i = readInputs(RUN.inputs);
    const root = inWorkspace(i.workingDirectory || '.');
    const token = lookupToken(process.env, { value: i.token });
    const cfg = await loadConfig(i.config || DEFAULT_CONFIG_PATH, { root, cwd: root });
    const outcome = await runConfig(cfg, {
      targets: i.target,
      direction: direction(i.direction),
      dryRun: i.dryRun,
      verify: i.verify,
      logger,
      env: { ...process.env, ...(token ? { FERRY_TOKEN: token } : {}) },
      // Mirror targets open their divergence issues with the same token.
      divergenceIssues: divergenceIssueFactory(token, logger),
      // Export targets' pull requests: with the target's token (token_env), else the run's.
      pullRequests: (t) => exportPullRequestFactory(t ?? token, logger),
    });
    const report = toRunReport(outcome);
    const o = RUN.outputs;
    const failed = [
      ...outcome.results.filter((r) => !r.success).map((r) => `target '${r.target}'`),
      ...outcome.checks.filter((c) => !c.success).map((c) => `${c.phase} '${c.name}'`),
    ];
    const reportPath = resolveReportPath(i.reportPath, 'ferry-report.json');
    await publish({
      report,
      reportPathInput: i.reportPath,
      defaultReportName: 'ferry-report.json',
      outputs: {
        [o.success]: String(outcome.success),
        [o.report]: JSON.stringify(report),
        [o.totalTargets]: String(report.total_targets),
        [o.successful]: String(report.successful),
        [o.failed]: String(report.failed),
        [o.changedTargets]: JSON.stringify(outcome.results.filter((r) => r.changed).map((r) => r.target)),
      },
      summary: runMarkdown(outcome),
      findings: outcome.results.flatMap((r) => r.findings),
      failure: outcome.success
        ? undefined
        : `ferry run failed: ${failed.join(', ')}. See the job summary and ${reportPath}.`,
    });
  });
}
