import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { exportArgs } from '../support/cli-fixtures.js';
import { commitFiles, lsTree, makeBare, makeRepo, revParse, showFile } from '../support/git-fixtures.js';
import { GitHttpServer } from '../support/git-http-server.js';
import { runAction, runCli } from '../support/run-action.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

/**
 * dist/sync-to-public, dist/sync-to-custom and dist/cli run the way the Actions runner and a user
 * run them, against the loopback git server (GITHUB_SERVER_URL points at it).
 */
const TOKEN = 'ghs_e2eLoopbackToken000111222333';
let server: GitHttpServer;
let dir: string;
let source: string;

beforeAll(async () => {
  dir = await tmpDir('ferry-e2e-export-');
  server = new GitHttpServer(path.join(dir, 'srv'), TOKEN);
  await server.start();
  source = path.join(dir, 'work');
  await makeRepo(source, {
    'public/a.py': 'print("a")\n',
    'public/b.md': '# b\n',
    'lib/core.py': 'x = 1\n',
    'premium/p.py': 'p = 1\n',
  });
  await fs.writeFile(path.join(source, 'allow.txt'), 'public/\n');
  await fs.mkdir(path.join(source, 'allowlists'));
  await fs.writeFile(path.join(source, 'allowlists/custom_package_allowlist.txt'), 'lib/\n');
  await fs.writeFile(
    path.join(source, 'allowlists/custom_package_allowlist_acme.txt'),
    'lib/\npublic/b.md\n',
  );
  await fs.mkdir(path.join(source, 'tpl'));
  await fs.writeFile(path.join(source, 'tpl/pyproject.toml'), '[project]\nname = "{package}-sdk"\n');
});
afterAll(async () => {
  await server.stop();
  await cleanupTmp();
});

const env = () => ({ GITHUB_SERVER_URL: server.url });
/** What the runner would show: `::add-mask::` commands are consumed by the runner, not printed. */
const shown = (log: string) =>
  log
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');

describe('dist/sync-to-public', () => {
  test('first export, outputs, summary and report; then a no-op', async () => {
    const bare = await server.repo('acme/public');
    const run = await runAction('sync-to-public', {
      cwd: source,
      env: env(),
      inputs: { 'target-repo': 'acme/public', token: TOKEN, allowlist: 'allow.txt', preserve: 'LICENSE' },
    });
    expect(shown(run.log)).not.toContain(TOKEN);
    expect(run.log).toContain(`::add-mask::${TOKEN}`);
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({
      changed: 'true',
      'files-added': '2',
      'files-modified': '0',
      'files-deleted': '0',
    });
    expect(run.outputs['commit-sha']).toBe(revParse(bare, 'main'));
    expect(lsTree(bare)).toEqual(['public/a.py', 'public/b.md']);
    expect(run.summary).toContain('| Target | Kind | Result | Changes | Message |');
    expect(run.summary).toMatch(/acme\/public\.git \| export \| ✅ changed \| added 2/);
    const report = JSON.parse(await fs.readFile(run.outputs['report-path'], 'utf8'));
    expect(report.results[0]).toMatchObject({
      success: true,
      changed: true,
      commit: run.outputs['commit-sha'],
    });

    const again = await runAction('sync-to-public', {
      cwd: source,
      env: env(),
      inputs: { 'target-repo': 'acme/public', token: TOKEN, allowlist: 'allow.txt' },
    });
    expect(again.exitCode).toBe(0);
    expect(again.outputs).toMatchObject({ changed: 'false', 'commit-sha': '', 'files-added': '0' });
  });

  test('dry run reports the plan and pushes nothing', async () => {
    const bare = await server.repo('acme/dry');
    const run = await runAction('sync-to-public', {
      cwd: source,
      env: env(),
      inputs: { 'target-repo': 'acme/dry', token: TOKEN, allowlist: 'allow.txt', 'dry-run': 'true' },
    });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.changed).toBe('true');
    expect(run.outputs['commit-sha']).toMatch(/^[0-9a-f]{40}$/);
    expect(run.summary).toContain('Dry run');
    expect(run.summary).toContain('would change');
    expect(revParse(bare, 'main')).toBeUndefined();
  });

  test('a gate stops the export: failed step, annotation, target untouched', async () => {
    const bare = await server.repo('acme/gated');
    const run = await runAction('sync-to-public', {
      cwd: source,
      env: env(),
      inputs: {
        'target-repo': 'acme/gated',
        token: TOKEN,
        allowlist: 'allow.txt',
        'forbidden-paths': '**/*.md',
      },
    });
    expect(run.exitCode).toBe(1);
    expect(run.log).toMatch(/::error .*forbidden-path/);
    expect(run.summary).toContain('❌ failed');
    expect(revParse(bare, 'main')).toBeUndefined();
  });

  test('a wrong token fails with a clear message and is not printed', async () => {
    await server.repo('acme/denied');
    const wrong = 'ghp_e2eWrongToken444555666777';
    const run = await runAction('sync-to-public', {
      cwd: source,
      env: env(),
      inputs: { 'target-repo': 'acme/denied', token: wrong, allowlist: 'allow.txt' },
    });
    expect(run.exitCode).toBe(1);
    expect(run.log).toMatch(/Authentication to .* failed/);
    expect(shown(run.log)).not.toContain(wrong);
  });
});

