import * as path from 'node:path';
import { RemoteError } from '../../src/core/errors.js';
import { captureLogger } from '../../src/core/logger.js';
import { exportPullRequestFactory } from '../../src/github/export-pull-requests.js';
import { createPullRequestHost } from '../../src/github/pull-requests.js';
import { commitFiles, git, makeRepo } from '../support/git-fixtures.js';
import { loopbackGitHub } from '../support/github-mirror-fixtures.js';

/**
 * The import's PullRequestHost and the export's pull request API over the loopback GitHub: both
 * go through one module of pull request calls (src/github/repo-pull-requests.ts), so they comment
 * once, refuse a second pull request of a head, and explain an API failure the same way.
 */
const GIT_TOKEN = 'ghs_gitadapt_7c0de1';
const API_TOKEN = 'ghs_apiadapt_5e1f02';
const lb = loopbackGitHub(GIT_TOKEN, API_TOKEN);
afterEach(() => expect(lb.api.violations.splice(0)).toEqual([]));

const saved = { url: process.env.GITHUB_API_URL, timing: process.env.FERRY_GITHUB_TEST_TIMING };
beforeAll(() => {
  process.env.GITHUB_API_URL = lb.api.url;
  process.env.FERRY_GITHUB_TEST_TIMING = '1';
});
afterAll(() => {
  for (const [k, v] of [
    ['GITHUB_API_URL', saved.url],
    ['FERRY_GITHUB_TEST_TIMING', saved.timing],
  ] as const)
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
});

let n = 0;
/** A bare `acme/repo-N` on the git server with main and a `topic` branch one commit ahead. */
async function repoWithBranch(): Promise<string> {
  const full = `acme/repo-${++n}`;
  const bare = await lb.git.repo(full);
  const work = path.join(lb.root, `work-${n}`);
  await makeRepo(work, { 'README.md': 'hello\n' });
  git(work, ['push', '-q', bare, 'main']);
  git(work, ['checkout', '-q', '-b', 'topic']);
  await commitFiles(work, { 'a.txt': 'a\n' }, 'add a');
  git(work, ['push', '-q', bare, 'topic']);
  return full;
}

test('import host: a missing pull request is explained as a pull request failure, not an issue one', async () => {
  const pub = await repoWithBranch();
  const host = createPullRequestHost({ token: API_TOKEN, publicRepo: pub, logger: captureLogger() });
  const err = await host.getPublic(99).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RemoteError);
  expect((err as Error).message).toMatch(
    /^Reading pull request #99: acme\/repo-\d+ or the pull request was not found/,
  );
  expect((err as Error).message).not.toMatch(/issue-repo/);
});

test('import host: open, find, update and comment once on the private side; a second open is a remote refusal', async () => {
  const priv = await repoWithBranch();
  const host = createPullRequestHost({
    token: API_TOKEN,
    publicRepo: 'acme/public',
    privateRepo: priv,
    logger: captureLogger(),
  });
  expect(await host.findPrivate('topic')).toBeUndefined();
  const opened = await host.openPrivate({ head: 'topic', base: 'main', title: 'T', body: 'B' });
  expect(await host.findPrivate('topic')).toEqual(opened);
  await expect(
    host.openPrivate({ head: 'topic', base: 'main', title: 'T', body: 'B' }),
  ).rejects.toBeInstanceOf(RemoteError);
  await host.updatePrivate(opened.number, { title: 'T2', body: 'B2' });
  const marker = '<!-- ferry:test -->';
  // A body that holds the marker is posted as it is; one that does not gets it first.
  expect(await host.commentPrivate(opened.number, marker, `${marker}\nfirst`)).toBe(true);
  expect(await host.commentPrivate(opened.number, marker, 'again')).toBe(false);
  expect(await host.commentPrivate(opened.number, '<!-- ferry:other -->', 'other')).toBe(true);
  expect(lb.api.comments(priv, opened.number).map((c) => c.body)).toEqual([
    `${marker}\nfirst`,
    '<!-- ferry:other -->\nother',
  ]);
});

test('export API: create, list by head and base, comment once, label and close', async () => {
  const full = await repoWithBranch();
  const api = exportPullRequestFactory(API_TOKEN, captureLogger())!(full);
  const pr = await api.create({ head: 'topic', base: 'main', title: 'T', body: 'B', draft: false });
  expect(pr).toMatchObject({ state: 'open', merged: false, body: 'B' });
  expect((await api.list('topic', 'main')).map((p) => p.number)).toEqual([pr.number]);
  expect(await api.list('topic', 'dev')).toEqual([]);
  expect(await api.commentOnce(pr.number, '<!-- m -->', 'hi')).toBe(true);
  expect(await api.commentOnce(pr.number, '<!-- m -->', 'hi')).toBe(false);
  await api.addLabels(pr.number, ['ferry-landed']);
  expect(await api.update(pr.number, { state: 'closed' })).toMatchObject({ state: 'closed' });
  expect(await api.get(pr.number)).toMatchObject({ number: pr.number, state: 'closed', headSha: pr.headSha });
  expect(lb.api.comments(full, pr.number).map((c) => c.body)).toEqual(['<!-- m -->\nhi']);
});
