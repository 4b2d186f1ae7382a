import type { CheckConfig, DriftGateConfig, TargetConfig, Verification } from '../config/types.js';
import type { Direction, VerificationOutcome } from '../report/result.js';
import { lastNumber, runShell, tail, type ShellOptions } from './shell.js';

/** One safety check, drift gate or verification, as it appears in the report's `checks`. */
export interface CheckResult {
  name: string;
  phase: 'pre-sync' | 'post-sync' | 'drift-gate';
  success: boolean;
  skipped: boolean;
  message: string;
  exit_code: number | null;
  value: number | null;
  duration: number;
  /** Where the check is written in ferry.yml. */
  file: string;
  line: number;
}

/** Whether a check applies to a run of these directions (skip_on_pull / skip_on_push). */
export function checkApplies(c: CheckConfig, directions: readonly Direction[]): boolean {
  if (c.skip_on_pull && directions.length > 0 && directions.every((d) => d === 'pull')) return false;
  if (c.skip_on_push && directions.length > 0 && directions.every((d) => d === 'push')) return false;
  return true;
}

export async function runCheck(
  c: CheckConfig,
  phase: 'pre-sync' | 'post-sync',
  directions: readonly Direction[],
  shell: ShellOptions,
): Promise<CheckResult> {
  const base = { name: c.name, phase, file: c.where.file, line: c.where.line };
  if (!checkApplies(c, directions))
    return {
      ...base,
      success: true,
      skipped: true,
      message: 'skipped for this direction',
      exit_code: null,
      value: null,
      duration: 0,
    };
  const r = await runShell(c.command, shell);
  const ok = !r.timedOut && r.exitCode === c.expected_exit_code;
  return {
    ...base,
    success: ok,
    skipped: false,
    message: ok
      ? `exit ${r.exitCode}`
      : r.timedOut
        ? 'timed out'
        : `exit ${r.exitCode}, expected ${c.expected_exit_code}${outputHint(r.stdout, r.stderr)}`,
    exit_code: r.exitCode,
    value: null,
    duration: r.durationMs / 1000,
  };
}

export async function runDriftGate(g: DriftGateConfig, shell: ShellOptions): Promise<CheckResult> {
  const r = await runShell(g.command, shell);
  const base = { name: g.name, phase: 'drift-gate' as const, file: g.where.file, line: g.where.line };
  const value = lastNumber(r.stdout);
  let problem: string | undefined;
  if (r.timedOut) problem = 'timed out';
  else if (r.exitCode !== 0) problem = `exit ${r.exitCode}${outputHint(r.stdout, r.stderr)}`;
  else if (value === undefined) problem = 'the command printed no number';
  else if (g.min_value !== undefined && value < g.min_value)
    problem = `${value} is below min_value ${g.min_value}`;
  else if (g.max_value !== undefined && value > g.max_value)
    problem = `${value} is above max_value ${g.max_value}`;
  return {
    ...base,
    success: problem === undefined,
    skipped: false,
    message: problem ?? `${value} within ${bounds(g.min_value, g.max_value)}`,
    exit_code: r.exitCode,
    value: value ?? null,
    duration: r.durationMs / 1000,
  };
}

/** A target's verification: exit code and/or the last number printed against expected_min/max. */
export async function runVerification(
  target: TargetConfig,
  v: Verification,
  shell: ShellOptions,
): Promise<VerificationOutcome> {
  const r = await runShell(v.command, shell);
  const expectCode =
    v.expected_exit_code ?? (v.expected_min === undefined && v.expected_max === undefined ? 0 : undefined);
  if (r.timedOut) return { passed: false, message: `verification of '${target.name}' timed out` };
  if (expectCode !== undefined && r.exitCode !== expectCode)
    return {
      passed: false,
      message: `verification exited ${r.exitCode}, expected ${expectCode}${outputHint(r.stdout, r.stderr)}`,
    };
  if (v.expected_min !== undefined || v.expected_max !== undefined) {
    const n = lastNumber(r.stdout);
    if (n === undefined) return { passed: false, message: 'verification printed no number' };
    if (v.expected_min !== undefined && n < v.expected_min)
      return {
        passed: false,
        value: n,
        message: `verification: ${n} is below expected_min ${v.expected_min}`,
      };
    if (v.expected_max !== undefined && n > v.expected_max)
      return {
        passed: false,
        value: n,
        message: `verification: ${n} is above expected_max ${v.expected_max}`,
      };
    return {
      passed: true,
      value: n,
      message: `verification: ${n} within ${bounds(v.expected_min, v.expected_max)}`,
    };
  }
  return { passed: true, message: `verification: exit ${r.exitCode}` };
}

function bounds(min?: number, max?: number): string {
  return `[${min ?? '-∞'}, ${max ?? '∞'}]`;
}

function outputHint(stdout: string, stderr: string): string {
  const t = tail(stderr || stdout, 3);
  return t ? `: ${t}` : '';
}
