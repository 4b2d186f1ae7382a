import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runExport, type ExportSettings } from '../../src/core/export/index.js';
import { captureLogger } from '../../src/core/logger.js';
import { commitFiles, git, lsTree, makeRepo, revParse, showFile } from '../support/git-fixtures.js';
import { GitHttpServer } from '../support/git-http-server.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

/** The export engine against the loopback smart-HTTP server: auth, races, concurrency, faults. */
const TOKEN = 'ghs_loopbackTokenValue1234567890';
let server: GitHttpServer;
let dir: string;
let source: string;
let allowlist: string;

beforeAll(async () => {
  dir = await tmpDir('ferry-export-remote-');
  server = new GitHttpServer(path.join(dir, 'srv'), TOKEN);
  await server.start();
  source = path.join(dir, 'src');
  await makeRepo(source, { 'public/a.txt': 'a\n', 'public/b.txt': 'b\n', 'private/x.txt': 'x\n' });
  allowlist = path.join(dir, 'allow.txt');
  await fs.writeFile(allowlist, 'public/\n');
});
afterAll(async () => {
  await server.stop();
  await cleanupTmp();
});
afterEach(() => server.clearFaults());

function settings(repo: string, extra: Partial<ExportSettings> = {}): ExportSettings {
  return {
    source,
    target: server.repoUrl(repo),
    branch: 'main',
    allowlistFile: allowlist,
    auth: { token: TOKEN, serverUrl: server.url },
    ...extra,
  };
}

/** Push a commit straight into the bare repo behind the server (someone else's push). */
async function pushElsewhere(bare: string, files: Record<string, string>, name: string): Promise<string> {
  const clone = path.join(dir, `other-${name}`);
  git(dir, ['clone', '-q', bare, clone]);
  const sha = await commitFiles(clone, files, `other ${name}`);
  git(clone, ['push', '-q', 'origin', 'HEAD:main']);
  return sha;
}

