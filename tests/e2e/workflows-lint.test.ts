import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { git } from '../support/git-fixtures.js';
import { REPO_ROOT, runCli } from '../support/run-action.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

/**
 * Every workflow in examples/ and every workflow `ferry workflows --write` generates passes
 * actionlint and GitHub's own workflow parser (scripts/lint-workflows.mjs, also run by `npm run lint`).
 */
afterAll(cleanupTmp);

function lintWorkflows(...targets: string[]): { status: number; out: string } {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts/lint-workflows.mjs'), ...targets], {
    encoding: 'utf8',
    cwd: REPO_ROOT,
  });
  return { status: r.status ?? 1, out: r.stdout + r.stderr };
}

test('the generated workflows of examples/ferry.yml, and this repository’s own, pass both checks', async () => {
  const root = await tmpDir('ferry-wf-lint-');
  git(root, ['init', '-q', '-b', 'main']);
  await fs.mkdir(path.join(root, '.github'));
  await fs.copyFile(path.join(REPO_ROOT, 'examples/ferry.yml'), path.join(root, '.github/ferry.yml'));
  await fs.writeFile(
    path.join(root, 'public_allowlist.txt'),
    'src/{api,sdk}/\ndocs/*.md\n!docs/internal_*.md\n',
  );
  const w = await runCli(['workflows', '--write', '--json'], { cwd: root });
  expect(w.stderr).toBe('');
  expect(w.exitCode).toBe(0);
  const written = JSON.parse(w.stdout).written as string[];
  expect(written.length).toBeGreaterThanOrEqual(5);
  // One run for both: the linter's WebAssembly start-up is the slow part.
  const own = ['examples', '.github/workflows', 'action.yml', 'actions'];
  const r = lintWorkflows(path.join(root, '.github/workflows'), ...own);
  expect(r.out).toMatch(/, 0 problem\(s\)/);
  // the generated ones, 5 action.yml files, and examples/ (ferry.yml there is skipped: no workflow)
  expect(lintCount(r.out)).toBeGreaterThanOrEqual(written.length + 5 + 6);
  expect(r.status).toBe(0);
});

const lintCount = (out: string) => Number(/(\d+) file\(s\) checked/.exec(out)?.[1] ?? NaN);

test('the check fails on what GitHub or actionlint reject (an empty choice option, an unknown key)', async () => {
  const dir = await tmpDir('ferry-wf-bad-');
  await fs.writeFile(
    path.join(dir, 'bad.yml'),
    [
      'on:',
      '  workflow_dispatch:',
      '    inputs:',
      '      direction: { type: choice, options: ["", pull], default: "" }',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    stepz: []',
      '',
    ].join('\n'),
  );
  const r = lintWorkflows(dir);
  expect(r.status).toBe(1);
  expect(r.out).toMatch(/bad\.yml:4:\d+: string should not be empty \[actionlint/);
  expect(r.out).toMatch(/bad\.yml:8:\d+: .*stepz.* \[workflow-parser\]/);
});
