import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { git, makeRepo, revParse } from '../support/git-fixtures.js';
import { loopbackGitHub } from '../support/github-mirror-fixtures.js';
import { runCli } from '../support/run-action.js';

/**
 * `ferry export --pull-request` from a terminal (dist/cli) against a GitHub Enterprise Server
 * style API: GITHUB_API_URL ends in /api/v3, the git server is the web host.
 */
const TOKEN = 'ghs_cliPrGhes_1a2b3c4d';
const lb = loopbackGitHub(TOKEN, TOKEN, { apiPathPrefix: '/api/v3' });
afterEach(() => expect(lb.api.violations.splice(0)).toEqual([]));

test('ferry export --pull-request opens the pull request through a GHES API URL', async () => {
  expect(lb.api.url).toMatch(/\/api\/v3$/);
  const full = 'acme/ghes-pub';
  const bare = await lb.git.repo(full);
  const seed = path.join(lb.root, 'seed');
  await makeRepo(seed, { 'README.md': '# public\n' });
  git(seed, ['push', '-q', bare, 'main']);
  const source = path.join(lb.root, 'source');
  await makeRepo(source, { 'public/a.txt': 'a\n', 'internal/x.txt': 'x\n' });
  await fs.writeFile(path.join(source, 'allow.txt'), 'public/\n');
  const env = {
    GITHUB_SERVER_URL: lb.git.url,
    GITHUB_API_URL: lb.api.url,
    FERRY_TOKEN: TOKEN,
    FERRY_GITHUB_TEST_TIMING: '1',
  };
  const args = [
    'export',
    '--allowlist',
    'allow.txt',
    '--target',
    full,
    '--preserve',
    'README.md',
    '--pull-request',
  ];
  const r = await runCli([...args, '--pull-request-label', 'sync', '--json'], { cwd: source, env });
  expect(r.stderr).not.toContain(TOKEN);
  expect(r.exitCode).toBe(0);
  const report = JSON.parse(r.stdout);
  expect(report.results[0].details.pull_request).toMatchObject({
    number: 1,
    operation: 'created',
    branch: 'ferry/export/main',
    url: `${lb.api.url}/${full}/pull/1`,
  });
  expect(lb.api.requests.every((q) => q.path.startsWith('/api/v3/'))).toBe(true);
  const [{ pull, issue }] = lb.api.pulls.all(full);
  expect(pull.headSha).toBe(revParse(bare, 'ferry/export/main'));
  expect(issue.labels).toEqual(['sync']);

  const again = await runCli(args, { cwd: source, env });
  expect(again.exitCode).toBe(0);
  expect(again.stdout).toMatch(/Nothing new: pull request #1 already proposes this export/);
}, 300_000);
