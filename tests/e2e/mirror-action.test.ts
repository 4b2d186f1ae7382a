import * as path from 'node:path';
import { loopbackGitHub, MirrorPair } from '../support/github-mirror-fixtures.js';
import { git } from '../support/git-fixtures.js';
import { runAction, runCli, type ActionRun } from '../support/run-action.js';

/**
 * The bilateral-mirror action run exactly as the Actions runner runs it (dist bundle, INPUT_*,
 * GITHUB_SERVER_URL / GITHUB_API_URL pointing at loopback git and a loopback GitHub REST API whose
 * every request and response is checked against GitHub's OpenAPI description).
 */
const GIT_TOKEN = 'ghs_gitloop_4f8a2c';
const API_TOKEN = 'ghs_apiloop_9d1e7b';
const lb = loopbackGitHub(GIT_TOKEN, API_TOKEN);
let n = 0;
afterEach(() => {
  const v = lb.api.violations.splice(0);
  lb.api.clearFaults();
  lb.git.clearFaults();
  expect(v).toEqual([]);
});

/** A fresh pair acme/pub-N ↔ acme/priv-N on the loopback git server. */
async function pair(): Promise<{ p: MirrorPair; a: string; b: string }> {
  n++;
  const a = `acme/pub-${n}`;
  const b = `acme/priv-${n}`;
  const p = await MirrorPair.create(
    path.join(lb.root, `pair-${n}`),
    await lb.git.repo(a),
    await lb.git.repo(b),
  );
  return { p, a, b };
}

function mirror(
  a: string,
  b: string,
  inputs: Record<string, string> = {},
  env: Record<string, string> = {},
): Promise<ActionRun> {
  return runAction('bilateral-mirror', {
    inputs: {
      'repo-a': a,
      'repo-b': b,
      'token-a': GIT_TOKEN,
      'token-b': GIT_TOKEN,
      'github-token': API_TOKEN,
      ...inputs,
    },
    env: {
      GITHUB_SERVER_URL: lb.git.url,
      GITHUB_API_URL: lb.api.url,
      GITHUB_REPOSITORY: 'acme/issues',
      FERRY_GITHUB_TEST_TIMING: '1',
      ...env,
    },
  });
}

const results = (r: ActionRun) =>
  JSON.parse(r.outputs.results) as { target: string; success: boolean; details: Record<string, unknown> }[];
/** What the runner shows: it consumes `::add-mask::` commands instead of printing them. */
const shown = (r: ActionRun) =>
  r.log
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');
const noSecrets = (r: ActionRun) => {
  expect(shown(r)).not.toContain(GIT_TOKEN);
  expect(shown(r)).not.toContain(API_TOKEN);
  expect(r.summary).not.toContain(GIT_TOKEN);
};

test('fast-forward each way, branch creation and tags, with a per-branch summary', async () => {
  const { p, a, b } = await pair();
  await p.commit('a', 'merged PR on A');
  const dev = await p.commit('b', 'dev work on B', 'dev');
  p.tag('a', 'v1.0');
  const r1 = await mirror(a, b, { branches: 'main\ndev', tags: 'v*' });
  expect(r1.exitCode).toBe(0);
  noSecrets(r1);
  expect(p.tip('b')).toBe(p.tip('a'));
  expect(p.tip('a', 'dev')).toBe(dev);
  expect(p.tip('b', 'v1.0')).toBe(p.tip('a', 'v1.0'));
  expect(results(r1).map((x) => [x.target, x.details.state])).toEqual([
    ['dev', 'missing-in-a'],
    ['main', 'a-ahead'],
    ['tags', undefined],
  ]);
  expect(r1.outputs).toMatchObject({
    diverged: 'false',
    changed: 'true',
    'issue-number': '',
    'issue-url': '',
  });
  expect(r1.summary).toContain('## Bilateral mirror');
  expect(r1.summary).toContain('### Branch `main`');
  expect(r1.summary).toContain('### Branch `dev`');

  const b2 = await p.commit('b', 'merged PR on B');
  const r2 = await mirror(a, b);
  expect(r2.exitCode).toBe(0);
  expect(p.tip('a')).toBe(b2);
  expect(results(r2)[0].details.state).toBe('b-ahead');
  expect(lb.api.requests.filter((q) => q.method !== 'GET')).toEqual([]); // nothing diverged: no issue writes
});

