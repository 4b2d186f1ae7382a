import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { captureLogger } from '../../src/core/logger.js';
import { createGitHubClient } from '../../src/github/client.js';
import { commitFiles, git, makeRepo } from '../support/git-fixtures.js';
import { loopbackGitHub } from '../support/github-mirror-fixtures.js';

/**
 * The loopback GitHub's pull requests, driven through Ferry's own Octokit: what the export-as-PR
 * and import-PR tests rely on behaves as on GitHub, and every request and response matches
 * GitHub's OpenAPI description. Served under /api/v3, the way GitHub Enterprise Server does.
 */
const GIT_TOKEN = 'ghs_gitpulls_51c0de';
const API_TOKEN = 'ghs_apipulls_9a7e11';
const lb = loopbackGitHub(GIT_TOKEN, API_TOKEN, { apiPathPrefix: '/api/v3' });
afterEach(() => expect(lb.api.violations.splice(0)).toEqual([]));

const run = promisify(execFile);
let n = 0;
/** A bare `acme/pub-N` on the git server with main and a `topic` branch one commit ahead. */
async function repoWithBranch(): Promise<{ full: string; bare: string; work: string; topic: string }> {
  const full = `acme/pub-${++n}`;
  const bare = await lb.git.repo(full);
  const work = path.join(lb.root, `work-${n}`);
  await makeRepo(work, { 'README.md': 'hello\n' });
  git(work, ['push', '-q', bare, 'main']);
  git(work, ['checkout', '-q', '-b', 'topic']);
  const topic = await commitFiles(work, { 'a.txt': 'a\n' }, 'add a');
  git(work, ['push', '-q', bare, 'topic']);
  return { full, bare, work, topic };
}

const client = () =>
  createGitHubClient({
    token: API_TOKEN,
    baseUrl: lb.api.url,
    logger: captureLogger(),
    retryBaseMs: 5,
    paceWrites: false,
  });

test('create, list by head/base/state, get, update, comment, label, close: refs/pull/N/head follows the branch', async () => {
  expect(lb.api.url).toMatch(/\/api\/v3$/);
  const { full, bare, work, topic } = await repoWithBranch();
  const [owner, repo] = full.split('/');
  const o = client();
  const created = await o.rest.pulls.create({
    owner,
    repo,
    title: 'T',
    body: 'B',
    head: 'topic',
    base: 'main',
    draft: true,
  });
  expect(created.status).toBe(201);
  expect(created.data).toMatchObject({
    number: 1,
    state: 'open',
    draft: true,
    head: { ref: 'topic', sha: topic },
  });
  expect(git(bare, ['rev-parse', 'refs/pull/1/head'])).toBe(topic);

  // The same head and base again: GitHub refuses with 422.
  await expect(
    o.rest.pulls.create({ owner, repo, title: 'again', head: 'topic', base: 'main' }),
  ).rejects.toMatchObject({
    status: 422,
  });
  // A head with nothing new: 422 too.
  git(bare, ['branch', 'same', 'main']);
  await expect(
    o.rest.pulls.create({ owner, repo, title: 'x', head: 'same', base: 'main' }),
  ).rejects.toMatchObject({ status: 422 });

  const byHead = await o.rest.pulls.list({ owner, repo, head: `${owner}:topic`, state: 'open' });
  expect(byHead.data.map((p) => p.number)).toEqual([1]);
  expect((await o.rest.pulls.list({ owner, repo, head: `${owner}:other` })).data).toEqual([]);
  expect((await o.rest.pulls.list({ owner, repo, base: 'dev' })).data).toEqual([]);

  // A push to the branch moves the PR head and refs/pull/1/head (seen by a fetch over HTTP).
  const next = await commitFiles(work, { 'b.txt': 'b\n' }, 'add b');
  git(work, ['push', '-q', bare, 'topic']);
  // (async: the loopback servers run in this process)
  const { stdout } = await run('git', [
    '-c',
    `http.extraheader=Authorization: Basic ${Buffer.from(`x-access-token:${GIT_TOKEN}`).toString('base64')}`,
    'ls-remote',
    lb.git.repoUrl(full),
    'refs/pull/1/head',
  ]);
  expect(stdout.split('\t')[0]).toBe(next);
  expect((await o.rest.pulls.get({ owner, repo, pull_number: 1 })).data.head.sha).toBe(next);

  await o.rest.pulls.update({ owner, repo, pull_number: 1, title: 'T2', body: 'B2' });
  await o.rest.issues.createComment({ owner, repo, issue_number: 1, body: 'hi' });
  const labels = await o.rest.issues.addLabels({ owner, repo, issue_number: 1, labels: ['ferry'] });
  expect(labels.data.map((l) => l.name)).toEqual(['ferry']);
  const asIssue = await o.rest.issues.get({ owner, repo, issue_number: 1 });
  expect(asIssue.data.pull_request?.url).toContain('/pulls/1');
  expect(lb.api.issues(full)).toEqual([]);

  const closed = await o.rest.pulls.update({ owner, repo, pull_number: 1, state: 'closed' });
  expect(closed.data).toMatchObject({ state: 'closed', merged: false, title: 'T2', body: 'B2', comments: 1 });
  expect((await o.rest.pulls.list({ owner, repo, head: `${owner}:topic` })).data).toEqual([]);
  expect(
    (await o.rest.pulls.list({ owner, repo, head: `${owner}:topic`, state: 'closed' })).data,
  ).toHaveLength(1);
  // Closed: refs/pull/1/head stays where it was.
  await commitFiles(work, { 'c.txt': 'c\n' }, 'add c');
  git(work, ['push', '-q', bare, 'topic']);
  expect((await o.rest.pulls.get({ owner, repo, pull_number: 1 })).data.head.sha).toBe(next);
  expect(git(bare, ['rev-parse', 'refs/pull/1/head'])).toBe(next);
});

