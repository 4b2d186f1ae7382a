import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { commitFiles, git, lsTree, makeBare, makeRepo, showFile } from '../support/git-fixtures.js';
import { runAction, runCli } from '../support/run-action.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

afterAll(cleanupTmp);

/** A private monorepo with a ferry.yml: a pull command target, an export target, and a target that fails. */
async function workspace(): Promise<{ root: string; publicRepo: string }> {
  const base = await tmpDir('ferry-e2e-run-');
  const publicRepo = await makeBare(path.join(base, 'public.git'));
  const root = path.join(base, 'monorepo');
  const config = `version: "1"
defaults:
  direction: pull
targets:
  apps_truth:
    description: Pull live app truth
    entrypoint: scripts/apps-truth.sh
    outputs: [docs/runtime/**]
    verification:
      command: "grep -c name docs/runtime/apps.json"
      expected_min: 2
  public:
    kind: export
    direction: push
    repo: ${publicRepo}
    allowlist: public_allowlist.txt
  broken:
    entrypoint: scripts/broken.sh
    outputs: [broken/**]
safety:
  pre_sync_checks:
    - name: Git clean
      command: git diff --quiet && git diff --staged --quiet
  drift_gates:
    - name: app count
      command: "grep -c name docs/runtime/apps.json"
      min_value: 1
`;
  await makeRepo(root, {
    '.github/ferry.yml': config,
    'scripts/apps-truth.sh':
      'mkdir -p docs/runtime\nprintf \'{"apps":[\\n{"name":"web"},\\n{"name":"api"}\\n]}\\n\' > docs/runtime/apps.json\n',
    'scripts/broken.sh': 'echo "upstream API returned 500" >&2\nexit 2\n',
    'public_allowlist.txt': 'README.md\nsrc/core/\n!src/core/premium/\n',
    'README.md': '# Product\n',
    'src/core/engine.py': 'def run():\n    return 1\n',
    'src/core/premium/billing.py': 'PRICE = 42\n',
  });
  return { root, publicRepo };
}

describe('root action (dist/run) end to end', () => {
  test('runs every target, fails at the end, writes the report, outputs and summary', async () => {
    const { root, publicRepo } = await workspace();
    const reportPath = path.join(root, '..', 'report.json');
    const run = await runAction('.', { cwd: root, inputs: { 'report-path': reportPath } });

    expect(run.exitCode).toBe(1);
    expect(run.log).toContain("ferry run failed: target 'broken'");
    const report = JSON.parse(await fs.readFile(reportPath, 'utf8'));
    expect(report).toMatchObject({
      total_targets: 3,
      successful: 2,
      failed: 1,
      success: false,
      dry_run: false,
    });
    expect(typeof report.timestamp).toBe('string');
    expect(typeof report.total_duration).toBe('number');
    const by = Object.fromEntries(report.results.map((r: { target: string }) => [r.target, r]));
    expect(by.apps_truth).toMatchObject({
      direction: 'pull',
      success: true,
      outputs_created: ['docs/runtime/apps.json'],
      verification_passed: true,
    });
    expect(by.public).toMatchObject({ kind: 'export', direction: 'push', success: true, changed: true });
    expect(by.broken).toMatchObject({
      success: false,
      message: 'scripts/broken.sh exited 2: upstream API returned 500',
    });
    expect(report.checks.map((c: { name: string; success: boolean }) => [c.name, c.success])).toEqual([
      ['Git clean', true],
      ['app count', true],
    ]);

    // the pull target committed its declared output only; the export published the allowlisted part
    expect(git(root, ['log', '-1', '--format=%s'])).toBe('ferry: sync apps_truth');
    expect(lsTree(publicRepo)).toEqual(['README.md', 'src/core/engine.py']);
    expect(showFile(publicRepo, 'main', 'README.md')).toBe('# Product');

    expect(run.outputs).toMatchObject({
      success: 'false',
      'report-path': reportPath,
      'total-targets': '3',
      successful: '2',
      failed: '1',
    });
    expect(JSON.parse(run.outputs['changed-targets'])).toEqual(['apps_truth', 'public']);
    expect(JSON.parse(run.outputs.report).results).toHaveLength(3);
    expect(run.summary).toContain('Ferry run: 2/3 targets succeeded — run FAILED');
    expect(run.summary).toContain('| broken | command | ❌ failed |');
    expect(run.summary).toContain('| pre-sync | Git clean | ✅ passed |');
    expect(run.summary).toContain('| apps_truth | ✅ |');
  });

  test('target glob + dry run: nothing changes, the step passes', async () => {
    const { root, publicRepo } = await workspace();
    const head = git(root, ['rev-parse', 'HEAD']);
    const run = await runAction('.', { cwd: root, inputs: { target: 'apps_*, public', 'dry-run': 'true' } });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.success).toBe('true');
    const report = JSON.parse(run.outputs.report);
    expect(report.dry_run).toBe(true);
    expect(report.results.map((r: { target: string }) => r.target)).toEqual(['apps_truth', 'public']);
    expect(git(root, ['rev-parse', 'HEAD'])).toBe(head);
    expect(lsTree(publicRepo)).toEqual([]);
    expect(run.summary).toContain('Dry run');
  });

  test('a config error fails the step with file:line and no stack trace', async () => {
    const { root } = await workspace();
    const cfg = path.join(root, '.github/ferry.yml');
    await fs.writeFile(
      cfg,
      (await fs.readFile(cfg, 'utf8')).replace(
        '    outputs: [docs/runtime/**]',
        '    outpts: [docs/runtime/**]',
      ),
    );
    const run = await runAction('.', { cwd: root });
    expect(run.exitCode).toBe(1);
    expect(run.log).toContain(
      ".github/ferry.yml:8:5: unknown key 'outpts' in 'targets.apps_truth'. Did you mean 'outputs'?",
    );
    expect(run.log).not.toMatch(/\n\s+at /);
  });
});

