import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { exportArgs, serverAndSource, STACK } from '../support/cli-fixtures.js';
import { git, makeRepo } from '../support/git-fixtures.js';
import { GitHttpServer } from '../support/git-http-server.js';
import { runCli } from '../support/run-action.js';
import { cleanupTmp } from '../support/tmp.js';

/**
 * User mistakes and unreachable remotes, through dist/cli: each is one line that names the cause and
 * the fix, exit 2 for configuration and usage, 1 for a failed sync, no stack, nothing written.
 */
let server: GitHttpServer;
let dir: string;
let source: string;
let allowlist: string;
const TOKEN = 'srv-token-5f3b91c7d2';

beforeAll(async () => {
  ({ dir, server, source, allowlist } = await serverAndSource('ferry-cli-errors-', TOKEN));
});
afterAll(async () => {
  await server.stop();
  await cleanupTmp();
});

const exportTo = (target: string) => exportArgs(source, target, allowlist);

function expectOneLine(r: { stderr: string }, re: RegExp): void {
  expect(r.stderr).toMatch(re);
  expect(r.stderr).not.toMatch(STACK);
  expect(r.stderr).not.toContain('internal error');
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
}

test('GITHUB_SERVER_URL with credentials is refused (exit 2) and nothing is pushed', async () => {
  const bare = await server.repo('acme/creds');
  const u = new URL(server.url);
  const withCreds = `${u.protocol}//x-access-token:${TOKEN}@${u.host}`;
  const r = await runCli(exportTo('acme/creds'), { env: { GITHUB_SERVER_URL: withCreds } });
  expect(r.exitCode).toBe(2);
  expectOneLine(r, /GITHUB_SERVER_URL '.*\*\*\*@.*' carries credentials\. Set it to the bare server URL/);
  expect(r.stdout + r.stderr).not.toContain(TOKEN);
  expect(git(bare, ['for-each-ref'])).toBe('');
});

test('a connection refused by the target server: exit 1, one line with the fix', async () => {
  // A port nothing listens on: the server's own port once it is closed.
  const closed = new GitHttpServer(path.join(dir, 'srv-closed'), TOKEN);
  await closed.start();
  const url = closed.repoUrl('acme/gone');
  await closed.stop();
  const r = await runCli(exportTo(url));
  expect(r.exitCode).toBe(1);
  expectOneLine(r, /Could not connect to .*: the server refused the connection\. Check the repository URL/);
});

test('an ssh:// host that starts with "-" is a configuration error (exit 2), never run', async () => {
  const marker = path.join(dir, 'pwned');
  const r = await runCli(exportTo(`ssh://-oProxyCommand=touch%20${marker}/acme/x.git`));
  expect(r.exitCode).toBe(2);
  expectOneLine(r, /names a host that starts with '-', which ssh would take as an option/);
  await expect(fs.access(marker)).rejects.toThrow();
});

test('a --source directory that does not exist is named as such (exit 2)', async () => {
  const missing = path.join(dir, 'no-such-dir');
  const r = await runCli(exportArgs(missing, path.join(dir, 't.git'), allowlist));
  expect(r.exitCode).toBe(2);
  expectOneLine(r, new RegExp(`Directory '${missing}' does not exist`));
  expect(r.stderr).not.toContain('git was not found');
});

test('a config path that is a directory: exit 2 with the fix', async () => {
  await fs.mkdir(path.join(dir, 'cfgdir'), { recursive: true });
  const r = await runCli(['run', '--config', 'cfgdir'], { cwd: dir });
  expect(r.exitCode).toBe(2);
  expectOneLine(r, /config file cfgdir is a directory\. Pass the file itself/);
});

test('a YAML alias bomb in ferry.yml is a configuration error at file:line', async () => {
  const levels = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]'];
  for (let i = 1; i < 9; i++) {
    const prev = String.fromCharCode(96 + i);
    const name = String.fromCharCode(97 + i);
    levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
  }
  await fs.writeFile(path.join(dir, 'bomb.yml'), `version: "1"\n${levels.join('\n')}\ntargets: {}\n`);
  const r = await runCli(['run', '--config', 'bomb.yml'], { cwd: dir });
  expect(r.exitCode).toBe(2);
  expectOneLine(r, /bomb\.yml:4:\d+: YAML aliases here expand to too many values/);
});

test('a source blob missing from the object store (snapshot mode): exit 1, one line, nothing pushed', async () => {
  const damaged = path.join(dir, 'damaged');
  await makeRepo(damaged, { 'pub/a.txt': 'a\n', 'pub/b.txt': 'bbb\n' });
  const blob = git(damaged, ['rev-parse', 'HEAD:pub/b.txt']);
  await fs.rm(path.join(damaged, '.git', 'objects', blob.slice(0, 2), blob.slice(2)));
  const target = path.join(dir, 'damaged-target.git');
  git(dir, ['init', '-q', '--bare', target]);
  const args = exportArgs(damaged, target, allowlist);
  // With the gates on, the secret scan reads the blob first: a gate-unreadable finding names it.
  const gated = await runCli(args);
  expect(gated.exitCode).toBe(1);
  expect(gated.stdout).toMatch(/pub\/b\.txt could not be read.*fetch the full history.*\[gate-unreadable\]/);
  expect(gated.stderr).not.toMatch(/\n\s+at /);
  // With the gates off, building the tree meets it: one line, not a fast-import crash.
  const r = await runCli([...args, '--no-secret-scan', '--no-import-check']);
  expect(r.exitCode).toBe(1);
  expectOneLine(r, /The source repository lacks the content of pub\/b\.txt .*partial or damaged clone/);
  expect(git(target, ['for-each-ref'])).toBe('');
});

test('a re-export after a change to a file whose name holds a newline works (no internal error)', async () => {
  const repo = path.join(dir, 'newline');
  await makeRepo(repo, { 'pub/a.txt': 'a\n', 'pub/new\nline.txt': 'x\n' });
  const target = path.join(dir, 'newline-target.git');
  git(dir, ['init', '-q', '--bare', target]);
  const exportIt = () => runCli(exportArgs(repo, target, allowlist));
  expect((await exportIt()).exitCode).toBe(0);
  for (const content of ['y\n', 'z\n']) {
    await fs.writeFile(path.join(repo, 'pub/new\nline.txt'), content);
    git(repo, ['commit', '-qam', `edit ${content.trim()}`]);
    const r = await exportIt();
    expect(r.stderr).not.toContain('internal error');
    expect(r.exitCode).toBe(0);
    expect(git(target, ['show', 'main:pub/new\nline.txt'])).toBe(content.trim());
  }
});
