import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { git, makeRepo } from '../support/git-fixtures.js';
import { runCli } from '../support/run-action.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

/**
 * `ferry run` from a terminal (dist/cli, no Actions runner to mask anything) redacts the tokens in
 * its environment the way the root action does: one registry that every adapter fills.
 */
afterAll(cleanupTmp);

const FERRY_TOKEN = 'ferry-tok-4bd1c9e27f';
const GITHUB_TOKEN = 'gh-tok-93a0e5d8c1';
const WIKI_TOKEN = 'wiki-tok-6e2f0a9b47';

const CONFIG = `version: "1"
defaults:
  direction: pull
targets:
  chatty:
    entrypoint: scripts/chatty.sh
    outputs: [data/**]
`;

// Prints every token on stdout and stderr, writes one into its declared output, then fails.
const CHATTY = `mkdir -p data
echo "tokens: $FERRY_TOKEN $GITHUB_TOKEN $FERRY_WIKI_TOKEN"
echo "token=$GITHUB_TOKEN" > data/token.txt
echo "upstream refused $FERRY_TOKEN" >&2
exit "\${EXIT_CODE:-0}"
`;

async function monorepo(): Promise<string> {
  const root = await tmpDir('ferry-cli-redact-');
  await makeRepo(root, { '.github/ferry.yml': CONFIG, 'scripts/chatty.sh': CHATTY });
  git(root, ['config', 'user.name', 'Test']);
  git(root, ['config', 'user.email', 'test@example.com']);
  return root;
}

const env = (extra: Record<string, string> = {}) => ({
  FERRY_TOKEN,
  GITHUB_TOKEN,
  FERRY_WIKI_TOKEN: WIKI_TOKEN,
  ...extra,
});

function expectNoToken(text: string): void {
  for (const t of [FERRY_TOKEN, GITHUB_TOKEN, WIKI_TOKEN]) expect(text).not.toContain(t);
}

test('a token a command target prints is *** on stdout, stderr and in --report', async () => {
  const root = await monorepo();
  const r = await runCli(['run', '--report', 'report.json', '--verbose'], {
    cwd: root,
    env: env({ EXIT_CODE: '3' }),
  });
  expect(r.exitCode).toBe(1);
  const report = await fs.readFile(path.join(root, 'report.json'), 'utf8');
  expect(r.stdout + r.stderr).toContain('upstream refused ***');
  expect(report).toContain('upstream refused ***');
  expectNoToken(r.stdout + r.stderr + report);
});

test('--json output is redacted too, and a file holding a token is never committed', async () => {
  const root = await monorepo();
  const head = git(root, ['rev-parse', 'HEAD']);
  const r = await runCli(['run', '--json'], { cwd: root, env: env() });
  expect(r.exitCode).toBe(1);
  const report = JSON.parse(r.stdout);
  expect(report.results[0].findings).toEqual([
    expect.objectContaining({ code: 'secret', file: 'data/token.txt', line: 1 }),
  ]);
  expect(git(root, ['rev-parse', 'HEAD'])).toBe(head);
  expect(git(root, ['log', '--all', '-p'])).not.toContain(GITHUB_TOKEN);
  expectNoToken(r.stdout + r.stderr);
});
