import { captureLogger } from '../../src/core/logger.js';
import { divergenceFingerprint } from '../../src/core/mirror/analyze.js';
import { divergenceMarkdown, issueMarker } from '../../src/core/mirror/report.js';
import type { BranchAnalysis, DivergenceReport } from '../../src/core/mirror/types.js';
import { RemoteError } from '../../src/core/errors.js';
import { createGitHubClient } from '../../src/github/client.js';
import { GitHubDivergenceIssues } from '../../src/github/divergence-issues.js';
import { GitHubApiServer } from '../support/github-api-server.js';

const TOKEN = 'ghs_looptoken_123456';
const REPO = 'acme/private';
let server: GitHubApiServer;

beforeAll(async () => {
  server = new GitHubApiServer(TOKEN);
  await server.start();
});
afterAll(() => server.stop());
afterEach(() => {
  // Every request and response of every scenario must match GitHub's OpenAPI description.
  const v = server.violations.splice(0);
  server.clearFaults();
  expect(v).toEqual([]);
});

const key = (branch: string) => ({ a: 'acme/public', b: 'acme/private', branch });

function report(branch: string, a: string, b: string): DivergenceReport {
  const analysis: BranchAnalysis = {
    branch,
    state: 'diverged',
    a,
    b,
    mergeBase: 'c'.repeat(40),
    onlyInA: { count: 1, commits: [{ sha: a, subject: 'on A', author: 'Ann <a@x>' }] },
    onlyInB: { count: 1, commits: [{ sha: b, subject: 'on B', author: 'Bob <b@x>' }] },
  };
  const k = key(branch);
  return {
    key: k,
    analysis,
    fingerprint: divergenceFingerprint(a, b, analysis.mergeBase),
    markdown: divergenceMarkdown(k, analysis, { a: 'https://x/a.git', b: 'https://x/b.git' }),
  };
}

function sink(token = TOKEN, labels = ['sync-failure', 'urgent']) {
  const logger = captureLogger();
  const octokit = createGitHubClient({
    token,
    baseUrl: server.url,
    logger,
    retryBaseMs: 5,
    paceWrites: false,
  });
  return { issues: new GitHubDivergenceIssues(octokit, { repository: REPO, labels, logger }), logger };
}

test('the OpenAPI check catches a request the real API would reject, and a malformed response', async () => {
  const logger = captureLogger();
  const octokit = createGitHubClient({
    token: TOKEN,
    baseUrl: server.url,
    logger,
    retryBaseMs: 5,
    paceWrites: false,
  });
  await expect(
    octokit.request('POST /repos/{owner}/{repo}/labels', {
      owner: 'acme',
      repo: 'x',
      color: 'ff0000',
    } as never),
  ).rejects.toMatchObject({ status: 422 });
  await expect(
    octokit.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
      owner: 'acme',
      repo: 'x',
      issue_number: 1,
      state: 'shut' as never,
    }),
  ).rejects.toMatchObject({ status: 422 });
  await expect(
    octokit.request('GET /repos/{owner}/{repo}/issues', {
      owner: 'acme',
      repo: 'x',
      state: 'everything' as never,
    }),
  ).rejects.toMatchObject({ status: 422 });
  const caught = server.violations.splice(0);
  expect(caught.some((v) => v.includes('issues/create-label body') && v.includes('name'))).toBe(true);
  expect(caught.some((v) => v.includes('issues/update body: /state'))).toBe(true);
  expect(caught.some((v) => v.includes('issues/list-for-repo parameters: /query:state'))).toBe(true);

  const { GitHubOpenApi } = await import('../support/github-openapi.js');
  const api = GitHubOpenApi.get([]);
  const m = api.match('GET', '/repos/acme/x/issues/1')!;
  expect(api.checkResponse(m.op, 200, { number: 'one' }).length).toBeGreaterThan(0);
  expect(api.checkResponse(m.op, 418, {})).toEqual(['issues/get: status 418 is not a documented response']);
});

