import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseConfig } from '../../src/core/config/load.js';
import { captureLogger } from '../../src/core/logger.js';
import { runConfig } from '../../src/core/runner/run.js';
import { runMarkdown, toRunReport } from '../../src/core/runner/report.js';
import { git, makeRepo } from '../support/git-fixtures.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';
import { loadSchemaValidator } from '../../src/core/config/validate.js';

// parseConfig is synchronous: its schema validator is loaded first (loadConfig awaits it).
await loadSchemaValidator();

afterAll(cleanupTmp);

const SCRIPTS = {
  // writes its declared output, plus a stray file it did not declare
  'scripts/pull.sh': 'mkdir -p data\necho \'{"apps":[1,2,3]}\' > data/apps.json\necho scratch > stray.txt\n',
  'scripts/fail.sh': 'echo boom >&2\nexit 3\n',
  'scripts/push.sh':
    'cp "$FERRY_INPUTS_FILE" "$OUT_DIR/inputs"\necho "$FERRY_TARGET_CONFIG" > "$OUT_DIR/config"\necho changed=false >> "$FERRY_OUTPUT"\n',
  'scripts/leak.sh': 'mkdir -p data\necho "token=$MY_API_TOKEN" > data/leak.txt\n',
  'docs/a.md': 'a\n',
  'docs/b.md': 'b\n',
  'README.md': 'readme\n',
};

const BASE = `version: "1"
defaults:
  direction: pull
targets:
  apps:
    entrypoint: scripts/pull.sh
    outputs: [data/**]
    verification:
      command: "grep -o '[0-9]' data/apps.json | wc -l"
      expected_min: 3
  broken:
    entrypoint: scripts/fail.sh
    outputs: [x/**]
  publish:
    direction: push
    entrypoint: scripts/push.sh
    inputs: ["docs/*.md"]
    config: { space: ENG }
`;

async function setup(config = BASE, extra: Record<string, string> = {}) {
  const root = await tmpDir('ferry-run-');
  await makeRepo(root, { ...SCRIPTS, ...extra, '.github/ferry.yml': config });
  git(root, ['config', 'user.name', 'Test']);
  git(root, ['config', 'user.email', 'test@example.com']);
  const out = await tmpDir('ferry-run-out-');
  const cfg = parseConfig(config, '.github/ferry.yml', { root });
  const run = (opts: Partial<Parameters<typeof runConfig>[1]> = {}) =>
    runConfig(cfg, { logger: captureLogger(), env: { ...process.env, OUT_DIR: out }, ...opts });
  return { root, out, cfg, run };
}

const commits = (root: string) => Number(git(root, ['rev-list', '--count', 'HEAD']));

