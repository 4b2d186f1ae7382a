import * as path from 'node:path';
import { toText } from '../../core/report/render.js';
import { runConfig, type RunOutcome } from '../../core/runner/run.js';
import { toRunReport, writeRunReport } from '../../core/runner/report.js';
import { exportPullRequestFactory } from '../../github/export-pull-requests.js';
import { divergenceIssueFactory } from '../../github/divergence-issues.js';
import { lookupToken } from '../../core/settings/token.js';
import { annotationLines } from '../annotations.js';
import { EXIT_FAILED, EXIT_OK, flag, list, str, type Command } from '../command.js';
import { CONFIG_OPTIONS, configFromArgs, directionArg } from './config-args.js';
import { listCommand } from './list.js';
import { statusCommand } from './status.js';
import { workflowsCommand } from './workflows.js';

/** Human output: one line per target and check. */
export function outcomeText(o: RunOutcome): string {
  const lines = [toText(o.results).trimEnd()];
  for (const c of o.checks)
    lines.push(
      `${c.phase} ${c.name}: ${c.skipped ? 'SKIPPED' : c.success ? 'PASSED' : 'FAILED'} (${c.message})`,
    );
  const ok = o.results.filter((r) => r.success).length;
  lines.push(
    '',
    `${ok}/${o.results.length} targets succeeded${o.dryRun ? ' (dry run)' : ''}; run ${o.success ? 'OK' : 'FAILED'}`,
  );
  return lines.join('\n') + '\n';
}

export const runCommand: Command = {
  name: 'run',
  summary: 'Run the targets of ferry.yml (pre-sync checks, targets, post-sync checks, drift gates)',
  usage: 'ferry run [--config FILE] [--target GLOB]... [options]',
  action: '.',
  options: {
    ...CONFIG_OPTIONS,
    'dry-run': {
      type: 'boolean',
      help: 'Plan only: run nothing that changes a repository, commit and push nothing.',
      input: 'dry-run',
    },
    verify: {
      type: 'boolean',
      help: "Run each target's verification command after it succeeds.",
      input: 'verify',
    },
    report: { type: 'string', arg: 'FILE', help: 'Write the JSON report to FILE.', input: 'report-path' },
  },
  env: { token: 'FERRY_TOKEN or GITHUB_TOKEN' },
  async run(args, ctx) {
    const cfg = await configFromArgs(args, ctx);
    const interactive = !ctx.ci && process.stderr.isTTY === true;
    const outcome = await runConfig(cfg, {
      targets: list(args, 'target'),
      direction: directionArg(args),
      dryRun: flag(args, 'dry-run'),
      verify: flag(args, 'verify'),
      logger: ctx.logger,
      progress: interactive ? (m) => process.stderr.write(`\u2192 ${m}\n`) : undefined,
      // Mirror targets open divergence issues when an API token is set (as `ferry mirror` does).
      divergenceIssues: divergenceIssueFactory(lookupToken(process.env), ctx.logger),
      pullRequests: (t) => exportPullRequestFactory(t ?? lookupToken(process.env), ctx.logger),
    });
    const report = toRunReport(outcome);
    const reportFile = str(args, 'report');
    if (reportFile) await writeRunReport(path.resolve(ctx.cwd, reportFile), report);
    if (ctx.ci) {
      const lines = annotationLines(outcome.results.flatMap((r) => r.findings));
      for (const r of outcome.results.filter((x) => !x.success)) {
        const t = cfg.targets.find((x) => x.name === r.target);
        lines.push(
          ...annotationLines([
            {
              severity: 'error',
              code: 'target-failed',
              message: `${r.target}: ${r.message}`,
              file: t?.where.file,
              line: t?.where.line,
            },
          ]),
        );
      }
      const write = flag(args, 'json') ? (s: string) => process.stderr.write(s) : ctx.out;
      for (const l of lines) write(l + '\n');
    }
    ctx.out(flag(args, 'json') ? JSON.stringify(report, null, 2) + '\n' : outcomeText(outcome));
    return outcome.success ? EXIT_OK : EXIT_FAILED;
  },
};

/** The runner's commands, registered together. */
export const runnerCommands: Command[] = [runCommand, listCommand, statusCommand, workflowsCommand];
