import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { RemoteError } from '../../src/core/errors.js';
import { captureLogger } from '../../src/core/logger.js';
import { runMirror } from '../../src/core/mirror/mirror.js';
import { mirrorSettings } from '../../src/core/mirror/settings.js';
import type { MirrorSettings } from '../../src/core/mirror/types.js';
import { detailsOf, type TargetResult } from '../../src/core/report/result.js';
import { MirrorPair } from '../support/github-mirror-fixtures.js';
import { GitHttpServer } from '../support/git-http-server.js';
import { git } from '../support/git-fixtures.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

/**
 * The mirror with both sides reached through git's transport, as a runner reaches GitHub: the
 * loopback smart-HTTP server (which, like GitHub, allows partial-clone filters) and `file://`
 * URLs. What a run fetches is what the server sent, counted at the server.
 */
const TOKEN = 'mirror-tok-123456';
/** Long histories, on a shared machine. */
const LONG = 240_000;
let server: GitHttpServer;
let root: string;
let n = 0;

beforeAll(async () => {
  root = await tmpDir('ferry-mirror-transport-');
  server = new GitHttpServer(path.join(root, 'srv'), TOKEN);
  await server.start();
}, LONG);
afterAll(async () => {
  await server.stop();
  await cleanupTmp();
}, LONG);

const state = (r: TargetResult) => detailsOf(r, 'mirror-branch')?.state;

/** A pair on the HTTP server (`acme/aN`, `acme/bN`) and settings that reach it over HTTP. */
async function httpPair(over: Partial<Parameters<typeof mirrorSettings>[0]> = {}) {
  const id = ++n;
  const pair = await MirrorPair.create(
    path.join(root, `p${id}`),
    await server.repo(`acme/a${id}`),
    await server.repo(`acme/b${id}`),
  );
  const settings: MirrorSettings = {
    ...mirrorSettings({
      repoA: `acme/a${id}`,
      repoB: `acme/b${id}`,
      branches: ['main'],
      tokenA: TOKEN,
      tokenB: TOKEN,
      serverUrl: server.url,
      onDivergence: 'fail',
      ...over,
    }),
    netBaseDelayMs: 5,
  };
  return { pair, settings };
}

/** A pair of bare repositories reached through `file://` URLs (git's transport, no local shortcut). */
async function filePair(over: Partial<Parameters<typeof mirrorSettings>[0]> = {}) {
  const pair = await MirrorPair.create(path.join(root, `f${++n}`));
  for (const bare of [pair.a, pair.b]) git(bare, ['config', 'uploadpack.allowFilter', 'true']);
  const settings: MirrorSettings = {
    ...mirrorSettings({
      repoA: `file://${pair.a}`,
      repoB: `file://${pair.b}`,
      branches: ['main'],
      onDivergence: 'fail',
      ...over,
    }),
    netBaseDelayMs: 5,
  };
  return { pair, settings };
}

/** Bytes the server sent to fetches (upload-pack POSTs) since `from` (an index in its request log). */
const fetchedSince = (from: number) =>
  server.requests
    .slice(from)
    .filter((q) => q.method === 'POST' && q.url.endsWith('/git-upload-pack'))
    .reduce((sum, q) => sum + q.bytes, 0);

/** Objects reachable from every ref are all present (what a push must never break). */
const connected = (bare: string) => git(bare, ['fsck', '--connectivity-only', '--no-dangling']);

test(
  'over smart HTTP: fast-forwards both ways, fetching about what the fast-forward adds',
  async () => {
    const { pair, settings } = await httpPair();
    // 300 commits of shared history, 4 KB of incompressible text each: about 1.2 MB.
    const shared = pair.grow('a', 300, { prefix: 'shared', bytes: 4096 });
    git(pair.a, ['push', '-q', pair.b, 'main']);
    const aTip = pair.grow('a', 3, { prefix: 'new-on-a', bytes: 4096 });
    const from = server.requests.length;
    const [r] = await runMirror(settings, captureLogger());
    expect([state(r), r.success]).toEqual(['a-ahead', true]);
    expect(pair.tip('b')).toBe(aTip);
    connected(pair.b);
    const fetched = fetchedSince(from);
    // The three new blobs are ~6 KB packed; a clone would fetch the whole repository.
    git(pair.a, ['repack', '-a', '-d', '-q']);
    const whole = Number(/size-pack: (\d+)/.exec(git(pair.a, ['count-objects', '-v']))![1]) * 1024;
    expect(fetched).toBeGreaterThan(3 * 2048);
    expect(fetched).toBeLessThan(whole / 20);

    // B moves ahead by more commits than the first shallow fetch holds: A is fast-forwarded.
    const bTip = pair.grow('b', 80, { prefix: 'new-on-b', bytes: 512 });
    const [back] = await runMirror(settings, captureLogger());
    expect([state(back), back.success]).toEqual(['b-ahead', true]);
    expect(detailsOf(back, 'mirror-branch')?.onlyInB.count).toBe(80);
    expect(pair.tip('a')).toBe(bTip);
    connected(pair.a);
    expect(shared).toBeTruthy();
  },
  LONG,
);