describe('runner with command targets', () => {
  test('pull commits only declared outputs; a failing target does not stop the others; run fails', async () => {
    const { root, out, run } = await setup();
    const o = await run({ verify: true });
    const byName = Object.fromEntries(o.results.map((r) => [r.target, r]));
    expect(o.success).toBe(false);
    expect(o.results.map((r) => r.target)).toEqual(['apps', 'broken', 'publish']);
    expect(byName.apps.success).toBe(true);
    expect(byName.apps.changed).toBe(true);
    expect(byName.apps.outputsCreated).toEqual(['data/apps.json']);
    expect(byName.apps.verificationPassed).toBe(true);
    expect(byName.apps.findings.map((f) => [f.code, f.file])).toEqual([['undeclared-change', 'stray.txt']]);
    expect(git(root, ['show', '--name-only', '--format=%s', 'HEAD'])).toBe(
      'ferry: sync apps\n\ndata/apps.json',
    );
    expect(git(root, ['status', '--porcelain'])).toBe('?? stray.txt');
    expect(byName.broken.success).toBe(false);
    expect(byName.broken.message).toBe('scripts/fail.sh exited 3: boom');
    expect(byName.publish.success).toBe(true);
    expect(byName.publish.changed).toBe(false); // the script said changed=false
    expect(await fs.readFile(path.join(out, 'inputs'), 'utf8')).toBe('docs/a.md\ndocs/b.md\n');
    expect(JSON.parse(await fs.readFile(path.join(out, 'config'), 'utf8'))).toEqual({ space: 'ENG' });

    const report = toRunReport(o, new Date('2025-01-04T10:30:00Z'));
    expect(report).toMatchObject({
      timestamp: '2025-01-04T10:30:00.000Z',
      total_targets: 3,
      successful: 2,
      failed: 1,
      success: false,
      config: '.github/ferry.yml',
    });
    expect(report.results[0]).toMatchObject({
      target: 'apps',
      direction: 'pull',
      success: true,
      outputs_created: ['data/apps.json'],
      verification_passed: true,
    });
    expect(typeof report.results[0].duration).toBe('number');
    expect(typeof report.total_duration).toBe('number');
    expect(runMarkdown(o)).toContain('| broken | command | ❌ failed |');
  });

  test('idempotent: a second pull with the same output makes no commit', async () => {
    const { root, run } = await setup();
    await run({ targets: ['apps'] });
    const n = commits(root);
    const o = await run({ targets: ['apps'] });
    expect(o.success).toBe(true);
    expect(o.results[0].changed).toBe(false);
    expect(o.results[0].message).toBe('no changes to outputs');
    expect(commits(root)).toBe(n);
  });

  test('dry run runs nothing and commits nothing', async () => {
    const { root, run } = await setup();
    const o = await run({ dryRun: true, targets: ['apps', 'publish'] });
    expect(o.success).toBe(true);
    expect(o.results.map((r) => r.message)).toEqual([
      'dry run: would run scripts/pull.sh and commit changes under data/**',
      'dry run: would run scripts/push.sh with 2 input file(s)',
    ]);
    expect(commits(root)).toBe(1);
    expect(git(root, ['status', '--porcelain'])).toBe('');
  });

  test('commit: false keeps the outputs uncommitted', async () => {
    const { root, run } = await setup(
      BASE.replace('    outputs: [data/**]\n', '    outputs: [data/**]\n    commit: false\n'),
    );
    const o = await run({ targets: ['apps'] });
    expect(o.results[0].changed).toBe(true);
    expect(o.results[0].commit).toBeUndefined();
    expect(commits(root)).toBe(1);
  });

  test('a failing pre-sync check blocks every target', async () => {
    const cfg =
      BASE + 'safety:\n  pre_sync_checks:\n    - name: no TODO file\n      command: test ! -e TODO\n';
    const { root, run } = await setup(cfg, { TODO: 'x\n' });
    const o = await run();
    expect(o.success).toBe(false);
    expect(o.checks).toHaveLength(1);
    expect(o.checks[0]).toMatchObject({ name: 'no TODO file', phase: 'pre-sync', success: false, line: 21 });
    expect(
      o.results.every(
        (r) => !r.success && r.message.startsWith("not run: pre-sync check 'no TODO file' failed"),
      ),
    ).toBe(true);
    expect(commits(root)).toBe(1);
  });

  test('skip_on_pull skips a check when only pull targets run; expected_exit_code', async () => {
    const cfg =
      BASE +
      'safety:\n  pre_sync_checks:\n    - name: push only\n      command: "false"\n      skip_on_pull: true\n    - name: no secrets\n      command: git grep -q -E "password *="\n      expected_exit_code: 1\n';
    const { run } = await setup(cfg);
    const o = await run({ targets: ['apps'] });
    expect(o.checks.map((c) => [c.name, c.skipped, c.success])).toEqual([
      ['push only', true, true],
      ['no secrets', false, true],
    ]);
    expect(o.success).toBe(true);
  });

  test('drift gates: min_value and max_value on the number a command prints', async () => {
    const cfg =
      BASE +
      'safety:\n  drift_gates:\n    - name: app count\n      command: "grep -o \'[0-9]\' data/apps.json | wc -l"\n      min_value: 5\n    - name: drift score\n      command: echo score 0\n      max_value: 0\n';
    const { run } = await setup(cfg);
    const o = await run({ targets: ['apps'] });
    expect(o.checks.map((c) => [c.name, c.success, c.value, c.message])).toEqual([
      ['app count', false, 3, '3 is below min_value 5'],
      ['drift score', true, 0, '0 within [-∞, 0]'],
    ]);
    expect(o.success).toBe(false);
    expect(o.results[0].success).toBe(true);
  });

  test('verification: expected_min and expected_exit_code failures fail the target', async () => {
    const cfg = BASE.replace('expected_min: 3', 'expected_min: 10').replace(
      '    config: { space: ENG }\n',
      '    config: { space: ENG }\n    verification:\n      command: test -f nowhere\n',
    );
    const { run } = await setup(cfg);
    const o = await run({ targets: ['apps', 'publish'], verify: true });
    expect(o.results.map((r) => [r.verificationPassed, r.success])).toEqual([
      [false, false],
      [false, false],
    ]);
    expect(o.results[0].message).toContain('verification: 3 is below expected_min 10');
    expect(o.results[1].message).toContain('verification exited 1, expected 0');
    // without --verify, verification does not run
    const o2 = await run({ targets: ['apps'] });
    expect(o2.results[0].verificationPassed).toBeUndefined();
  });

  test('fail_on_diff fails a target that changed', async () => {
    const { run } = await setup(BASE.replace('defaults:\n', 'defaults:\n  fail_on_diff: true\n'));
    const o = await run({ targets: ['apps'] });
    expect(o.results[0].success).toBe(false);
    expect(o.results[0].message).toContain('fail_on_diff is set and the target changed');
  });

  test('a secret value (env named by secret_patterns) in an output is refused and redacted', async () => {
    const cfg =
      BASE.replace(
        'targets:\n',
        'targets:\n  leak:\n    entrypoint: scripts/leak.sh\n    outputs: [data/**]\n',
      ) + 'safety:\n  secret_patterns: [".*_API_TOKEN"]\n';
    const { root, run } = await setup(cfg);
    const logger = captureLogger();
    const o = await run({
      targets: ['leak'],
      logger,
      env: { ...process.env, MY_API_TOKEN: 'sup3r-s3cret-value' },
    });
    expect(o.results[0].success).toBe(false);
    expect(o.results[0].findings).toEqual([
      expect.objectContaining({ code: 'secret', file: 'data/leak.txt', line: 1, severity: 'error' }),
    ]);
    expect(JSON.stringify(toRunReport(o))).not.toContain('sup3r-s3cret-value');
    expect(commits(root)).toBe(1);
  });

  test('a missing entrypoint and a timeout are failed results, not crashes', async () => {
    const cfg = BASE.replace('scripts/fail.sh', 'scripts/missing.sh').replace(
      'targets:\n',
      'targets:\n  slow:\n    entrypoint: scripts/slow.sh\n    outputs: [s/**]\n    timeout_minutes: 0.01\n',
    );
    const { run } = await setup(cfg, { 'scripts/slow.sh': 'sleep 30\n' });
    const o = await run({ targets: ['slow', 'broken'] });
    expect(o.results.map((r) => r.message)).toEqual([
      'scripts/slow.sh timed out after 0.01 minutes',
      'entrypoint scripts/missing.sh not found (.github/ferry.yml:15). Create it or fix entrypoint.',
    ]);
  });

  test('dirsync kind: pull copies the shared side into the repo folder', async () => {
    const drive = await tmpDir('ferry-drive-');
    await fs.writeFile(path.join(drive, 'budget.csv'), 'a,1\n');
    const cfg = BASE.replace(
      'targets:\n',
      `targets:\n  drive:\n    kind: dirsync\n    direction: pull\n    a: ${drive}\n    b: staging\n    state: .ferry/drive.json\n`,
    );
    const { root, run } = await setup(cfg, { 'staging/local.txt': 'local\n' });
    const o = await run({ targets: ['drive'] });
    expect(o.results[0]).toMatchObject({
      target: 'drive',
      kind: 'dirsync',
      direction: 'pull',
      success: true,
      changed: true,
    });
    expect(await fs.readFile(path.join(root, 'staging', 'budget.csv'), 'utf8')).toBe('a,1\n');
    const again = await run({ targets: ['drive'] });
    expect(again.results[0].changed).toBe(false);
  });
});
