import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { commitFiles, git, lsTree, makeRepo, revParse } from '../support/git-fixtures.js';
import { loopbackGitHub } from '../support/github-mirror-fixtures.js';
import { runAction, type ActionRun } from '../support/run-action.js';

/**
 * dist/sync-to-public with `pull-request: true`, run as the Actions runner runs it, against the
 * loopback GitHub (git smart HTTP + the REST API, every request and response checked against
 * GitHub's OpenAPI description). One token for git and the API, as the action's `token` input.
 */
const TOKEN = 'ghs_prExportLoop_5d1e2f3a';
const lb = loopbackGitHub(TOKEN, TOKEN);
/** Scenarios of several runs each: a run of the bundle takes seconds on a busy machine. */
const SCENARIO_MS = 300_000;
afterEach(() => expect(lb.api.violations.splice(0)).toEqual([]));

let n = 0;
const BRANCH = 'ferry/export/main';

/** A private source and a public target whose main holds only a README (preserved). */
async function setup(): Promise<{
  full: string;
  bare: string;
  source: string;
  run: (inputs?: Record<string, string>) => Promise<ActionRun>;
}> {
  const full = `acme/pub-pr-${++n}`;
  const bare = await lb.git.repo(full);
  const seed = path.join(lb.root, `seed-${n}`);
  await makeRepo(seed, { 'README.md': '# public\n' });
  git(seed, ['push', '-q', bare, 'main']);
  const source = path.join(lb.root, `source-${n}`);
  await makeRepo(source, { 'public/a.txt': 'a\n', 'secret/s.txt': 's\n', 'allow.txt': 'public/\n' });
  const run = (inputs: Record<string, string> = {}) =>
    runAction('sync-to-public', {
      cwd: source,
      env: {
        GITHUB_SERVER_URL: lb.git.url,
        GITHUB_API_URL: lb.api.url,
        GITHUB_REPOSITORY: 'acme/private',
        FERRY_GITHUB_TEST_TIMING: '1',
      },
      inputs: {
        'target-repo': full,
        token: TOKEN,
        allowlist: 'allow.txt',
        preserve: 'README.md',
        'pull-request': 'true',
        ...inputs,
      },
    });
  return { full, bare, source, run };
}

const writes = () => lb.api.requests.filter((r) => r.method !== 'GET').length;
const pulls = (full: string) => lb.api.pulls.all(full);
const comments = (full: string, num: number) => lb.api.comments(full, num).map((c) => c.body);

/** The run succeeded with these outputs: changed, and the pull request's number and operation. */
function expectPullRequest(r: ActionRun, changed: boolean, num: string, operation: string): void {
  expect(r.exitCode).toBe(0);
  expect(r.outputs).toMatchObject({
    changed: String(changed),
    'pull-request-number': num,
    'pull-request-operation': operation,
  });
}

test(
  'created, unchanged, updated, merged (branch deleted), closed when the source goes back',
  async () => {
    const { full, bare, source, run } = await setup();
    const main0 = revParse(bare, 'main');

    const r1 = await run({ 'pull-request-labels': 'ferry, export', 'pull-request-draft': 'true' });
    expectPullRequest(r1, true, '1', 'created');
    expect(r1.outputs['pull-request-url']).toBe(`${lb.api.url}/${full}/pull/1`);
    expect(revParse(bare, 'main')).toBe(main0); // the target branch is not touched
    expect(lsTree(bare, BRANCH)).toEqual(['README.md', 'public/a.txt']);
    const [{ pull, issue }] = pulls(full);
    expect(pull).toMatchObject({
      headRef: BRANCH,
      baseRef: 'main',
      draft: true,
      headSha: revParse(bare, BRANCH),
    });
    expect(issue.labels).toEqual(['ferry', 'export']);
    expect(issue.title).toBe(`Export ${revParse(source, 'HEAD')!.slice(0, 7)} from acme/private`);
    // The body: the summary of the result, then Ferry's trailers last (a squash merge keeps them).
    expect(issue.body).toContain('| Target | Kind | Result | Changes | Message |');
    expect(issue.body).toMatch(
      new RegExp(`\\nFerry-Origin-Rev: ${revParse(source, 'HEAD')}\\nFerry-Config: [0-9a-f]{16}\\n$`),
    );
    expect(r1.summary).toContain(
      `**Pull request** for ${lb.git.url}/${full}.git: [#1](${lb.api.url}/${full}/pull/1) (created)`,
    );

    // Nothing new: no push, no write through the API.
    const tip1 = revParse(bare, BRANCH);
    const w1 = writes();
    const r2 = await run();
    expectPullRequest(r2, false, '1', 'unchanged');
    expect(revParse(bare, BRANCH)).toBe(tip1);
    expect(writes()).toBe(w1);

    // More to publish: the same branch (leased on Ferry's tip) and the same pull request.
    await commitFiles(source, { 'public/b.txt': 'b\n' }, 'add b');
    const r3 = await run();
    expectPullRequest(r3, true, '1', 'updated');
    expect(lsTree(bare, BRANCH)).toEqual(['README.md', 'public/a.txt', 'public/b.txt']);
    expect(pulls(full)).toHaveLength(1);
    expect(pulls(full)[0].issue.body).toContain(`Ferry-Origin-Rev: ${revParse(source, 'HEAD')}`);

    // A maintainer squash-merges it: the next run has nothing to do and deletes the spent branch.
    lb.api.pulls.merge(full, 1, 'squash');
    const r4 = await run();
    expectPullRequest(r4, false, '1', 'unchanged');
    expect(r4.log).toMatch(/Up to date/);
    expect(revParse(bare, BRANCH)).toBeUndefined();

    // New content opens a new pull request (a merged one is not a veto)...
    await commitFiles(source, { 'public/c.txt': 'c\n' }, 'add c');
    const r5 = await run();
    expect(r5.outputs).toMatchObject({ 'pull-request-number': '2', 'pull-request-operation': 'created' });
    // ... and when the source goes back to what main holds, it is closed with a comment.
    git(source, ['revert', '--no-edit', 'HEAD']);
    const r6 = await run();
    expectPullRequest(r6, false, '2', 'closed');
    expect(lb.api.pulls.get(full, 2)).toMatchObject({ mergedAt: null });
    expect(pulls(full).find((p) => p.pull.number === 2)!.issue.state).toBe('closed');
    expect(comments(full, 2).join('\n')).toMatch(/nothing is left to publish/);
    expect(revParse(bare, BRANCH)).toBeUndefined();
  },
  SCENARIO_MS,
);

