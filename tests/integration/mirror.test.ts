import * as path from 'node:path';
import { captureLogger } from '../../src/core/logger.js';
import { runMirror } from '../../src/core/mirror/mirror.js';
import { mirrorSettings } from '../../src/core/mirror/settings.js';
import type { DivergenceIssueSink, DivergenceReport, MirrorSettings } from '../../src/core/mirror/types.js';
import { detailsOf, type TargetResult } from '../../src/core/report/result.js';

const state = (r: TargetResult) => detailsOf(r, 'mirror-branch')?.state;
import { MirrorPair } from '../support/github-mirror-fixtures.js';
import { GitHttpServer } from '../support/git-http-server.js';
import { git } from '../support/git-fixtures.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

afterAll(cleanupTmp);

function settings(
  pair: MirrorPair,
  over: Partial<Parameters<typeof mirrorSettings>[0]> = {},
): MirrorSettings {
  return {
    ...mirrorSettings({ repoA: pair.a, repoB: pair.b, branches: ['main'], ...over }),
    netBaseDelayMs: 5,
  };
}

const byTarget = (rs: TargetResult[], t: string) => rs.find((r) => r.target === t)!;

/** A sink that records calls instead of talking to GitHub. */
function fakeSink() {
  const calls: string[] = [];
  const reports: DivergenceReport[] = [];
  const sink: DivergenceIssueSink = {
    async reportDivergence(r) {
      calls.push(`diverged:${r.key.branch}`);
      reports.push(r);
      return { number: 7, url: 'https://x/7', action: 'created' };
    },
    async reportInSync(key) {
      calls.push(`in-sync:${key.branch}`);
      return undefined;
    },
  };
  return { sink, calls, reports };
}

test('fast-forwards each way and creates a missing branch, never touching an equal one', async () => {
  const pair = await MirrorPair.create(await tmpDir());
  const a1 = await pair.commit('a', 'feature on A');
  await pair.commit('a', 'second on A');
  const d1 = await pair.commit('b', 'dev on B', 'dev');
  const r1 = await pair.commit('a', 'release on A', 'release/1');
  const s = settings(pair, { branches: ['main', 'dev', 'release/*'] });
  const results = await runMirror(s, captureLogger());
  expect(results.map((r) => [r.target, state(r), r.success])).toEqual([
    ['dev', 'missing-in-a', true],
    ['main', 'a-ahead', true],
    ['release/1', 'missing-in-b', true],
  ]);
  expect(pair.tip('b')).toBe(pair.tip('a'));
  expect(pair.tip('a', 'dev')).toBe(d1);
  expect(pair.tip('b', 'release/1')).toBe(r1);
  expect(byTarget(results, 'main').counts.pushedCommits).toBe(2);
  expect(a1).toBeTruthy();

  // Now B moves ahead: A is fast-forwarded; a second run finds everything equal.
  const b2 = await pair.commit('b', 'hotfix on B');
  const again = await runMirror(s, captureLogger());
  expect(state(byTarget(again, 'main'))).toBe('b-ahead');
  expect(pair.tip('a')).toBe(b2);
  const third = await runMirror(s, captureLogger());
  expect(third.every((r) => state(r) === 'equal' && !r.changed)).toBe(true);
});

test('divergence: nothing pushed, commits listed and capped, the sink is called, fails unless warn', async () => {
  const pair = await MirrorPair.create(await tmpDir());
  for (let i = 0; i < 4; i++) await pair.commit('a', `a-${i}`);
  await pair.commit('b', 'b-only');
  const tips = [pair.tip('a'), pair.tip('b')];
  const { sink, calls, reports } = fakeSink();
  const [r] = await runMirror({ ...settings(pair), maxListedCommits: 2 }, captureLogger(), sink);
  expect([pair.tip('a'), pair.tip('b')]).toEqual(tips);
  expect(r.success).toBe(false);
  expect(r.findings[0]).toMatchObject({ severity: 'error', code: 'mirror-diverged' });
  const d = r.details as {
    onlyInA: { count: number; commits: { subject: string }[] };
    onlyInB: { count: number };
    mergeBase: string;
  };
  expect(d.onlyInA.count).toBe(4);
  expect(d.onlyInA.commits.map((c) => c.subject)).toEqual(['a-3', 'a-2']);
  expect(d.onlyInB.count).toBe(1);
  expect(d.mergeBase).toMatch(/^[0-9a-f]{40}$/);
  expect(calls).toEqual(['diverged:main']);
  expect(reports[0].markdown).toContain('…and 2 more.');
  expect(detailsOf(r, 'mirror-branch')?.issue).toEqual({ number: 7, url: 'https://x/7', action: 'created' });

  const [w] = await runMirror({ ...settings(pair, { onDivergence: 'warn' }) }, captureLogger(), sink);
  expect(w.success).toBe(true);
  expect(w.findings[0].severity).toBe('warning');
  expect(calls).toEqual(['diverged:main']); // warn opens no issue
});