describe('ferry CLI (dist/cli): run, list, status, workflows', () => {
  test('run --json, list --json matrix, workflows round trip, status --fail-on-drift', async () => {
    const { root } = await workspace();
    const run = await runCli(['run', '--target', 'apps_truth', '--verify', '--json', '--ci'], { cwd: root });
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      total_targets: 1,
      successful: 1,
      results: [{ target: 'apps_truth' }],
    });

    const all = await runCli(['run', '--ci'], { cwd: root });
    expect(all.exitCode).toBe(1);
    expect(all.stdout).toContain(
      '::error file=.github/ferry.yml,line=17,title=ferry%3A target-failed::broken: scripts/broken.sh exited 2',
    );

    const list = await runCli(['list', '--json'], { cwd: root });
    expect(JSON.parse(list.stdout)).toEqual({
      include: [
        { target: 'apps_truth', direction: 'pull', kind: 'command' },
        { target: 'public', direction: 'push', kind: 'export' },
        { target: 'broken', direction: 'pull', kind: 'command' },
      ],
    });

    expect((await runCli(['workflows', '--check'], { cwd: root })).exitCode).toBe(1);
    expect((await runCli(['workflows', '--write'], { cwd: root })).exitCode).toBe(0);
    expect((await runCli(['workflows', '--check'], { cwd: root })).exitCode).toBe(0);

    // `run` above exported: in sync. A new commit to an exported path is drift.
    const clean = await runCli(['status', '--json', '--fail-on-drift', '--target', 'public'], { cwd: root });
    expect(JSON.parse(clean.stdout).results[0]).toMatchObject({ changed: false, message: 'in sync' });
    expect(clean.exitCode).toBe(0);
    await commitFiles(root, { 'src/core/engine.py': 'def run():\n    return 2\n' });
    await commitFiles(root, { 'src/core/premium/billing.py': 'PRICE = 43\n' });
    const status = await runCli(['status', '--json', '--fail-on-drift'], { cwd: root });
    const pub = JSON.parse(status.stdout).results.find((r: { target: string }) => r.target === 'public');
    expect(pub).toMatchObject({ changed: true, counts: { unexported: 1, commits_since_export: 2 } });
    expect(pub.findings.map((f: { code: string }) => f.code)).toEqual(['unexported-commits']);
    expect(status.exitCode).toBe(1);

    const bad = await runCli(['run', '--target', 'publc'], { cwd: root });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain("no target in .github/ferry.yml matches 'publc'. Did you mean 'public'?");
  });
});