test(
  'a pull request closed without merging is a veto; a commit Ferry did not write is never overwritten',
  async () => {
    const { full, bare, source, run } = await setup();
    expect((await run()).outputs['pull-request-operation']).toBe('created');
    // Closed unmerged by a maintainer: the same content is not proposed again, nor reopened.
    await lb.api.pulls.all(full); // (sync)
    const closeReq = await fetch(`${lb.api.url}/repos/${full}/pulls/1`, {
      method: 'PATCH',
      headers: { authorization: `token ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ state: 'closed' }),
    });
    expect(closeReq.status).toBe(200);
    const again = await run();
    expectPullRequest(again, false, '1', 'unchanged');
    expect(again.log).toMatch(/closed without merging/);
    expect(pulls(full)).toHaveLength(1);
    expect(pulls(full)[0].issue.state).toBe('closed');

    // New content: a new pull request that names the vetoed one.
    await commitFiles(source, { 'public/d.txt': 'd\n' }, 'add d');
    const r = await run();
    expect(r.outputs).toMatchObject({ 'pull-request-number': '2', 'pull-request-operation': 'created' });
    expect(pulls(full).find((p) => p.pull.number === 2)!.issue.body).toMatch(/replaces #1/);

    // A reviewer pushes a fix onto the branch: the next run stops, says why, and comments once.
    const rev = path.join(lb.root, `reviewer-${n}`);
    git(lb.root, ['clone', '-q', '-b', BRANCH, bare, rev]);
    const fix = await commitFiles(rev, { 'public/d.txt': 'd, reviewed\n' }, 'reviewer fix');
    git(rev, ['push', '-q', 'origin', `HEAD:${BRANCH}`]);
    await commitFiles(source, { 'public/e.txt': 'e\n' }, 'add e');
    for (let i = 0; i < 2; i++) {
      const stopped = await run();
      expect(stopped.exitCode).toBe(1);
      expect(stopped.log).toMatch(/has commits Ferry did not write \(tip [0-9a-f]{7}\)/);
      expect(revParse(bare, BRANCH)).toBe(fix);
    }
    expect(comments(full, 2).filter((c) => c.includes('commits Ferry did not write'))).toHaveLength(1);
  },
  SCENARIO_MS,
);

test(
  'a dry run changes nothing anywhere; two racing runs leave one pull request',
  async () => {
    const { full, bare, run } = await setup();
    const w0 = writes();
    const refs0 = git(bare, ['for-each-ref']);
    const dry = await run({ 'dry-run': 'true' });
    expectPullRequest(dry, true, '', 'created');
    expect(writes()).toBe(w0);
    expect(git(bare, ['for-each-ref'])).toBe(refs0);
    expect(pulls(full)).toHaveLength(0);

    const [a, b] = await Promise.all([run(), run()]);
    expect([a.exitCode, b.exitCode]).toEqual([0, 0]);
    expect(pulls(full)).toHaveLength(1);
    expect([a.outputs['pull-request-number'], b.outputs['pull-request-number']]).toEqual(['1', '1']);
    expect([a.outputs['pull-request-operation'], b.outputs['pull-request-operation']].sort()).toEqual(
      expect.arrayContaining(['created']),
    );
    const tip = revParse(bare, BRANCH)!;
    expect(git(bare, ['log', '-1', '--format=%B', tip])).toMatch(/Ferry-Origin-Rev: /);
    expect(pulls(full)[0].pull.headSha).toBe(tip);
  },
  SCENARIO_MS,
);

test(
  'a target branch that does not exist yet: a clear error, nothing pushed',
  async () => {
    const full = `acme/empty-${++n}`;
    const bare = await lb.git.repo(full);
    const source = path.join(lb.root, `src-empty-${n}`);
    await makeRepo(source, { 'public/a.txt': 'a\n' });
    await fs.writeFile(path.join(source, 'allow.txt'), 'public/\n');
    const r = await runAction('sync-to-public', {
      cwd: source,
      env: { GITHUB_SERVER_URL: lb.git.url, GITHUB_API_URL: lb.api.url, FERRY_GITHUB_TEST_TIMING: '1' },
      inputs: { 'target-repo': full, token: TOKEN, allowlist: 'allow.txt', 'pull-request': 'true' },
    });
    expect(r.log).toMatch(/::error::The target branch main does not exist yet/);
    expect(r.exitCode).toBe(1);
    expect(git(bare, ['for-each-ref'])).toBe('');
  },
  SCENARIO_MS,
);
