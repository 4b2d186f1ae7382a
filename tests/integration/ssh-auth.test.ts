import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RemoteError } from '../../src/core/errors.js';
import { runExport, type ExportSettings } from '../../src/core/export/index.js';
import { createGitAuth, explainSshFailure, normalizePrivateKey } from '../../src/core/git/git-auth-helper.js';
import { GitCommandManager, GitError } from '../../src/core/git/git-command-manager.js';
import { lsRemote } from '../../src/core/git/transport.js';
import { captureLogger } from '../../src/core/logger.js';
import { runMirror } from '../../src/core/mirror/mirror.js';
import { mirrorSettings } from '../../src/core/mirror/settings.js';
import { commitFiles, git, lsTree, makeRepo, revParse } from '../support/git-fixtures.js';
import { GitSshServer, type SshKeyPair } from '../support/git-ssh-server.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';
import { detailsOf } from '../../src/core/report/result.js';

/**
 * SSH deploy keys (issue 3) against a real OpenSSH server on loopback: the key goes in a 0600 temp
 * file that is gone afterwards, host keys are checked against our known_hosts only, a wrong key or
 * host is refused with a clear error, and the key text reaches no log, message or argv.
 */
let server: GitSshServer;
let dir: string;
let source: string;
let allowlist: string;

beforeAll(async () => {
  dir = await tmpDir('ferry-ssh-auth-');
  server = new GitSshServer(path.join(dir, 'srv'));
  await server.start();
  source = path.join(dir, 'src');
  await makeRepo(source, { 'public/a.txt': 'a\n', 'public/b.txt': 'b\n', 'private/x.txt': 'x\n' });
  allowlist = path.join(dir, 'allow.txt');
  await fs.writeFile(allowlist, 'public/\n');
}, 30_000);
afterAll(async () => {
  await server?.stop();
  await cleanupTmp();
});

/** A fresh empty directory for the key files, so "nothing is left" can be checked exactly. */
async function keyDir(name: string): Promise<string> {
  const d = path.join(dir, `keys-${name}`);
  await fs.mkdir(d);
  return d;
}

function settings(repo: string, tempDir: string, auth: Partial<ExportSettings['auth']> = {}): ExportSettings {
  return {
    source,
    target: server.repoUrl(repo),
    branch: 'main',
    allowlistFile: allowlist,
    auth: {
      sshKey: server.deployKey.privateKey,
      sshKnownHosts: server.knownHostsLine(),
      tempDir,
      ...auth,
    },
  };
}

/** Every line of the key body: none may show up anywhere. */
function keyLines(k: SshKeyPair): string[] {
  return k.privateKey.split('\n').filter((l) => l && !l.startsWith('-----'));
}

function expectNoKey(text: string, k: SshKeyPair = server.deployKey): void {
  for (const line of keyLines(k)) expect(text).not.toContain(line);
}

/** A server-side pre-receive hook that records the mode of the client's key file mid-push. */
async function recordKeyModeDuringPush(bare: string, tempDir: string, out: string): Promise<void> {
  const hook = path.join(bare, 'hooks', 'pre-receive');
  await fs.writeFile(
    hook,
    `#!/bin/sh\ncat >/dev/null\nstat -c '%a' '${tempDir}'/ferry-ssh-*/key >> '${out}'\nexit 0\n`,
    { mode: 0o755 },
  );
}

async function runWithTrace<T>(trace: string, fn: () => Promise<T>): Promise<T> {
  const saved = process.env.GIT_TRACE;
  process.env.GIT_TRACE = trace;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env.GIT_TRACE;
    else process.env.GIT_TRACE = saved;
  }
}