test('dry run analyses only: no push, no sink call', async () => {
  const pair = await MirrorPair.create(await tmpDir());
  await pair.commit('a', 'ahead');
  const before = pair.tip('b');
  const { sink, calls } = fakeSink();
  const [r] = await runMirror(settings(pair, { dryRun: true }), captureLogger(), sink);
  expect(r).toMatchObject({ changed: true, dryRun: true, success: true });
  expect(r.message).toMatch(/^would fast-forward B/);
  expect(pair.tip('b')).toBe(before);
  expect(calls).toEqual([]);
});

test('tags: missing ones pushed both ways, a conflicting tag reported and never overwritten', async () => {
  const pair = await MirrorPair.create(await tmpDir());
  pair.tag('a', 'v1');
  await pair.commit('b', 'b ahead');
  pair.tag('b', 'v2');
  pair.tag('a', 'v3');
  pair.tag('b', 'v3'); // B's main differs from A's main now: a conflict
  pair.tag('a', 'other');
  const results = await runMirror(settings(pair, { tags: 'v*' }), captureLogger());
  const t = byTarget(results, 'tags');
  expect(t.counts).toEqual({ toA: 1, toB: 1, equal: 0, conflicts: 1 });
  expect(t.success).toBe(false);
  expect(t.findings.map((f) => f.code)).toEqual(['mirror-tag-conflict']);
  expect(pair.tip('b', 'v1')).toBe(pair.tip('a', 'v1'));
  expect(pair.tip('a', 'v2')).toBe(pair.tip('b', 'v2'));
  expect(pair.tip('a', 'v3')).not.toBe(pair.tip('b', 'v3'));
  expect(pair.tip('b', 'other')).toBeUndefined();
});

test('a push landing between fetch and push is re-analysed and retried (and a diverging one reported)', async () => {
  const root = await tmpDir();
  const server = new GitHttpServer(path.join(root, 'srv'), 'tok-123456');
  await server.start();
  try {
    const pair = await MirrorPair.create(root, await server.repo('acme/a'), await server.repo('acme/b'));
    await pair.commit('a', 'A ahead');
    let raced = '';
    // B receives a fast-forward of its own (A's commit + one more) just before our push: our push is stale.
    server.inject({
      on: 'receive',
      kind: 'before',
      action: async () => {
        raced = await pair.commit('b', 'landed meanwhile on B');
      },
    });
    const s = mirrorSettings({
      repoA: 'acme/a',
      repoB: 'acme/b',
      branches: ['main'],
      tokenA: 'tok-123456',
      tokenB: 'tok-123456',
      serverUrl: server.url,
    });
    const log = captureLogger();
    const [r] = await runMirror({ ...s, netBaseDelayMs: 5 }, log);
    // The concurrent B commit does not contain A's commit: the branch is now diverged, nothing forced.
    expect(raced).toBeTruthy();
    expect(state(r)).toBe('diverged');
    expect(pair.tip('b')).toBe(raced);
    expect(log.text()).toMatch(/moved while mirroring main/);
    expect(log.text()).not.toContain('tok-123456');

    // Next: the racing push is itself a fast-forward of what we push: re-analysis says equal/ff, retry succeeds.
    const pair2 = await MirrorPair.create(
      path.join(root, 'p2'),
      await server.repo('acme/c'),
      await server.repo('acme/d'),
    );
    const c1 = await pair2.commit('a', 'A ahead');
    server.inject({
      on: 'receive',
      kind: 'before',
      action: async () => {
        git(pair2.a, ['push', '-q', pair2.b, `${c1}:refs/heads/main`]);
      },
    });
    const s2 = mirrorSettings({
      repoA: 'acme/c',
      repoB: 'acme/d',
      branches: ['main'],
      tokenA: 'tok-123456',
      tokenB: 'tok-123456',
      serverUrl: server.url,
    });
    const [r2] = await runMirror({ ...s2, netBaseDelayMs: 5 }, captureLogger());
    expect(r2.success).toBe(true);
    expect(pair2.tip('b')).toBe(c1);
  } finally {
    await server.stop();
  }
});