describe('dist/sync-to-custom', () => {
  test('two packages: own vs generic allowlist, {package} in target and map, template rendered', async () => {
    const acme = await server.repo('acme/acme-sdk');
    const globex = await server.repo('acme/globex-sdk');
    const run = await runAction('sync-to-custom', {
      cwd: source,
      env: env(),
      inputs: {
        'target-repo': 'acme/{package}-sdk',
        packages: 'acme\nglobex',
        token: TOKEN,
        'allowlist-dir': 'allowlists',
        map: 'lib/=lib_{package}/',
        template: 'tpl',
      },
    });
    expect(run.exitCode).toBe(0);
    expect(lsTree(acme)).toEqual(['lib_acme/core.py', 'public/b.md', 'pyproject.toml']);
    expect(lsTree(globex)).toEqual(['lib_globex/core.py', 'pyproject.toml']);
    expect(showFile(globex, 'main', 'pyproject.toml')).toContain('name = "globex-sdk"');
    expect(run.outputs).toMatchObject({ changed: 'true', 'files-added': '5', 'commit-sha': '' });
    expect(run.summary).toMatch(/acme → .*acme-sdk\.git \| custom \| ✅ changed/);
    expect(run.summary).toMatch(/globex → .*globex-sdk\.git \| custom \| ✅ changed/);
  });

  test('one failing package does not stop the others; the step fails', async () => {
    const ok = await server.repo('acme/okpkg-sdk');
    const run = await runAction('sync-to-custom', {
      cwd: source,
      env: env(),
      inputs: {
        'target-repo': 'acme/{package}-sdk',
        packages: 'missingpkg,okpkg',
        token: TOKEN,
        'allowlist-dir': 'allowlists',
      },
    });
    expect(run.exitCode).toBe(1);
    expect(lsTree(ok)).toEqual(['lib/core.py']);
    expect(run.summary).toMatch(/missingpkg .*❌ failed/);
  });
});

describe('dist/cli export and custom', () => {
  test('ferry export to a local path with --json; ferry custom; usage errors exit 2', async () => {
    const target = await makeBare(path.join(dir, 'cli-target.git'));
    const r = await runCli(exportArgs(source, target, path.join(source, 'allow.txt'), '--json'));
    expect(r.exitCode).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ tool: 'ferry', command: 'export', total_targets: 1, successful: 1 });
    expect(json.results[0].counts).toMatchObject({ added: 2 });
    expect(lsTree(target)).toEqual(['public/a.py', 'public/b.md']);

    await commitFiles(source, { 'public/a.py': 'print("A")\n' });
    const dry = await runCli(exportArgs(source, target, path.join(source, 'allow.txt'), '--dry-run'));
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toMatch(/WOULD CHANGE/);
    expect(dry.stdout).toMatch(/modified\s+public\/a\.py/);

    await makeBare(path.join(dir, 'pkg-acme.git'));
    const c = await runCli([
      'custom',
      '--package',
      'acme',
      '--allowlist-dir',
      path.join(source, 'allowlists'),
      '--source',
      source,
      '--target',
      path.join(dir, 'pkg-{package}.git'),
      '--json',
    ]);
    expect(c.exitCode).toBe(0);
    expect(lsTree(path.join(dir, 'pkg-acme.git'))).toEqual(['lib/core.py', 'public/b.md']);

    const bad = await runCli(['export', '--source', source, '--target', target]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/--allowlist is required/);
  });
});
