/**
 * The one way an action tells what happened: the JSON report file, the outputs, the job summary,
 * the annotations and the step's failure. Every action (the root action included) ends here, so
 * they cannot drift apart.
 */
import * as core from '@actions/core';
import * as path from 'node:path';
import { redact } from '../core/git/secrets.js';
import type { Finding } from '../core/report/result.js';
import { writeFileAtomic } from '../core/util/fs-atomic.js';

export interface Publication {
  /** The report (JSON, written to the report file and never changed on the way). */
  report: object;
  /** The action's `report-path` input; empty: RUNNER_TEMP/<defaultReportName>. */
  reportPathInput: string;
  defaultReportName: string;
  /** Output name → value; the report path is added under `report-path`. */
  outputs: Record<string, string>;
  /** The job summary (Markdown). */
  summary: string;
  /** Findings to annotate (deduplicated: a finding shared by two results is shown once). */
  findings: readonly Finding[];
  /** Set when the step fails: the one line that says why. */
  failure?: string;
}

/** Relative to the workspace, as every path input is; the default lives in RUNNER_TEMP. */
export function resolveReportPath(input: string, defaultName: string): string {
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  if (input.trim()) return path.resolve(workspace, input.trim());
  return path.join(process.env.RUNNER_TEMP || workspace, defaultName);
}

export async function publish(p: Publication): Promise<string> {
  const reportPath = resolveReportPath(p.reportPathInput, p.defaultReportName);
  await writeFileAtomic(reportPath, JSON.stringify(p.report, null, 2) + '\n');
  for (const [name, value] of Object.entries({ ...p.outputs, 'report-path': reportPath }))
    core.setOutput(name, value);
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(p.summary).write();
  annotate(p.findings);
  if (p.failure) core.setFailed(redact(p.failure));
  return reportPath;
}

/** Findings as annotations at file:line. */
function annotate(findings: readonly Finding[]): void {
  const seen = new Set<string>();
  for (const f of findings) {
    const key = `${f.severity}|${f.code}|${f.file ?? ''}|${f.line ?? ''}|${f.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const props = f.file
      ? { file: f.file, startLine: f.line, startColumn: f.column, title: `ferry: ${f.code}` }
      : { title: `ferry: ${f.code}` };
    if (f.severity === 'error') core.error(redact(f.message), props);
    else if (f.severity === 'warning') core.warning(redact(f.message), props);
    else core.notice(redact(f.message), props);
  }
}
