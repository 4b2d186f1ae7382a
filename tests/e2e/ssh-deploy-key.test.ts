import type { ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { exportArgs } from '../support/cli-fixtures.js';
import { git, lsTree, makeRepo, revParse } from '../support/git-fixtures.js';
import { MirrorPair } from '../support/github-mirror-fixtures.js';
import { GitSshServer, type SshKeyPair } from '../support/git-ssh-server.js';
import { runAction, runCli, type ActionRun } from '../support/run-action.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

/**
 * SSH deploy keys through the dist bundles, run the way the Actions runner runs them, against a real
 * OpenSSH server on loopback: dist/sync-to-public (`ssh-key`, `ssh-known-hosts`) and
 * dist/bilateral-mirror (`ssh-key-a`, `ssh-key-b`, `ssh-known-hosts`).
 */
let server: GitSshServer;
let dir: string;
let source: string;
let n = 0;

beforeAll(async () => {
  dir = await tmpDir('ferry-e2e-ssh-');
  server = new GitSshServer(path.join(dir, 'srv'));
  await server.start();
  source = path.join(dir, 'work');
  await makeRepo(source, { 'public/a.py': 'print("a")\n', 'private/p.py': 'p = 1\n' });
  await fs.writeFile(path.join(source, 'allow.txt'), 'public/\n');
}, 30_000);
afterAll(async () => {
  await server?.stop();
  await cleanupTmp();
});

/** What the runner shows: it consumes `::add-mask::` commands instead of printing them. */
const shown = (r: ActionRun) =>
  r.log
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');

function expectNoKey(text: string, k: SshKeyPair = server.deployKey): void {
  for (const line of k.privateKey.split('\n').filter((l) => l && !l.startsWith('-----')))
    expect(text).not.toContain(line);
}

/** RUNNER_TEMP and TMPDIR of one run, so what the action leaves behind can be listed. */
async function temps(): Promise<{ runnerTemp: string; tmp: string; env: Record<string, string> }> {
  const base = path.join(dir, `run-${++n}`);
  const runnerTemp = path.join(base, 'runner-temp');
  const tmp = path.join(base, 'tmp');
  await fs.mkdir(runnerTemp, { recursive: true });
  await fs.mkdir(tmp);
  return { runnerTemp, tmp, env: { RUNNER_TEMP: runnerTemp, TMPDIR: tmp } };
}

async function leftKeys(t: { runnerTemp: string; tmp: string }): Promise<string[]> {
  const all = [...(await fs.readdir(t.runnerTemp)), ...(await fs.readdir(t.tmp))];
  return all.filter((f) => f.startsWith('ferry-ssh-'));
}

function exportOver(
  repo: string,
  env: Record<string, string>,
  inputs: Record<string, string> = {},
  onSpawn?: (child: ChildProcess) => void,
) {
  return runAction('sync-to-public', {
    cwd: source,
    env,
    onSpawn,
    inputs: {
      'target-repo': server.repoUrl(repo),
      allowlist: 'allow.txt',
      token: '',
      'ssh-key': server.deployKey.privateKey,
      'ssh-known-hosts': server.knownHostsLine(),
      ...inputs,
    },
  });
}

describe('dist/sync-to-public with ssh-key', () => {
  test('exports over ssh://; key 0600 mid-push, gone after; the key is in no log, report or argv', async () => {
    const bare = await server.repo('acme/e2e-public');
    const t = await temps();
    const modes = path.join(dir, 'modes');
    await fs.writeFile(
      path.join(bare, 'hooks', 'pre-receive'),
      `#!/bin/sh\ncat >/dev/null\nstat -c '%a' '${t.runnerTemp}'/ferry-ssh-*/key >> '${modes}'\n`,
      { mode: 0o755 },
    );
    const trace = path.join(dir, 'trace');
    const run = await exportOver('acme/e2e-public', { ...t.env, GIT_TRACE: trace });
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ changed: 'true', 'files-added': '1' });
    expect(lsTree(bare)).toEqual(['public/a.py']);
    expect(run.outputs['commit-sha']).toBe(revParse(bare, 'main'));
    expect((await fs.readFile(modes, 'utf8')).trim()).toBe('600');
    expect(await leftKeys(t)).toEqual([]);
    expect(await server.sessions()).toContain(`git-receive-pack '/acme/e2e-public.git'`);
    // The runner masks the input; nothing else may print it, and git's argv (GIT_TRACE) has only a path.
    expectNoKey(shown(run));
    expectNoKey(run.summary);
    expectNoKey(await fs.readFile(run.outputs['report-path'], 'utf8'));
    const traced = await fs.readFile(trace, 'utf8');
    expect(traced).toMatch(/ssh .*IdentityFile=.*ferry-ssh-/);
    expectNoKey(traced);
  });

  test('a host key that does not match is refused with a clear error; nothing is pushed', async () => {
    const bare = await server.repo('acme/e2e-hostkey');
    const t = await temps();
    const impostor = await server.generateKey('e2e-impostor');
    const known = `[127.0.0.1]:${server.port} ${impostor.publicKey.split(' ').slice(0, 2).join(' ')}`;
    const run = await exportOver('acme/e2e-hostkey', t.env, { 'ssh-known-hosts': known });
    expect(run.exitCode).not.toBe(0);
    expect(shown(run)).toMatch(/::error::.*SSH host key .*(verification|does not match)/);
    expect(git(bare, ['for-each-ref'])).toBe('');
    expect(await leftKeys(t)).toEqual([]);
    expectNoKey(shown(run));
  });

  test("a key the server refuses fails the step with ssh's reason; nothing is pushed or left behind", async () => {
    const bare = await server.repo('acme/e2e-wrongkey');
    const t = await temps();
    const wrong = await server.generateKey('e2e-wrong');
    const run = await exportOver('acme/e2e-wrongkey', t.env, { 'ssh-key': wrong.privateKey });
    expect(run.exitCode).not.toBe(0);
    expect(shown(run)).toMatch(/::error::.*(Permission denied \(publickey\)|refused the deploy key)/);
    expect(git(bare, ['for-each-ref'])).toBe('');
    expect(await leftKeys(t)).toEqual([]);
    expectNoKey(shown(run), wrong);
  });

  test('a public key in ssh-key is a configuration error that names the fix', async () => {
    await server.repo('acme/e2e-pubkey');
    const t = await temps();
    const run = await exportOver('acme/e2e-pubkey', t.env, { 'ssh-key': server.deployKey.publicKey });
    expect(run.exitCode).not.toBe(0);
    expect(shown(run)).toContain('looks like a public key: give the private key');
    expect(await leftKeys(t)).toEqual([]);
  });
});