test(
  'a no-op run is a pure ref listing: one ls-refs per side, nothing fetched',
  async () => {
    const { pair, settings } = await httpPair();
    pair.grow('a', 20, { prefix: 'shared', bytes: 1024 });
    git(pair.a, ['push', '-q', pair.b, 'main']);
    const from = server.requests.length;
    const [r] = await runMirror(settings, captureLogger());
    expect(state(r)).toBe('equal');
    const reqs = server.requests.slice(from);
    // Protocol v2 over HTTP: ls-remote is the capability advertisement (GET) and one ls-refs (POST).
    expect(reqs.filter((q) => q.method === 'GET').length).toBe(2);
    expect(reqs.filter((q) => q.method === 'POST').length).toBe(2);
    expect(fetchedSince(from)).toBeLessThan(1024);
  },
  LONG,
);

test(
  'divergence over file://: the commits only in A and only in B listed, deeper than one fetch',
  async () => {
    const { pair, settings } = await filePair({ maxListedCommits: 3 });
    const base = pair.grow('a', 150, { prefix: 'shared' });
    git(pair.a, ['push', '-q', pair.b, 'main']);
    pair.grow('a', 100, { prefix: 'only-a' });
    // B: a side branch from deep in the shared history, merged after two commits of its own.
    const old = git(pair.b, ['rev-parse', 'main~120']);
    const side = pair.grow('b', 2, { prefix: 'side-b', branch: 'side', from: old });
    const bMain = pair.grow('b', 1, { prefix: 'only-b' });
    const merge = git(
      pair.b,
      ['commit-tree', `${bMain}^{tree}`, '-p', bMain, '-p', side, '-m', 'merge side'],
      '',
    );
    git(pair.b, ['update-ref', 'refs/heads/main', merge]);
    const before = [pair.tip('a'), pair.tip('b')];

    const [r] = await runMirror(settings, captureLogger());
    expect([state(r), r.success]).toEqual(['diverged', false]);
    expect([pair.tip('a'), pair.tip('b')]).toEqual(before); // nothing pushed
    const d = detailsOf(r, 'mirror-branch')!;
    expect(d.onlyInA.count).toBe(100);
    expect(d.onlyInA.commits.map((c) => c.subject)).toEqual(['only-a 99', 'only-a 98', 'only-a 97']);
    expect(d.onlyInB.count).toBe(4); // only-b 0, side-b 0 and 1, the merge
    expect(d.onlyInB.commits[0].subject).toBe('merge side');
    expect(d.mergeBase).toBe(base);
    // The same answers as a full clone gives.
    git(pair.b, ['fetch', '-q', pair.a, 'main:refs/a']);
    expect(git(pair.b, ['rev-list', '--count', 'main', '^refs/a'])).toBe('4');
    expect(git(pair.b, ['merge-base', 'main', 'refs/a'])).toBe(base);
  },
  LONG,
);

test(
  'over file://: a merge of old history fast-forwards, and a branch new to one side is created',
  async () => {
    const { pair, settings } = await filePair({ branches: ['main', 'feature'] });
    pair.grow('a', 120, { prefix: 'shared' });
    git(pair.a, ['push', '-q', pair.b, 'main']);
    // A merges a branch that forked 100 commits back: the push needs B's commits that deep.
    const fork = git(pair.a, ['rev-parse', 'main~100']);
    const side = pair.grow('a', 3, { prefix: 'side', branch: 'side', from: fork });
    const top = pair.grow('a', 1, { prefix: 'top' });
    const merge = git(
      pair.a,
      ['commit-tree', `${top}^{tree}`, '-p', top, '-p', side, '-m', 'merge side'],
      '',
    );
    git(pair.a, ['update-ref', 'refs/heads/main', merge]);
    const feature = pair.grow('b', 5, { prefix: 'feature', branch: 'feature' });

    const results = await runMirror(settings, captureLogger());
    expect(results.map((r) => [r.target, state(r), r.success])).toEqual([
      ['feature', 'missing-in-a', true],
      ['main', 'a-ahead', true],
    ]);
    expect(pair.tip('b')).toBe(merge);
    expect(pair.tip('a', 'feature')).toBe(feature);
    connected(pair.a);
    connected(pair.b);
  },
  LONG,
);

