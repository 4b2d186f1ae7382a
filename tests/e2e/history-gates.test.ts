import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { exportArgs } from '../support/cli-fixtures.js';
import { commitFiles, lsTree, makeBare, makeRepo, revParse } from '../support/git-fixtures.js';
import { GitHttpServer } from '../support/git-http-server.js';
import { runAction, runCli } from '../support/run-action.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

/**
 * History mode's gates through dist/ (issue 15): one dry run of a first run shows every finding,
 * and a restructuring commit is let through by name (allow-mass-delete-commits), in the spelling
 * of the surface the user is on.
 */
const TOKEN = 'ghs_e2eHistoryGatesToken0001112223';
afterAll(cleanupTmp);

test('ferry export --dry-run: the first-run snapshot’s findings and the replayed commits’ in one result', async () => {
  const dir = await tmpDir('ferry-e2e-hfirst-');
  const source = path.join(dir, 'src');
  await makeRepo(source, { 'pub/a.txt': 'a\n' });
  const start = await commitFiles(source, { 'pub/.env': 'TOKEN=1\n' }, 'add env');
  const secret = await commitFiles(
    source,
    { 'pub/cfg.txt': `aws = ${'AKIA' + 'Z7QK2M3XW4RT6YPL'}\n` },
    'key',
  );
  const target = await makeBare(path.join(dir, 'target.git'));
  await fs.writeFile(path.join(dir, 'allow.txt'), 'pub/\n');
  const args = exportArgs(source, target, path.join(dir, 'allow.txt'), '--mode', 'history', '--since', start);

  const r = await runCli([...args, '--dry-run', '--json']);
  expect(r.exitCode).toBe(1);
  const result = JSON.parse(r.stdout).results[0];
  expect(result.success).toBe(false);
  const errors = (result.findings as { severity: string; code: string; message: string }[]).filter(
    (f) => f.severity === 'error',
  );
  expect(errors.map((f) => f.code).sort()).toEqual(['forbidden-path', 'secret']);
  expect(errors.find((f) => f.code === 'forbidden-path')?.message).toContain(start);
  expect(errors.find((f) => f.code === 'secret')?.message).toContain(secret.slice(0, 12));
  expect(revParse(target, 'main')).toBeUndefined();

  // The real run refuses as before: at the first-run snapshot, nothing pushed.
  const real = await runCli([...args, '--json']);
  expect(real.exitCode).toBe(1);
  expect(JSON.parse(real.stdout).results[0].findings.map((f: { code: string }) => f.code)).toContain(
    'forbidden-path',
  );
  expect(revParse(target, 'main')).toBeUndefined();
});

describe('allow-mass-delete-commits', () => {
  let server: GitHttpServer;
  let source: string;
  let restructure: string;
  beforeAll(async () => {
    const dir = await tmpDir('ferry-e2e-hmdc-');
    server = new GitHttpServer(path.join(dir, 'srv'), TOKEN);
    await server.start();
    source = path.join(dir, 'work');
    const many = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`pub/f${i}.txt`, `${i}\n`]));
    await makeRepo(source, { ...many, 'allow.txt': 'pub/\n' });
  });
  afterAll(() => server.stop());

  const inputs = (repo: string, extra: Record<string, string> = {}) => ({
    'target-repo': repo,
    token: TOKEN,
    allowlist: 'allow.txt',
    mode: 'history',
    ...extra,
  });

  test('dist/sync-to-public and dist/cli: the refusal names the commit and the setting; naming it lets it through', async () => {
    const bare = await server.repo('acme/hist');
    const env = { GITHUB_SERVER_URL: server.url };
    const first = await runAction('sync-to-public', { cwd: source, env, inputs: inputs('acme/hist') });
    expect(first.exitCode).toBe(0);
    const gone = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`pub/f${i}.txt`, null]));
    restructure = await commitFiles(source, gone, 'restructure');
    const tip = revParse(bare, 'main');

    const refused = await runAction('sync-to-public', { cwd: source, env, inputs: inputs('acme/hist') });
    expect(refused.exitCode).toBe(1);
    expect(refused.stdout).toContain(`source commit ${restructure}`);
    expect(refused.stdout).toContain(
      `set allow-mass-delete-commits: ${restructure.slice(0, 12)} to allow it for this source commit only`,
    );
    expect(revParse(bare, 'main')).toBe(tip);

    // The CLI says the same with its flag.
    const cli = await runCli(
      [
        'export',
        '--source',
        source,
        '--target',
        `${server.url}/acme/hist.git`,
        '--allowlist',
        path.join(source, 'allow.txt'),
        '--mode',
        'history',
      ],
      { env: { FERRY_TOKEN: TOKEN, GITHUB_SERVER_URL: server.url } },
    );
    expect(cli.exitCode).toBe(1);
    expect(cli.stdout + cli.stderr).toContain(
      `set --allow-mass-delete-commit ${restructure.slice(0, 12)} to allow it for this source commit only, or --allow-mass-delete for the whole run`,
    );

    // An unknown id is a configuration error naming it.
    const unknown = await runAction('sync-to-public', {
      cwd: source,
      env,
      inputs: inputs('acme/hist', { 'allow-mass-delete-commits': 'deadbeef1234' }),
    });
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stdout).toContain(
      "input 'allow-mass-delete-commits': no commit deadbeef1234 in the source repository",
    );

    const allowed = await runAction('sync-to-public', {
      cwd: source,
      env,
      inputs: inputs('acme/hist', { 'allow-mass-delete-commits': restructure.slice(0, 8) }),
    });
    expect(allowed.exitCode).toBe(0);
    expect(allowed.stdout).toContain("allowed by input 'allow-mass-delete-commits'");
    expect(lsTree(bare)).toHaveLength(10);
    expect(revParse(bare, 'main')).not.toBe(tip);
  });
});
