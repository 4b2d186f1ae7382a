import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { exportArgs as exportCli, serverAndSource, STACK } from '../support/cli-fixtures.js';
import { git, makeBare, makeRepo } from '../support/git-fixtures.js';
import { MirrorPair } from '../support/github-mirror-fixtures.js';
import type { GitHttpServer } from '../support/git-http-server.js';
import { runCli } from '../support/run-action.js';
import { cleanupTmp } from '../support/tmp.js';

/**
 * The one error rule (src/core/errors.ts), through dist/cli as a user meets it: configuration and
 * usage errors exit 2 without a stack; a failed sync (a remote that refuses, or keeps failing after
 * the retries) exits 1 in one line without a stack; a bug exits 1 with its stack.
 */
let server: GitHttpServer;
let dir: string;
let source: string;
let allowlist: string;
const TOKEN = 'good-token-123456';

beforeAll(async () => {
  ({ dir, server, source, allowlist } = await serverAndSource('ferry-exit-', TOKEN));
  await server.repo('acme/public');
});
afterAll(async () => {
  await server.stop();
  await cleanupTmp();
});

const exportArgs = () => exportCli(source, server.repoUrl('acme/public'), allowlist);

test('a usage error exits 2 with the message and no stack', async () => {
  const r = await runCli(['export', '--source', source, '--target', 'x/y']);
  expect(r.exitCode).toBe(2);
  expect(r.stderr).toContain('--allowlist is required');
  expect(r.stderr).not.toMatch(STACK);
});

test('a configuration error exits 2 at file:line with no stack', async () => {
  await fs.writeFile(path.join(dir, 'bad.yml'), 'version: "1"\ntargets:\n  a:\n    kind: export\n');
  const r = await runCli(['run', '--config', 'bad.yml'], { cwd: dir });
  expect(r.exitCode).toBe(2);
  expect(r.stderr).toMatch(/bad\.yml:\d+/);
  expect(r.stderr).not.toMatch(STACK);
});

test('a gate flag is named as the flag: a missing --secret-baseline exits 2 (export and wiki)', async () => {
  const missing = path.join(dir, 'missing-baseline.json');
  for (const args of [
    [...exportArgs(), '--secret-baseline', missing],
    [
      'wiki',
      '--source',
      source,
      '--public-wiki',
      'acme/public.wiki',
      '--public-allowlist',
      allowlist,
      '--secret-baseline',
      missing,
    ],
  ]) {
    const r = await runCli(args);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`Secret baseline ${missing} (--secret-baseline) does not exist`);
    expect(r.stderr).not.toMatch(STACK);
  }
});

test('an authentication failure is a failed sync: exit 1, one line, no stack', async () => {
  const r = await runCli(exportArgs(), {
    env: { FERRY_TOKEN: 'wrong-token-999999', GITHUB_SERVER_URL: server.url },
  });
  expect(r.exitCode).toBe(1);
  expect(r.stderr).toMatch(/Authentication to .* failed/);
  expect(r.stderr).not.toMatch(STACK);
  expect(r.stderr).not.toContain('wrong-token-999999');
});

test('a server still failing after the retries is a failed sync, not an internal error', async () => {
  server.inject({ on: 'any', kind: '500', times: 50 });
  try {
    const r = await runCli(exportArgs(), { env: { FERRY_TOKEN: TOKEN, GITHUB_SERVER_URL: server.url } });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/failed after \d+ attempts/);
    expect(r.stderr).not.toContain('internal error');
    expect(r.stderr).not.toMatch(STACK);
  } finally {
    server.clearFaults();
  }
});

test('a blob missing from the source is a gate finding by name: exit 1, no stack', async () => {
  const broken = path.join(dir, 'no-blob');
  await makeRepo(broken, { 'pub/b.txt': 'b\n' });
  const blob = git(broken, ['rev-parse', 'HEAD:pub/b.txt']);
  await fs.rm(path.join(broken, '.git/objects', blob.slice(0, 2), blob.slice(2)));
  const target = await makeBare(path.join(dir, 'no-blob-target.git'));
  const r = await runCli(exportCli(broken, target, allowlist), { cwd: dir });
  expect(r.exitCode).toBe(1);
  expect(r.stdout + r.stderr).toContain(`blob ${blob} of pub/b.txt could not be read`);
  expect(r.stderr).not.toMatch(STACK);
});

