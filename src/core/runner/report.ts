import { toJsonReport, toMarkdown, type JsonReport } from '../report/render.js';
import { redact } from '../git/secrets.js';
import { writeFileAtomic } from '../util/fs-atomic.js';
import type { CheckResult } from './checks.js';
import type { RunOutcome } from './run.js';

/**
 * The runner's JSON report: the shared report (the seed's shape: timestamp, total_targets,
 * successful, failed, total_duration, results[] with target, direction, success, message, duration,
 * outputs_created, verification_passed) plus the config file, overall success and the safety checks.
 * Fields are only ever added.
 */
export interface RunReport extends JsonReport {
  config: string;
  success: boolean;
  checks: CheckResult[];
}

export function toRunReport(o: RunOutcome, now?: Date): RunReport {
  return {
    ...toJsonReport('run', o.results, { dryRun: o.dryRun, now }),
    config: o.config.file,
    success: o.success,
    checks: o.checks,
  };
}

export async function writeRunReport(file: string, report: RunReport): Promise<void> {
  // Messages are redacted where they are made; this is the last line of defence for a file a user may share.
  await writeFileAtomic(file, redact(JSON.stringify(report, null, 2)) + '\n');
}

function esc(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The job summary and the CLI's human output: the shared target table plus checks and verification. */
export function runMarkdown(o: RunOutcome): string {
  const ok = o.results.filter((r) => r.success).length;
  const out = [
    toMarkdown(
      `Ferry run: ${ok}/${o.results.length} targets succeeded${o.success ? '' : ' — run FAILED'}`,
      o.results,
    ).trimEnd(),
  ];
  const verified = o.results.filter(
    (r) => r.verificationPassed !== undefined && r.verificationPassed !== null,
  );
  if (verified.length) {
    out.push('', '### Verification', '', '| Target | Passed |', '| --- | --- |');
    for (const r of verified) out.push(`| ${esc(r.target)} | ${r.verificationPassed ? '✅' : '❌'} |`);
  }
  if (o.checks.length) {
    out.push('', '### Checks', '', '| Phase | Check | Result | Detail |', '| --- | --- | --- | --- |');
    for (const c of o.checks)
      out.push(
        `| ${c.phase} | ${esc(c.name)} | ${c.skipped ? '⏭ skipped' : c.success ? '✅ passed' : '❌ failed'} | ${esc(c.message)} |`,
      );
  }
  return out.join('\n') + '\n';
}
