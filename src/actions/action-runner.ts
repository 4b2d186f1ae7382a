import * as core from '@actions/core';
import { ConfigurationError, errorMessage, isConfigurationError } from '../core/errors.js';
import { redact, registeredSecrets } from '../core/git/secrets.js';
import type { Finding, TargetResult } from '../core/report/result.js';
import { toMarkdown } from '../core/report/render.js';
import { actionsLogger } from './action-logger.js';
import type { Logger } from '../core/logger.js';

/**
 * Every action's run(): set up the logger, run the body, and turn failures into a failed step.
 * A ConfigurationError fails with its message only; anything else keeps its stack (redacted).
 */
export async function runActionMain(body: (logger: Logger) => Promise<void>): Promise<void> {
  const logger = actionsLogger();
  try {
    await body(logger);
  } catch (e) {
    for (const s of registeredSecrets()) core.setSecret(s);
    if (isConfigurationError(e)) core.setFailed(redact(errorMessage(e)));
    else core.setFailed(redact(e instanceof Error ? (e.stack ?? e.message) : String(e)));
  }
}

/** Mask a secret input the moment it is read. */
export function secretInput(name: string): string | undefined {
  const v = core.getInput(name);
  if (v) core.setSecret(v);
  // The runner masks output line by line: a multi-line secret (an SSH key) is masked per line too.
  if (v.includes('\n'))
    for (const line of v.split(/\r?\n/)) if (line.trim().length >= 8) core.setSecret(line.trim());
  return v || undefined;
}

export function boolInput(name: string): boolean {
  const v = core.getInput(name).trim().toLowerCase();
  if (v === '') return false;
  if (['true', 'yes', '1', 'on'].includes(v)) return true;
  if (['false', 'no', '0', 'off'].includes(v)) return false;
  throw new ConfigurationError(`Input '${name}' must be true or false, got '${v}'.`);
}

/** A multi-line or comma-separated list input. */
export function listInput(name: string): string[] {
  return core
    .getInput(name)
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s && !s.startsWith('#'));
}

export function intInput(name: string, fallback: number): number {
  const v = core.getInput(name).trim();
  if (v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new ConfigurationError(`Input '${name}' must be a number, got '${v}'.`);
  return n;
}

/** Findings as annotations at file:line. */
export function annotate(findings: readonly Finding[]): void {
  for (const f of findings) {
    const props = f.file
      ? { file: f.file, startLine: f.line, startColumn: f.column, title: `ferry: ${f.code}` }
      : { title: `ferry: ${f.code}` };
    if (f.severity === 'error') core.error(redact(f.message), props);
    else if (f.severity === 'warning') core.warning(redact(f.message), props);
    else core.notice(redact(f.message), props);
  }
}

/** Job summary from the one result model. */
export async function writeSummary(title: string, results: readonly TargetResult[]): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  await core.summary.addRaw(toMarkdown(title, results)).write();
}