test('one issue per divergence: created with labels, no comment when unchanged, a comment when changed, closed when resolved', async () => {
  const A = 'a'.repeat(40);
  const B = 'b'.repeat(40);
  const run1 = sink();
  const created = await run1.issues.reportDivergence(report('main', A, B));
  expect(created.action).toBe('created');
  expect(server.labels(REPO)).toEqual(['sync-failure', 'urgent']);
  const [issue] = server.issues(REPO);
  expect(issue.labels).toEqual(['sync-failure', 'urgent']);
  expect(issue.body).toContain(issueMarker(key('main'), divergenceFingerprint(A, B, 'c'.repeat(40))));
  expect(created.url).toBe(`${server.url}/${REPO}/issues/${issue.number}`);

  // A later run, same divergence: found by marker, not commented.
  const unchanged = await sink().issues.reportDivergence(report('main', A, B));
  expect(unchanged).toMatchObject({ number: issue.number, action: 'unchanged' });
  expect(server.comments(REPO, issue.number)).toHaveLength(0);

  // Another branch's divergence is a separate issue.
  await sink().issues.reportDivergence(report('dev', A, B));
  expect(server.issues(REPO)).toHaveLength(2);

  // New commits on B: one comment, body updated with the new fingerprint.
  const B2 = 'd'.repeat(40);
  const changed = await sink().issues.reportDivergence(report('main', A, B2));
  expect(changed.action).toBe('commented');
  expect(server.comments(REPO, issue.number)).toHaveLength(1);
  expect(server.issues(REPO)[0].body).toContain(divergenceFingerprint(A, B2, 'c'.repeat(40)));

  const closed = await sink().issues.reportInSync(key('main'), {
    ...report('main', A, A).analysis,
    state: 'equal',
  });
  expect(closed).toMatchObject({ number: issue.number, action: 'closed' });
  expect(server.issues(REPO)[0].state).toBe('closed');
  expect(server.comments(REPO, issue.number).pop()!.body).toMatch(/^Resolved/);
  // Nothing open for main any more: in-sync runs do nothing.
  expect(await sink().issues.reportInSync(key('main'), report('main', A, A).analysis)).toBeUndefined();
});

test('finds its issue past the first page of open issues', async () => {
  const repo = 'acme/busy';
  const issuesFor = () => {
    const logger = captureLogger();
    const octokit = createGitHubClient({
      token: TOKEN,
      baseUrl: server.url,
      logger,
      retryBaseMs: 5,
      paceWrites: false,
    });
    return new GitHubDivergenceIssues(octokit, { repository: repo, labels: ['sync-failure'], logger });
  };
  const first = await issuesFor().reportDivergence(report('main', 'a'.repeat(40), 'b'.repeat(40)));
  // 130 newer open issues with the same label push ours to the second page (100 per page, newest first).
  const state = server.repo(repo);
  for (let i = 0; i < 130; i++)
    state.issues.push({
      ...state.issues[0],
      id: 5000 + i,
      number: 2 + i,
      body: 'unrelated',
      title: `noise ${i}`,
    });
  const again = await issuesFor().reportDivergence(report('main', 'a'.repeat(40), 'b'.repeat(40)));
  expect(again).toMatchObject({ number: first.number, action: 'unchanged' });
  const lists = server.calls('issues/list-for-repo').filter((c) => c.path.startsWith(`/repos/${repo}/`));
  expect(lists.map((c) => new URL(c.path, server.url).searchParams.get('page') ?? '1')).toEqual([
    '1',
    '1',
    '2',
  ]);
});

test.each([
  ['500', { kind: '500', times: 2 }],
  ['dropped connection', { kind: 'drop', times: 1 }],
  ['403 secondary rate limit', { kind: '403-secondary', times: 1 }],
  ['429 with retry-after', { kind: '429', times: 1 }],
] as const)('survives a %s', async (_name, fault) => {
  const repo = `acme/faults-${fault.kind}`;
  const logger = captureLogger();
  const octokit = createGitHubClient({
    token: TOKEN,
    baseUrl: server.url,
    logger,
    retryBaseMs: 5,
    paceWrites: false,
  });
  const issues = new GitHubDivergenceIssues(octokit, { repository: repo, labels: ['sync-failure'], logger });
  server.inject({ ...fault, on: 'any' });
  const r = await issues.reportDivergence(report('main', 'a'.repeat(40), 'b'.repeat(40)));
  expect(r.action).toBe('created');
  expect(server.issues(repo)).toHaveLength(1);
  const hit = server.requests.filter((q) => q.path.includes(repo) && (q.status >= 403 || q.status === -1));
  expect(hit.length).toBe(fault.times);
  // A retry that worked is no finding: Octokit's own request log must not become an error or
  // warning (in an action those are red and yellow annotations on a green job).
  expect(logger.lines.filter((l) => l.level === 'error' || l.level === 'warning')).toEqual([]);
  expect(logger.text()).toMatch(/500|retry|rate limit|ECONNRESET|socket|other side closed/i);
});

test('a wrong token gives a clear error and never shows the token', async () => {
  const bad = 'ghp_wrongtoken_987654';
  const { issues, logger } = sink(bad);
  const err = await issues
    .reportDivergence(report('main', 'a'.repeat(40), 'b'.repeat(40)))
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(RemoteError);
  expect((err as Error).message).toMatch(/rejected the token \(401.*github-token input/);
  expect((err as Error).message).not.toContain(bad);
  expect(logger.text()).not.toContain(bad);
});