describe('dist/cli export --ssh-key-file', () => {
  test('exports over ssh:// with the key and known hosts read from files; nothing left in TMPDIR', async () => {
    const bare = await server.repo('acme/e2e-cli');
    const t = await temps();
    const keyFile = path.join(t.tmp, '..', 'deploy_key');
    const khFile = path.join(t.tmp, '..', 'known_hosts');
    await fs.writeFile(keyFile, server.deployKey.privateKey, { mode: 0o600 });
    await fs.writeFile(khFile, server.knownHostsLine() + '\n');
    const r = await runCli(
      exportArgs(
        source,
        server.repoUrl('acme/e2e-cli'),
        path.join(source, 'allow.txt'),
        '--ssh-key-file',
        keyFile,
        '--ssh-known-hosts-file',
        khFile,
        '--json',
      ),
      { env: { TMPDIR: t.tmp } },
    );
    expect(r.exitCode).toBe(0);
    expect(lsTree(bare)).toEqual(['public/a.py']);
    expect(JSON.parse(r.stdout).results[0]).toMatchObject({ success: true, changed: true });
    expect(await leftKeys(t)).toEqual([]);
    expectNoKey(r.stdout + r.stderr);
  });
});

/**
 * A cancelled job: the runner sends SIGINT, then SIGTERM, and the process never reaches its
 * `finally`. A pre-receive hook holds the push (the key is on disk, ssh connected) until the test
 * has signalled Ferry; the key directory must be gone when the process has ended.
 */