/** The error a promise rejects with (undefined when it resolves). */
const errorOf = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('runExport over ssh:// with a deploy key', () => {
  test('exports; the key file is 0600 while in use and gone afterwards; the key is in no log or argv', async () => {
    const bare = await server.repo('acme/public');
    const keys = await keyDir('ok');
    const modes = path.join(dir, 'modes-ok');
    await recordKeyModeDuringPush(bare, keys, modes);
    const trace = path.join(dir, 'trace-ok');
    const log = captureLogger();
    const r = await runWithTrace(trace, () => runExport(settings('acme/public', keys), log));
    expect(r.success).toBe(true);
    expect(r.changed).toBe(true);
    expect(lsTree(bare)).toEqual(['public/a.txt', 'public/b.txt']);
    expect(revParse(bare, 'main')).toBe(r.commit);
    expect((await fs.readFile(modes, 'utf8')).trim()).toBe('600');
    expect(await fs.readdir(keys)).toEqual([]);
    // The server really ran git over ssh for this repo.
    expect(await server.sessions()).toContain(`git-receive-pack '/acme/public.git'`);
    // GIT_TRACE records every command git runs, ssh included, with its arguments.
    const traced = await fs.readFile(trace, 'utf8');
    expect(traced).toMatch(/ssh .*IdentityFile=.*ferry-ssh-[^/]+\/key/);
    expect(traced).toContain('StrictHostKeyChecking=yes');
    expectNoKey(traced);
    expectNoKey(log.text());
    expectNoKey(JSON.stringify(r));

    // A second run over ssh: nothing to do, and again nothing left behind.
    const again = await runExport(settings('acme/public', keys), log);
    expect(again.success).toBe(true);
    expect(again.changed).toBe(false);
    expect(await fs.readdir(keys)).toEqual([]);
  });

  test('an unknown host is refused: only our known_hosts counts, and nothing is pushed', async () => {
    const bare = await server.repo('acme/unknown');
    const keys = await keyDir('unknown');
    const other = await server.generateKey('otherhost');
    const before = (await server.sessions()).length;
    // known_hosts that names another host only: the server's key is unknown.
    const known = `[127.0.0.2]:${server.port} ${other.publicKey.split(' ').slice(0, 2).join(' ')}`;
    const err = await errorOf(
      runExport(settings('acme/unknown', keys, { sshKnownHosts: known }), captureLogger()),
    );
    expect(err).toBeInstanceOf(RemoteError);
    expect((err as Error).message).toMatch(/host key verification .* failed/i);
    expect((err as Error).message).toContain('known-hosts');
    expectNoKey((err as Error).message);
    expect(await server.sessions()).toHaveLength(before);
    expect(git(bare, ['for-each-ref'])).toBe('');
    expect(await fs.readdir(keys)).toEqual([]);
  });

  test("without known hosts the runner's own are used, strictly: a new host is refused, never added", async () => {
    await server.repo('acme/no-known-hosts');
    const keys = await keyDir('no-known-hosts');
    // ssh reads ~ from the passwd entry, not $HOME. This server's host key was generated for this
    // run, so whatever that known_hosts holds, the host is unknown (or mismatched) there.
    const userKnownHosts = path.join(os.userInfo().homedir, '.ssh', 'known_hosts');
    const before = await fs.readFile(userKnownHosts, 'utf8').catch(() => null);
    const err = await errorOf(
      runExport(settings('acme/no-known-hosts', keys, { sshKnownHosts: undefined }), captureLogger()),
    );
    expect(err).toBeInstanceOf(RemoteError);
    expect((err as Error).message).toMatch(/host key verification .* failed|does not match the known-hosts/i);
    expect(await fs.readFile(userKnownHosts, 'utf8').catch(() => null)).toBe(before);
    expect(await fs.readdir(keys)).toEqual([]);
  });

  test('a mismatched host key (same host and port, another key) is refused', async () => {
    const bare = await server.repo('acme/mismatch');
    const keys = await keyDir('mismatch');
    const impostor = await server.generateKey('impostor');
    const known = `[127.0.0.1]:${server.port} ${impostor.publicKey.split(' ').slice(0, 2).join(' ')}`;
    const before = (await server.sessions()).length;
    const err = await errorOf(
      runExport(settings('acme/mismatch', keys, { sshKnownHosts: known }), captureLogger()),
    );
    expect(err).toBeInstanceOf(RemoteError);
    expect((err as Error).message).toMatch(/host key verification .* failed|does not match the known-hosts/i);
    expect(await server.sessions()).toHaveLength(before);
    // ssh's own words for a changed key, as explainSshFailure reads them.
    const auth = await createGitAuth({
      sshKey: server.deployKey.privateKey,
      sshKnownHosts: known,
      tempDir: keys,
    });
    const raw = await new GitCommandManager(source, { env: auth.env })
      .exec(['ls-remote', server.repoUrl('acme/mismatch')])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    await auth.cleanup();
    expect(raw).toBeInstanceOf(GitError);
    expect(explainSshFailure((raw as GitError).stderr, 'acme/mismatch')?.message).toMatch(
      /SSH host key of acme\/mismatch does not match the known-hosts input/,
    );
    expect(git(bare, ['for-each-ref'])).toBe('');
    expect(await fs.readdir(keys)).toEqual([]);
  });

  test('a key the server does not know is refused with a clear error; nothing is pushed', async () => {
    const bare = await server.repo('acme/wrongkey');
    const keys = await keyDir('wrong');
    const wrong = await server.generateKey('wrong');
    const log = captureLogger();
    const err = await errorOf(runExport(settings('acme/wrongkey', keys, { sshKey: wrong.privateKey }), log));
    // git's own words, or ours once explainRemoteFailure delegates to explainSshFailure.
    const explained = err instanceof GitError ? explainSshFailure(err.stderr, 'acme/wrongkey') : err;
    expect(explained).toBeInstanceOf(RemoteError);
    const msg = (explained as Error).message;
    expect(msg).toMatch(/SSH authentication to .* failed: the server refused the deploy key/);
    expectNoKey((err as Error).message, wrong);
    expectNoKey(msg, wrong);
    expectNoKey(log.text(), wrong);
    expect(git(bare, ['for-each-ref'])).toBe('');
    expect(await fs.readdir(keys)).toEqual([]);
  });
});