test('an unexpected failure (a corrupt source repository) exits 1 with the stack', async () => {
  // A tree missing from the object store: no engine turns that into a finding (a missing blob is
  // one, above), so it is shown as an internal error.
  const broken = path.join(dir, 'broken');
  await makeRepo(broken, { 'pub/b.txt': 'b\n' });
  const tree = git(broken, ['rev-parse', 'HEAD:pub']);
  await fs.rm(path.join(broken, '.git/objects', tree.slice(0, 2), tree.slice(2)));
  const target = await makeBare(path.join(dir, 'local-target.git'));
  const r = await runCli(exportCli(broken, target, allowlist), { cwd: dir });
  expect(r.exitCode).toBe(1);
  expect(r.stderr).toContain('internal error');
  expect(r.stderr).toMatch(STACK);
});

test('ferry status does not swallow a remote failure: exit 1 with "status unknown"', async () => {
  await fs.writeFile(
    path.join(dir, 'status.yml'),
    [
      'version: "1"',
      'targets:',
      '  public:',
      '    kind: export',
      `    repo: ${server.repoUrl('acme/public')}`,
      '    allowlist: allow.txt',
      '',
    ].join('\n'),
  );
  const bad = await runCli(['status', '--config', path.join(dir, 'status.yml'), '--root', source], {
    cwd: dir,
    env: { FERRY_TOKEN: 'wrong-token-999999', GITHUB_SERVER_URL: server.url },
  });
  expect(bad.stdout + bad.stderr).toContain('status unknown');
  expect(bad.exitCode).toBe(1);
  // The token lookup is the run's: FERRY_TOKEN reaches status as it reaches `ferry run`.
  const good = await runCli(['status', '--config', path.join(dir, 'status.yml'), '--root', source], {
    cwd: dir,
    env: { FERRY_TOKEN: TOKEN, GITHUB_SERVER_URL: server.url },
  });
  expect(good.stdout).not.toContain('status unknown');
  expect(good.exitCode).toBe(0);
});

test('ferry mirror: a side that refuses the token exits 1, not 2', async () => {
  await server.repo('acme/a');
  await server.repo('acme/b');
  const r = await runCli(
    ['mirror', '--a', server.repoUrl('acme/a'), '--b', server.repoUrl('acme/b'), '--on-divergence', 'fail'],
    {
      env: {
        FERRY_TOKEN_A: 'wrong-token-999999',
        FERRY_TOKEN_B: 'wrong-token-999999',
        GITHUB_SERVER_URL: server.url,
      },
    },
  );
  expect(r.exitCode).toBe(1);
  expect(r.stderr).toMatch(/Authentication to .* failed/);
  expect(r.stderr).not.toMatch(STACK);
});

test('ferry mirror: a side lacking objects exits 1 in one line naming the cause and the fix, not retried', async () => {
  const pair = await MirrorPair.create(path.join(dir, 'lacking'));
  await pair.commit('b', 'ahead on B', 'main', { 'new.txt': 'a blob B loses\n' });
  // A small push lands as loose objects: remove the new blob, as a damaged server would lack it.
  const blob = git(pair.b, ['rev-parse', 'main:new.txt']);
  await fs.rm(path.join(pair.b, 'objects', blob.slice(0, 2), blob.slice(2)));
  const r = await runCli([
    'mirror',
    '--a',
    `file://${pair.a}`,
    '--b',
    `file://${pair.b}`,
    '--on-divergence',
    'fail',
  ]);
  expect(r.exitCode).toBe(1);
  expect(r.stderr).toMatch(new RegExp(`is missing objects .*unable to read ${blob}.*git fsck`));
  expect(r.stderr).not.toMatch(/retrying in|internal error/);
  expect(r.stderr).not.toMatch(STACK);
});

test('ferry export | head: the reader going away leaves the export done and its exit code, no EPIPE crash', async () => {
  const target = await makeBare(path.join(dir, 'piped.git'));
  // Closing our end of the child's stdout at once: every line it writes meets a closed pipe.
  const r = await runCli(
    ['export', '--source', source, '--target', target, '--allowlist', path.join(dir, 'allow.txt')],
    {
      onSpawn: (child) => child.stdout?.destroy(),
    },
  );
  expect(r.stderr).not.toMatch(/EPIPE|Unhandled 'error' event/);
  expect(r.exitCode).toBe(0);
  expect(git(target, ['ls-tree', '-r', '--name-only', 'main'])).toBe('pub/a.txt');
});