test('divergence opens exactly one issue across three runs, comments only on change, closes after resolution', async () => {
  const { p, a, b } = await pair();
  await p.commit('a', 'only on A');
  await p.commit('b', 'only on B');
  const tipsBefore = [p.tip('a'), p.tip('b')];

  const r1 = await mirror(a, b);
  expect(r1.exitCode).toBe(1);
  noSecrets(r1);
  expect([p.tip('a'), p.tip('b')]).toEqual(tipsBefore);
  expect(r1.outputs.diverged).toBe('true');
  const issues = lb.api.issues('acme/issues').filter((i) => i.body?.includes(`a=acme%2Fpub-${n}`));
  expect(issues).toHaveLength(1);
  const num = issues[0].number;
  expect(r1.outputs['issue-number']).toBe(String(num));
  expect(r1.outputs['issue-url']).toBe(`${lb.api.url}/acme/issues/issues/${num}`);
  expect(issues[0].labels).toEqual(['sync-failure', 'urgent']);
  expect(issues[0].body).toContain('only on A');
  expect(issues[0].body).toContain('git merge b/main');
  expect(r1.log).toMatch(/diverged/);

  const r2 = await mirror(a, b);
  expect(r2.exitCode).toBe(1);
  expect(lb.api.comments('acme/issues', num)).toHaveLength(0);

  await p.commit('a', 'another on A');
  const r3 = await mirror(a, b);
  expect(r3.exitCode).toBe(1);
  expect(lb.api.comments('acme/issues', num)).toHaveLength(1);
  expect(lb.api.issues('acme/issues').filter((i) => i.body?.includes(`a=acme%2Fpub-${n}`))).toHaveLength(1);

  // A maintainer merges B into A and pushes the merge to both sides.
  const fix = path.join(lb.root, `fix-${n}`);
  git(lb.root, ['clone', '-q', p.a, fix]);
  git(fix, ['fetch', '-q', p.b, 'main']);
  git(fix, ['merge', '-q', '--no-edit', 'FETCH_HEAD']);
  git(fix, ['push', '-q', p.a, 'HEAD:main']);
  git(fix, ['push', '-q', p.b, 'HEAD:main']);
  const r4 = await mirror(a, b);
  expect(r4.exitCode).toBe(0);
  expect(r4.outputs.diverged).toBe('false');
  expect(r4.outputs['issue-number']).toBe(String(num));
  const closed = lb.api.issues('acme/issues').find((i) => i.number === num)!;
  expect(closed.state).toBe('closed');
  expect(lb.api.comments('acme/issues', num).map((c) => c.body.split(':')[0])).toEqual([
    'The divergence changed since the last report.\n\n## Mirror diverged',
    'Resolved',
  ]);
});

test('survives API 500s, dropped connections, 403 secondary and 429 rate limits, and git 500s', async () => {
  const { p, a, b } = await pair();
  await p.commit('a', 'A side');
  await p.commit('b', 'B side');
  lb.api.inject({ kind: '500', on: 'read' });
  lb.api.inject({ kind: 'drop', on: 'any' });
  lb.api.inject({ kind: '403-secondary', on: 'write' });
  lb.api.inject({ kind: '429', on: 'write' });
  lb.git.inject({ on: 'upload', kind: '500' });
  lb.git.inject({ on: 'refs', kind: 'drop' });
  const r = await mirror(a, b, { 'issue-repo': `acme/faults-${n}` });
  expect(r.exitCode).toBe(1); // diverged: the job fails, but the issue was opened despite the faults
  noSecrets(r);
  expect(lb.api.issues(`acme/faults-${n}`)).toHaveLength(1);
  expect(r.outputs['issue-number']).toBe('1');
  const faulted = lb.api.requests.filter(
    (q) => q.path.includes(`faults-${n}`) && [403, 429, 500, -1].includes(q.status),
  );
  expect(faulted).toHaveLength(4);
});

