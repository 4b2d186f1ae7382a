import * as path from 'node:path';
import { loopbackGitHub, MirrorPair } from '../support/github-mirror-fixtures.js';
import { git, makeRepo } from '../support/git-fixtures.js';
import { runAction, type ActionRun } from '../support/run-action.js';

/**
 * A `mirror` target of the root action (dist/run) with `on_divergence: issue` (the default): the
 * run's token opens, and later closes, the divergence issue through the loopback GitHub API (every
 * request checked against GitHub's OpenAPI description); git goes to the loopback git server.
 */
const GIT_TOKEN = 'ghs_gitloop_7c2e51';
const API_TOKEN = 'ghs_apiloop_3b9f04';
const lb = loopbackGitHub(GIT_TOKEN, API_TOKEN);
afterEach(() => expect(lb.api.violations.splice(0)).toEqual([]));

async function workspace(): Promise<{
  p: MirrorPair;
  run: (inputs?: Record<string, string>) => Promise<ActionRun>;
}> {
  const p = await MirrorPair.create(
    path.join(lb.root, 'pair'),
    await lb.git.repo('acme/pub'),
    await lb.git.repo('acme/priv'),
  );
  const mono = path.join(lb.root, 'monorepo');
  await makeRepo(mono, {
    '.github/ferry.yml': `version: "1"
targets:
  twins:
    kind: mirror
    direction: bidirectional
    a: acme/pub
    b: acme/priv
    a_token_env: MIRROR_GIT_TOKEN
    b_token_env: MIRROR_GIT_TOKEN
`,
  });
  const run = (inputs: Record<string, string> = {}) =>
    runAction('.', {
      cwd: mono,
      inputs: { token: API_TOKEN, ...inputs },
      env: {
        GITHUB_SERVER_URL: lb.git.url,
        GITHUB_API_URL: lb.api.url,
        GITHUB_REPOSITORY: 'acme/monorepo',
        FERRY_GITHUB_TEST_TIMING: '1',
        MIRROR_GIT_TOKEN: GIT_TOKEN,
      },
    });
  return { p, run };
}

test('a diverged mirror target opens one sync-failure issue with the run token; resolution closes it', async () => {
  const { p, run } = await workspace();
  await p.commit('a', 'only on A');
  await p.commit('b', 'only on B');

  const r1 = await run();
  expect(r1.exitCode).toBe(1);
  const shown = r1.log
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');
  expect(shown).not.toContain(GIT_TOKEN);
  expect(shown).not.toContain(API_TOKEN);
  const issues = lb.api.issues('acme/monorepo');
  expect(issues).toHaveLength(1);
  expect(issues[0].labels).toEqual(['sync-failure', 'urgent']);
  expect(issues[0].body).toContain('only on A');
  expect(issues[0].state).toBe('open');

  // A dry run still reports the divergence (and fails), but writes nothing through the API.
  const writes = lb.api.requests.filter((q) => q.method !== 'GET').length;
  const dry = await run({ 'dry-run': 'true' });
  expect(dry.exitCode).toBe(1);
  expect(dry.log).toMatch(/diverged/);
  expect(lb.api.requests.filter((q) => q.method !== 'GET')).toHaveLength(writes);

  // A maintainer merges B into A and pushes the merge to both sides: the next run closes it.
  const fix = path.join(lb.root, 'fix');
  git(lb.root, ['clone', '-q', p.a, fix]);
  git(fix, ['fetch', '-q', p.b, 'main']);
  git(fix, ['merge', '-q', '--no-edit', 'FETCH_HEAD']);
  git(fix, ['push', '-q', p.a, 'HEAD:main']);
  git(fix, ['push', '-q', p.b, 'HEAD:main']);
  const r2 = await run();
  expect(r2.exitCode).toBe(0);
  expect(lb.api.issues('acme/monorepo')[0].state).toBe('closed');
});
