import * as path from 'node:path';
import * as core from '@actions/core';
import { loadConfig } from '../core/config/load.js';
import { ConfigurationError } from '../core/errors.js';
import { registerSecret } from '../core/git/secrets.js';
import type { Direction } from '../core/report/result.js';
import { runConfig } from '../core/runner/run.js';
import { runMarkdown, toRunReport, writeRunReport } from '../core/runner/report.js';
import { divergenceIssueFactory } from '../github/divergence-issues.js';
import { annotate, boolInput, listInput, runActionMain, secretInput } from './action-runner.js';

/** The root action: ferry.yml through the runner. */
const INPUT = {
  config: 'config',
  target: 'target',
  direction: 'direction',
  dryRun: 'dry-run',
  verify: 'verify',
  reportPath: 'report-path',
  token: 'token',
  workingDirectory: 'working-directory',
} as const;

const OUTPUT = {
  success: 'success',
  reportPath: 'report-path',
  report: 'report',
  totalTargets: 'total-targets',
  successful: 'successful',
  failed: 'failed',
  changedTargets: 'changed-targets',
} as const;

interface RunSettings {
  config: string;
  root: string;
  targets: string[];
  direction?: Direction;
  dryRun: boolean;
  verify: boolean;
  reportPath: string;
  token?: string;
}

function readSettings(): RunSettings {
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const direction = core.getInput(INPUT.direction).trim();
  if (direction && !['pull', 'push', 'bidirectional'].includes(direction))
    throw new ConfigurationError(
      `Input 'direction' must be pull, push, bidirectional or empty, got '${direction}'.`,
    );
  const report = core.getInput(INPUT.reportPath).trim();
  return {
    config: core.getInput(INPUT.config).trim() || '.github/ferry.yml',
    root: path.resolve(workspace, core.getInput(INPUT.workingDirectory).trim() || '.'),
    targets: listInput(INPUT.target),
    direction: (direction || undefined) as Direction | undefined,
    dryRun: boolInput(INPUT.dryRun),
    verify: boolInput(INPUT.verify),
    reportPath: report
      ? path.resolve(workspace, report)
      : path.join(process.env.RUNNER_TEMP ?? workspace, 'ferry-report.json'),
    token: secretInput(INPUT.token),
  };
}

export async function run(): Promise<void> {
  await runActionMain(async (logger) => {
    const s = readSettings();
    registerSecret(s.token);
    const cfg = await loadConfig(s.config, { root: s.root, cwd: s.root });
    const outcome = await runConfig(cfg, {
      targets: s.targets,
      direction: s.direction,
      dryRun: s.dryRun,
      verify: s.verify,
      logger,
      env: { ...process.env, ...(s.token ? { FERRY_TOKEN: s.token } : {}) },
      // Mirror targets open their divergence issues with the same token.
      divergenceIssues: divergenceIssueFactory(s.token, logger),
    });
    const report = toRunReport(outcome);
    await writeRunReport(s.reportPath, report);
    core.setOutput(OUTPUT.success, String(outcome.success));
    core.setOutput(OUTPUT.reportPath, s.reportPath);
    core.setOutput(OUTPUT.report, JSON.stringify(report));
    core.setOutput(OUTPUT.totalTargets, String(report.total_targets));
    core.setOutput(OUTPUT.successful, String(report.successful));
    core.setOutput(OUTPUT.failed, String(report.failed));
    core.setOutput(
      OUTPUT.changedTargets,
      JSON.stringify(outcome.results.filter((r) => r.changed).map((r) => r.target)),
    );
    if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(runMarkdown(outcome)).write();
    annotate(outcome.results.flatMap((r) => r.findings));
    if (!outcome.success) {
      const failed = [
        ...outcome.results.filter((r) => !r.success).map((r) => `target '${r.target}'`),
        ...outcome.checks.filter((c) => !c.success).map((c) => `${c.phase} '${c.name}'`),
      ];
      core.setFailed(`ferry run failed: ${failed.join(', ')}. See the job summary and ${s.reportPath}.`);
    }
  });
}