describe('runExport over smart HTTP', () => {
  test('first export with a token; the token is never in a URL or log', async () => {
    const bare = await server.repo('acme/first');
    const log = captureLogger();
    const r = await runExport(settings('acme/first'), log);
    expect(r.success).toBe(true);
    expect(lsTree(bare)).toEqual(['public/a.txt', 'public/b.txt']);
    expect(server.requests.every((q) => q.authorized)).toBe(true);
    expect(server.requests.some((q) => q.url.includes(TOKEN))).toBe(false);
    expect(log.text()).not.toContain(TOKEN);
    expect(JSON.stringify(r)).not.toContain(TOKEN);
  });

  test('a push race: a commit lands between plan and push, and both survive', async () => {
    const bare = await server.repo('acme/race');
    await runExport(settings('acme/race', { preserve: ['README.md'] }), captureLogger());
    await commitFiles(source, { 'public/a.txt': 'a2\n' }, 'change a');
    let other = '';
    server.inject({
      on: 'receive',
      kind: 'before',
      action: async () => {
        other = await pushElsewhere(bare, { 'README.md': 'their readme\n' }, 'race');
      },
    });
    const r = await runExport(settings('acme/race', { preserve: ['README.md'] }), captureLogger());
    expect(r.success).toBe(true);
    expect(r.details?.attempts).toBe(2);
    expect(other).toMatch(/^[0-9a-f]{40}$/);
    // Their commit is in the history, their file is kept, and our change is on top.
    git(bare, ['merge-base', '--is-ancestor', other, 'main']);
    expect(showFile(bare, 'main', 'README.md')).toBe('their readme');
    expect(showFile(bare, 'main', 'public/a.txt')).toBe('a2');
  });

  test('8 exports to one target at once: all finish, no commit lost, final tree correct', async () => {
    const bare = await server.repo('acme/crowd');
    const n = 8;
    const runs = Array.from({ length: n }, (_, i) =>
      runExport(
        settings('acme/crowd', {
          map: [`public/=pkg${i}/`],
          preserve: Array.from({ length: n }, (_, j) => j)
            .filter((j) => j !== i)
            .map((j) => `pkg${j}/**`),
          maxRetries: 20,
          safety: { allowMassDelete: true },
        }),
        captureLogger(),
      ),
    );
    const results = await Promise.all(runs);
    expect(results.map((r) => r.success)).toEqual(Array(n).fill(true));
    expect(git(bare, ['rev-list', '--count', 'main'])).toBe(String(n));
    const expected = Array.from({ length: n }, (_, i) => [`pkg${i}/a.txt`, `pkg${i}/b.txt`])
      .flat()
      .sort();
    expect(lsTree(bare)).toEqual(expected);
    // Every pushed commit is in the final history.
    for (const r of results) git(bare, ['merge-base', '--is-ancestor', r.commit!, 'main']);
  }, 120_000);

  test('a 500 on push and a dropped connection on ls-remote are retried', async () => {
    const bare = await server.repo('acme/faults');
    server.inject({ on: 'refs', kind: 'drop' });
    server.inject({ on: 'receive', kind: '500' });
    const log = captureLogger();
    const r = await runExport(settings('acme/faults'), log);
    expect(r.success).toBe(true);
    expect(revParse(bare, 'main')).toBe(r.commit);
    expect(server.requests.some((q) => q.status === 500)).toBe(true);
    expect(server.requests.some((q) => q.status === -1)).toBe(true);
    expect(log.text()).toMatch(/retrying/);
  });

  test('a wrong token fails with a clear message and the token is not printed', async () => {
    await server.repo('acme/denied');
    const wrong = 'ghp_wrongTokenValue0987654321';
    const log = captureLogger();
    const err = await runExport(
      settings('acme/denied', { auth: { token: wrong, serverUrl: server.url } }),
      log,
    ).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/Authentication to .* failed/);
    for (const text of [(err as Error).message, (err as Error).stack ?? '', log.text()]) {
      expect(text).not.toContain(wrong);
      expect(text).not.toContain(Buffer.from(`x-access-token:${wrong}`).toString('base64'));
    }
  });
  test('history mode finds its trailer below hand-made commits on a remote target (deepening the shallow fetch)', async () => {
    const bare = await server.repo('acme/deepen');
    const hist = (extra: Partial<ExportSettings> = {}) =>
      settings('acme/deepen', { mode: 'history', preserve: ['NOTES*.md'], ...extra });
    const first = await runExport(hist(), captureLogger());
    expect(first.success).toBe(true);
    // 30 hand-made commits on top: the trailer is 31 commits below the tip (the first fetch has depth 1).
    const clone = path.join(dir, 'other-deepen');
    git(dir, ['clone', '-q', bare, clone]);
    for (let i = 0; i < 30; i++) await commitFiles(clone, { [`NOTES${i}.md`]: `${i}\n` }, `notes ${i}`);
    git(clone, ['push', '-q', 'origin', 'HEAD:main']);
    const src = await commitFiles(source, { 'public/deep.txt': 'deep\n' }, 'add deep');
    const log = captureLogger();
    const r = await runExport(hist(), log);
    expect(r.success).toBe(true);
    expect(r.findings.map((f) => f.code)).not.toContain('history-no-trailer');
    // Only the one new source commit is replayed, on top of the hand-made ones.
    expect(r.counts.commits).toBe(1);
    expect(log.text()).toContain('fetching deeper');
    expect(git(bare, ['log', '-1', '--format=%B', 'main'])).toContain(`Ferry-Origin-Rev: ${src}`);
    expect(git(bare, ['rev-list', '--count', 'main'])).toBe('32');
    expect(showFile(bare, 'main', 'NOTES29.md')).toBe('29');
    expect(showFile(bare, 'main', 'public/deep.txt')).toBe('deep');
  });
});