describe('createGitAuth with an ssh key', () => {
  test('0700 dir, 0600 key file, quoted paths (spaces, quotes) work with ssh; cleanup removes all', async () => {
    const base = path.join(dir, 'temp with space\'s %d \\ "q"');
    await fs.mkdir(base);
    // A key pasted through a web form: CRLF line ends, no final newline.
    const crlf = server.deployKey.privateKey.trim().replace(/\n/g, '\r\n');
    const auth = await createGitAuth({ sshKey: crlf, sshKnownHosts: server.knownHostsLine(), tempDir: base });
    const [sub] = await fs.readdir(base);
    const keyFile = path.join(base, sub, 'key');
    expect((await fs.stat(path.join(base, sub))).mode & 0o777).toBe(0o700);
    expect((await fs.stat(keyFile)).mode & 0o777).toBe(0o600);
    expect(await fs.readFile(keyFile, 'utf8')).toBe(server.deployKey.privateKey.trim() + '\n');
    expect(auth.env.GIT_SSH_COMMAND).toContain('IdentitiesOnly=yes');
    expect(auth.env.GIT_SSH_COMMAND).toContain('GlobalKnownHostsFile=/dev/null');
    expectNoKey(JSON.stringify(auth.env));
    await server.repo('acme/quoted');
    await commitFiles(source, { 'public/c.txt': 'c\n' }, 'c');
    const git2 = new GitCommandManager(source, { env: auth.env });
    await git2.exec(['push', '-q', server.repoUrl('acme/quoted'), 'HEAD:refs/heads/main']);
    const refs = await lsRemote(git2, server.repoUrl('acme/quoted'), ['refs/heads/main']);
    expect([...refs.values()]).toEqual([revParse(source, 'HEAD')]);
    await auth.cleanup();
    expect(await fs.readdir(base)).toEqual([]);
  });

  test('a temp dir with ${ (which ssh would expand) is refused, and nothing is left in it', async () => {
    const base = path.join(dir, 'tmp-${HOME}');
    await fs.mkdir(base);
    await expect(createGitAuth({ sshKey: server.deployKey.privateKey, tempDir: base })).rejects.toThrow(
      /which ssh would expand. Set RUNNER_TEMP/,
    );
    expect(await fs.readdir(base)).toEqual([]);
  });

  test('a passphrase-protected key is refused up front (ssh would fail without a prompt)', async () => {
    const locked = await server.generateKey('locked', true, 'correct horse');
    expect(() => normalizePrivateKey(locked.privateKey)).toThrow(/has a passphrase/);
    expect(normalizePrivateKey(server.deployKey.privateKey)).toBe(server.deployKey.privateKey.trim() + '\n');
  });

  test('a public key or other text instead of the private key is a configuration error naming the fix', async () => {
    expect(() => normalizePrivateKey(server.deployKey.publicKey)).toThrow(/public key: give the private key/);
    expect(() => normalizePrivateKey('/home/me/.ssh/id_ed25519')).toThrow(/not a private key/);
    const base = await keyDir('bad');
    await expect(createGitAuth({ sshKey: 'ssh-ed25519 AAAA x', tempDir: base })).rejects.toThrow(
      /not a private key/,
    );
    expect(await fs.readdir(base)).toEqual([]);
  });
});

describe('bilateral mirror with a deploy key per side', () => {
  test('each side uses its own key; fast-forward over ssh both ways', async () => {
    const keyB = await server.generateKey('side-b', true);
    const a = await server.repo('acme/mirror-a');
    const b = await server.repo('acme/mirror-b');
    const seed = path.join(dir, 'mirror-seed');
    await makeRepo(seed, { 'README.md': 'one\n' });
    git(seed, ['push', '-q', a, 'main']);
    git(seed, ['push', '-q', b, 'main']);
    const tip = await commitFiles(seed, { 'README.md': 'two\n' }, 'two');
    git(seed, ['push', '-q', a, 'main']);

    const keys = await keyDir('mirror');
    const s = mirrorSettings({
      repoA: server.repoUrl('acme/mirror-a'),
      repoB: server.repoUrl('acme/mirror-b'),
      sshKeyA: server.deployKey.privateKey,
      sshKeyB: keyB.privateKey,
      sshKnownHosts: server.knownHostsLine(),
      branches: ['main'],
      onDivergence: 'fail',
    });
    s.a.auth.tempDir = keys;
    s.b.auth.tempDir = keys;
    const log = captureLogger();
    const results = await runMirror(s, log);
    expect(results.map((r) => [r.target, r.success, detailsOf(r, 'mirror-branch')?.state])).toEqual([
      ['main', true, 'a-ahead'],
    ]);
    expect(revParse(b, 'main')).toBe(tip);
    expect(await fs.readdir(keys)).toEqual([]);
    expectNoKey(log.text());
    expectNoKey(log.text(), keyB);
  });
});