test('a wrong token gives a clear error naming the side, with no token in the logs', async () => {
  const { p, a, b } = await pair();
  await p.commit('a', 'ahead');
  const wrong = 'ghs_wrong_token_77aa';
  const r = await mirror(a, b, { 'token-b': wrong });
  expect(r.exitCode).toBe(1);
  expect(r.log).toMatch(/Repository B \(acme\/priv-\d+\): Authentication to .* failed/);
  expect(shown(r)).not.toContain(wrong);
  noSecrets(r);

  await p.commit('b', 'diverge');
  const r2 = await mirror(a, b, { 'github-token': wrong });
  expect(r2.exitCode).toBe(1);
  expect(r2.log).toMatch(/rejected the token \(401/);
  expect(shown(r2)).not.toContain(wrong);
  lb.api.requests.splice(0);
});

test('dry run changes nothing on either side and opens no issue', async () => {
  const { p, a, b } = await pair();
  await p.commit('a', 'ahead on A');
  await p.commit('b', 'new branch on B', 'feature');
  const before = [p.tip('a'), p.tip('b'), p.tip('a', 'feature'), p.tip('b', 'feature')];
  const apiCalls = lb.api.requests.length;
  const r = await mirror(a, b, { 'dry-run': 'true', branches: 'main, feature' });
  expect(r.exitCode).toBe(0);
  expect([p.tip('a'), p.tip('b'), p.tip('a', 'feature'), p.tip('b', 'feature')]).toEqual(before);
  expect(lb.api.requests.length).toBe(apiCalls);
  expect(r.summary).toContain('Dry run');
  expect(r.outputs.changed).toBe('true');

  await p.commit('b', 'diverge main');
  const d = await mirror(a, b, { 'dry-run': 'true' });
  expect(d.exitCode).toBe(1); // a dry run still reports divergence as a failure
  expect(lb.api.requests.length).toBe(apiCalls);
});

test('CLI: ferry mirror on local paths; issue behaves as fail (exit 1), warn exits 0', async () => {
  const p = await MirrorPair.create(path.join(lb.root, 'cli'));
  await p.commit('a', 'ahead');
  const ok = await runCli(['mirror', '--a', p.a, '--b', p.b, '--branch', 'main', '--json']);
  expect(ok.exitCode).toBe(0);
  const report = JSON.parse(ok.stdout);
  expect(report.results[0]).toMatchObject({
    target: 'main',
    kind: 'mirror-branch',
    success: true,
    details: { state: 'a-ahead', pushed_to: 'b' },
  });
  expect(p.tip('b')).toBe(p.tip('a'));

  await p.commit('a', 'A again');
  await p.commit('b', 'B meanwhile');
  const div = await runCli(['mirror', '--a', p.a, '--b', p.b, '--branch', 'main']);
  expect(div.exitCode).toBe(1);
  expect(div.stdout).toMatch(/main \[mirror-branch\] FAILED.*diverged/);
  // The text lists the commits only on each side (short sha, subject, author), as the issue does.
  expect(div.stdout).toContain('main: 1 commit(s) only in A:');
  expect(div.stdout).toContain(`    ${p.tip('a')!.slice(0, 7)} A again (`);
  expect(div.stdout).toContain('main: 1 commit(s) only in B:');
  expect(div.stdout).toContain(`    ${p.tip('b')!.slice(0, 7)} B meanwhile (`);
  const capped = await runCli(['mirror', '--a', p.a, '--b', p.b, '--max-listed-commits', '0']);
  expect(capped.stdout).toContain('main: 1 commit(s) only in A:\n    …and 1 more');
  const warn = await runCli([
    'mirror',
    '--a',
    p.a,
    '--b',
    p.b,
    '--branch',
    'main',
    '--on-divergence',
    'warn',
  ]);
  expect(warn.exitCode).toBe(0);
  const bad = await runCli(['mirror', '--a', p.a, '--b', p.b, '--on-divergence', 'sometimes']);
  expect(bad.exitCode).toBe(2);
  expect(bad.stderr).toMatch(/Expected one of: issue, fail, warn/);
});