test('merge helper (squash and fast-forward), a fast-forward push merges, a deleted head branch closes', async () => {
  const { full, bare, work } = await repoWithBranch();
  const [owner, repo] = full.split('/');
  const o = client();
  await o.rest.pulls.create({
    owner,
    repo,
    title: 'Squash me',
    body: 'Ferry-Origin-Rev: abc',
    head: 'topic',
    base: 'main',
  });
  const sha = lb.api.pulls.merge(full, 1, 'squash', true);
  expect(git(bare, ['rev-parse', 'main'])).toBe(sha);
  expect(git(bare, ['log', '-1', '--format=%B', 'main']).trim()).toBe(
    'Squash me (#1)\n\nFerry-Origin-Rev: abc',
  );
  expect(git(bare, ['rev-parse', 'main^{tree}'])).toBe(git(bare, ['rev-parse', 'refs/pull/1/head^{tree}']));
  expect(git(bare, ['branch', '--list', 'topic'])).toBe('');
  const got = await o.rest.pulls.get({ owner, repo, pull_number: 1 });
  expect(got.data).toMatchObject({ state: 'closed', merged: true, merge_commit_sha: sha });

  // A branch pushed straight into main: GitHub marks its PR merged.
  git(work, ['fetch', '-q', bare, 'main']);
  git(work, ['checkout', '-q', '-B', 'ff', 'FETCH_HEAD']);
  const ff = await commitFiles(work, { 'ff.txt': 'ff\n' }, 'ff');
  git(work, ['push', '-q', bare, 'ff']);
  await o.rest.pulls.create({ owner, repo, title: 'ff', head: 'ff', base: 'main' });
  git(work, ['push', '-q', bare, 'ff:main']);
  expect((await o.rest.pulls.get({ owner, repo, pull_number: 2 })).data).toMatchObject({
    merged: true,
    merge_commit_sha: ff,
  });

  // Deleting an open PR's head branch closes it, and it cannot be reopened.
  git(work, ['checkout', '-q', '-b', 'gone']);
  await commitFiles(work, { 'g.txt': 'g\n' }, 'g');
  git(work, ['push', '-q', bare, 'gone']);
  await o.rest.pulls.create({ owner, repo, title: 'gone', head: 'gone', base: 'main' });
  git(bare, ['branch', '-D', 'gone']);
  expect((await o.rest.pulls.get({ owner, repo, pull_number: 3 })).data).toMatchObject({
    state: 'closed',
    merged: false,
  });
  await expect(o.rest.pulls.update({ owner, repo, pull_number: 3, state: 'open' })).rejects.toMatchObject({
    status: 422,
  });
});

test('a contributor PR from a fork: refs/pull/N/head carries the fork commit into the base repository', async () => {
  const { full, bare } = await repoWithBranch();
  const fork = await lb.git.repo(`octo/${full.split('/')[1]}`);
  const fw = path.join(lb.root, `fork-${n}`);
  git(lb.root, ['clone', '-q', bare, fw]);
  const head = await commitFiles(fw, { 'fix.txt': 'fix\n' }, 'fix from a fork');
  git(fw, ['push', '-q', fork, 'HEAD:refs/heads/fix']);
  const pr = lb.api.pulls.open(full, {
    title: 'Fix',
    body: 'please',
    head: 'octo:fix',
    user: { login: 'octo', id: 42 },
  });
  expect(git(bare, ['rev-parse', `refs/pull/${pr.number}/head`])).toBe(head);
  const [owner, repo] = full.split('/');
  const got = await client().rest.pulls.get({ owner, repo, pull_number: pr.number });
  expect(got.data).toMatchObject({ user: { login: 'octo', id: 42 }, head: { label: 'octo:fix', sha: head } });
});
