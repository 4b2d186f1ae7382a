import { toJsonReport } from '../../src/core/report/render.js';
import { newResult } from '../../src/core/report/result.js';
import { toRunReport } from '../../src/core/runner/report.js';
import type { RunOutcome } from '../../src/core/runner/run.js';
import { reportViolations } from '../support/report-schema.js';

/** The JSON report: one casing (snake_case) for every key, valid against schema/report.schema.json. */
function mirrorBranch() {
  const r = newResult('main', 'mirror-branch', false);
  r.counts = { pushedCommits: 0, onlyInA: 1, onlyInB: 2 };
  r.details = {
    branch: 'main',
    state: 'diverged',
    a: 'a'.repeat(40),
    b: 'b'.repeat(40),
    mergeBase: null,
    onlyInA: { count: 1, commits: [{ sha: 'a'.repeat(40), subject: 's', author: 'A <a@x>' }] },
    onlyInB: { count: 2, commits: [] },
    pushedTo: null,
    attempts: 0,
    fingerprint: null,
    issue: null,
  };
  return r;
}

test('every key of the report is snake_case, details and counts included', () => {
  const json = toJsonReport('bilateral-mirror', [mirrorBranch()]);
  expect(json.schema_version).toBe(2);
  expect(json.results[0].counts).toEqual({ pushed_commits: 0, only_in_a: 1, only_in_b: 2 });
  expect(json.results[0].details).toMatchObject({
    merge_base: null,
    only_in_a: { count: 1 },
    pushed_to: null,
  });
  const keys = (v: unknown): string[] =>
    Array.isArray(v)
      ? v.flatMap(keys)
      : v && typeof v === 'object'
        ? Object.entries(v).flatMap(([k, x]) => [k, ...keys(x)])
        : [];
  expect(keys(json).filter((k) => /[A-Z]/.test(k))).toEqual([]);
  expect(reportViolations(json)).toEqual([]);
});

test('a runner report with parts, verification and checks matches the schema', () => {
  const part = mirrorBranch();
  const target = newResult('twin', 'mirror', false);
  target.parts = [part];
  target.verification = { passed: true, message: 'ok', value: 3 };
  target.verificationPassed = true;
  const outcome = {
    config: { file: '.github/ferry.yml' },
    results: [target],
    checks: [
      {
        name: 'lint',
        phase: 'pre-sync',
        success: true,
        skipped: false,
        message: 'exit 0',
        exit_code: 0,
        value: null,
        duration: 0.1,
        file: '.github/ferry.yml',
        line: 3,
      },
    ],
    success: true,
    dryRun: false,
  } as unknown as RunOutcome;
  const json = toRunReport(outcome);
  expect(json.results[0].parts[0].details).toMatchObject({ state: 'diverged' });
  expect(reportViolations(json)).toEqual([]);
  // The schema is strict: a camelCase key anywhere would be refused.
  const bad = JSON.parse(JSON.stringify(json));
  bad.results[0].parts[0].details.mergeBase = null;
  expect(reportViolations(bad).join('\n')).toMatch(/property name/);
});
