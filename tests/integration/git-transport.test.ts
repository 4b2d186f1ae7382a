import * as path from 'node:path';
import { createGitAuth } from '../../src/core/git/git-auth-helper.js';
import { GitCommandManager } from '../../src/core/git/git-command-manager.js';
import { fetchRefs, lsRemote, pushRefs } from '../../src/core/git/transport.js';
import { RemoteError } from '../../src/core/errors.js';
import { captureLogger } from '../../src/core/logger.js';
import { GitHttpServer } from '../support/git-http-server.js';
import { commitFiles, git, makeRepo, revParse } from '../support/git-fixtures.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

const TOKEN = 'ghs_loopbackTokenForTests0123456789';

describe('git transport over loopback smart HTTP', () => {
  let server: GitHttpServer;
  let work: string;

  beforeAll(async () => {
    work = await tmpDir();
    server = new GitHttpServer(path.join(work, 'srv'), TOKEN);
    await server.start();
  });
  afterAll(async () => {
    await server.stop();
    await cleanupTmp();
  });

  async function client(token = TOKEN) {
    const auth = await createGitAuth({ token, serverUrl: server.url });
    return new GitCommandManager(path.join(work, 'src'), { env: auth.env, logger: captureLogger() });
  }

  test('push, ls-remote and fetch with a token in the environment only', async () => {
    const bare = await server.repo('acme/one');
    const sha = await makeRepo(path.join(work, 'src'), { 'a.txt': 'a\n' });
    const g = await client();
    const res = await pushRefs(g, server.repoUrl('acme/one'), [`${sha}:refs/heads/main`]);
    expect(res.ok).toBe(true);
    expect(revParse(bare, 'main')).toBe(sha);
    expect((await lsRemote(g, server.repoUrl('acme/one'))).get('refs/heads/main')).toBe(sha);
    // Every request carried the credentials, and none carried them in the URL.
    expect(server.requests.every((r) => r.authorized && !r.url.includes(TOKEN))).toBe(true);
  });

  test('a push behind the remote tip is reported as stale, not forced', async () => {
    const other = await tmpDir();
    git(other, ['clone', '-q', path.join(work, 'srv/acme/one.git'), 'c']);
    const moved = await commitFiles(path.join(other, 'c'), { 'b.txt': 'b\n' }, 'remote moved');
    git(path.join(other, 'c'), ['push', '-q', 'origin', 'main']);
    const local = await commitFiles(path.join(work, 'src'), { 'c.txt': 'c\n' }, 'local');
    const res = await pushRefs(await client(), server.repoUrl('acme/one'), [`${local}:refs/heads/main`]);
    expect(res.ok).toBe(false);
    expect(res.refs.get('refs/heads/main')?.status).toBe('rejected-stale');
    expect(revParse(path.join(work, 'srv/acme/one.git'), 'main')).toBe(moved);
  });

  test('transient server errors are retried', async () => {
    server.inject({ on: 'refs', kind: '500', times: 2 });
    const g = await client();
    const refs = await lsRemote(g, server.repoUrl('acme/one'), [], { baseDelayMs: 10 });
    expect(refs.size).toBeGreaterThan(0);
    server.inject({ on: 'upload', kind: 'drop' });
    await fetchRefs(g, server.repoUrl('acme/one'), ['refs/heads/main:refs/remotes/one/main'], {
      baseDelayMs: 10,
    });
    expect(revParse(path.join(work, 'src'), 'refs/remotes/one/main')).toBeDefined();
  });

  test('a wrong token gives a clear error that does not contain the token', async () => {
    const wrong = 'ghp_wrongTokenValue999999999999999999';
    const g = await client(wrong);
    const err = await lsRemote(g, server.repoUrl('acme/one'), [], { baseDelayMs: 10 }).catch((e) => e);
    expect(err).toBeInstanceOf(RemoteError);
    expect(err.message).toMatch(/Authentication .* failed/);
    expect(err.message).not.toContain(wrong);
  });
});