describe('a deploy key is removed when the run is cancelled', () => {
  async function holdingRepo(name: string): Promise<{ started: string; release: string }> {
    const bare = await server.repo(name);
    const started = path.join(dir, `${name.replace('/', '-')}.started`);
    const release = path.join(dir, `${name.replace('/', '-')}.release`);
    await fs.writeFile(
      path.join(bare, 'hooks', 'pre-receive'),
      `#!/bin/sh\ncat >/dev/null\ntouch '${started}'\ni=0\nwhile [ ! -e '${release}' ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done\nexit 1\n`,
      { mode: 0o755 },
    );
    return { started, release };
  }

  async function until(file: string): Promise<void> {
    for (let i = 0; i < 600; i++) {
      if (
        await fs.access(file).then(
          () => true,
          () => false,
        )
      )
        return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${file} never appeared`);
  }

  test('dist/sync-to-public: SIGTERM mid-push removes the key from RUNNER_TEMP', async () => {
    const hold = await holdingRepo('acme/e2e-cancel-action');
    const t = await temps();
    let keysWhileHeld: string[] = [];
    const run = exportOver('acme/e2e-cancel-action', t.env, {}, (child) => {
      void until(hold.started).then(async () => {
        keysWhileHeld = await leftKeys(t);
        child.kill('SIGTERM');
      });
    });
    const r = await run;
    await fs.writeFile(hold.release, '');
    expect(keysWhileHeld).toHaveLength(1); // the key lived in RUNNER_TEMP, where the runner cleans up
    expect(r.exitCode).not.toBe(0);
    expect(await leftKeys(t)).toEqual([]);
  });

  test('dist/cli export --ssh-key-file: SIGINT (Ctrl-C) mid-push removes the key from TMPDIR', async () => {
    const hold = await holdingRepo('acme/e2e-cancel-cli');
    const t = await temps();
    const keyFile = path.join(t.tmp, '..', 'deploy_key');
    const khFile = path.join(t.tmp, '..', 'known_hosts');
    await fs.writeFile(keyFile, server.deployKey.privateKey, { mode: 0o600 });
    await fs.writeFile(khFile, server.knownHostsLine() + '\n');
    let keysWhileHeld: string[] = [];
    const r = await runCli(
      exportArgs(
        source,
        server.repoUrl('acme/e2e-cancel-cli'),
        path.join(source, 'allow.txt'),
        '--ssh-key-file',
        keyFile,
        '--ssh-known-hosts-file',
        khFile,
      ),
      {
        env: { TMPDIR: t.tmp },
        onSpawn: (child) =>
          void until(hold.started).then(async () => {
            keysWhileHeld = await leftKeys(t);
            child.kill('SIGINT');
          }),
      },
    );
    await fs.writeFile(hold.release, '');
    expect(keysWhileHeld).toHaveLength(1);
    expect(r.exitCode).not.toBe(0);
    expect(await leftKeys(t)).toEqual([]);
  });
});

describe('dist/bilateral-mirror with ssh-key-a / ssh-key-b', () => {
  test('fast-forwards B from A over ssh, each side with its own deploy key', async () => {
    const keyB = await server.generateKey('e2e-side-b', true);
    const p = await MirrorPair.create(
      path.join(dir, 'pair'),
      await server.repo('acme/e2e-mirror-a'),
      await server.repo('acme/e2e-mirror-b'),
    );
    const tip = await p.commit('a', 'merged PR on A');
    const t = await temps();
    const run = await runAction('bilateral-mirror', {
      env: t.env,
      inputs: {
        'repo-a': server.repoUrl('acme/e2e-mirror-a'),
        'repo-b': server.repoUrl('acme/e2e-mirror-b'),
        'token-a': '',
        'ssh-key-a': server.deployKey.privateKey,
        'ssh-key-b': keyB.privateKey,
        'ssh-known-hosts': server.knownHostsLine(),
        'on-divergence': 'fail',
      },
    });
    expect(run.exitCode).toBe(0);
    expect(p.tip('b')).toBe(tip);
    expect(run.outputs).toMatchObject({ changed: 'true', diverged: 'false' });
    expect(await leftKeys(t)).toEqual([]);
    expectNoKey(shown(run));
    expectNoKey(shown(run), keyB);
  });
});