test(
  'over file://: tags, annotated or not, on a branch or on a commit no branch holds',
  async () => {
    const { pair, settings } = await filePair({ tags: 'v*' });
    pair.grow('a', 80, { prefix: 'shared' });
    git(pair.a, ['push', '-q', pair.b, 'main']);
    pair.tag('a', 'v1', 'main~70');
    git(pair.a, ['tag', '-a', '-m', 'release 2', 'v2', 'main~3']);
    const loose = pair.grow('a', 2, { prefix: 'loose', branch: 'tmp' });
    git(pair.a, ['tag', '-a', '-m', 'off-branch', 'v3', loose]);
    git(pair.a, ['update-ref', '-d', 'refs/heads/tmp']);
    const bTip = pair.grow('b', 2, { prefix: 'b' });
    git(pair.b, ['tag', '-a', '-m', 'on B', 'v4', bTip]);

    const results = await runMirror(settings, captureLogger());
    const tags = results.find((r) => r.target === 'tags')!;
    expect(tags.success).toBe(true);
    expect(tags.counts).toEqual({ toA: 1, toB: 3, equal: 0, conflicts: 0 });
    for (const t of ['v1', 'v2', 'v3'])
      expect(pair.tip('b', `refs/tags/${t}`)).toBe(pair.tip('a', `refs/tags/${t}`));
    expect(pair.tip('a', 'refs/tags/v4')).toBe(pair.tip('b', 'refs/tags/v4'));
    expect(pair.tip('a')).toBe(bTip);
    connected(pair.a);
    connected(pair.b);
  },
  LONG,
);

/** Delete the loose blob of `file` at `rev` from a bare repository: a damaged server. */
async function dropBlob(bare: string, rev: string, file: string): Promise<string> {
  const blob = git(bare, ['rev-parse', `${rev}:${file}`]);
  await fs.rm(path.join(bare, 'objects', blob.slice(0, 2), blob.slice(2)));
  return blob;
}

/** A pair given as local paths (alternates: nothing fetched). */
async function localPair() {
  const pair = await MirrorPair.create(path.join(root, `l${++n}`));
  const settings: MirrorSettings = {
    ...mirrorSettings({ repoA: pair.a, repoB: pair.b, branches: ['main'], onDivergence: 'fail' }),
    netBaseDelayMs: 5,
  };
  return { pair, settings };
}

test.each(['file', 'http', 'local'] as const)(
  'a side lacking objects (%s) is one clear error naming the cause and the fix, not retried',
  async (via) => {
    const { pair, settings } =
      via === 'file' ? await filePair() : via === 'http' ? await httpPair() : await localPair();
    // fast-import writes a pack; unpack it so one blob can be removed.
    pair.grow('b', 3, { prefix: 'b', bytes: 256 });
    git(pair.b, ['repack', '-a', '-d', '-q']);
    const packs = (await fs.readdir(path.join(pair.b, 'objects', 'pack'))).filter((f) => f.endsWith('.pack'));
    const loose = path.join(root, `unpack-${++n}`);
    await fs.mkdir(loose);
    for (const p of packs) {
      const pack = path.join(pair.b, 'objects', 'pack', p);
      await fs.rename(pack, path.join(loose, p));
      await fs.rm(pack.replace(/\.pack$/, '.idx'));
      execFileSync('git', ['unpack-objects', '-q'], {
        cwd: pair.b,
        input: await fs.readFile(path.join(loose, p)),
      });
    }
    const blob = await dropBlob(pair.b, 'main', 'b-1.txt');
    const log = captureLogger();
    const err = await runMirror(settings, log).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteError);
    const msg = (err as Error).message;
    expect(msg).not.toContain('\n');
    expect(msg).toMatch(/^Repository B \(.*\)(: .*)? is missing objects/);
    expect(msg).toContain(blob);
    expect(msg).toMatch(/git fsck/);
    expect(log.text()).not.toMatch(/retrying/);
    expect(pair.tip('a')).not.toBe(pair.tip('b'));
  },
  LONG,
);
