import { promises as fs } from 'node:fs';
import { parseConfig } from '../../src/core/config/load.js';
import { captureLogger } from '../../src/core/logger.js';
import { runConfig } from '../../src/core/runner/run.js';
import { git, makeBare, makeRepo, revParse, showFile } from '../support/git-fixtures.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';
import { loadSchemaValidator } from '../../src/core/config/validate.js';

// parseConfig is synchronous: its schema validator is loaded first (loadConfig awaits it).
await loadSchemaValidator();

/**
 * defaults.push: the pull commits go to origin through the rebuild-and-push helper. Someone else's
 * push lands on origin while the target's script runs (the script makes it), so the first push is
 * refused and the commit is rebuilt on origin's new tip.
 */
afterAll(cleanupTmp);

const CONFIG = `version: "1"
defaults:
  direction: pull
  push: true
targets:
  apps:
    entrypoint: scripts/pull.sh
    outputs: [data/**]
`;

// Writes the declared output; with RACE_FILE set, first pushes a change of that file to origin.
const PULL = `set -e
if [ -n "$RACE_FILE" ]; then
  other=$(mktemp -d)
  git clone -q "$ORIGIN" "$other"
  mkdir -p "$other/$(dirname "$RACE_FILE")"
  echo theirs > "$other/$RACE_FILE"
  git -C "$other" add -A
  git -C "$other" -c user.name=Other -c user.email=other@example.com commit -q -m "their change"
  git -C "$other" push -q origin HEAD:main
  git -C "$other" rev-parse HEAD > "$OUT"
  rm -rf "$other"
fi
mkdir -p data
echo '{"apps":[1,2,3]}' > data/apps.json
`;

async function setup(raceFile?: string) {
  const dir = await tmpDir('ferry-run-push-');
  const origin = await makeBare(`${dir}/origin.git`);
  const root = `${dir}/work`;
  await makeRepo(root, { 'scripts/pull.sh': PULL, 'README.md': 'ours\n', '.github/ferry.yml': CONFIG });
  git(root, ['config', 'user.name', 'Test']);
  git(root, ['config', 'user.email', 'test@example.com']);
  git(root, ['remote', 'add', 'origin', origin]);
  git(root, ['push', '-q', 'origin', 'main']);
  const out = `${dir}/their-commit`;
  const cfg = parseConfig(CONFIG, '.github/ferry.yml', { root });
  const env = { ...process.env, ORIGIN: origin, OUT: out, ...(raceFile ? { RACE_FILE: raceFile } : {}) };
  const outcome = await runConfig(cfg, { logger: captureLogger(), env });
  const theirs = raceFile ? (await fs.readFile(out, 'utf8')).trim() : '';
  return { root, origin, outcome, theirs, push: outcome.checks.find((c) => c.name === 'push commits')! };
}

test('no race: the pull commit is pushed as it is', async () => {
  const s = await setup();
  expect(s.push).toMatchObject({ success: true, message: 'pushed to origin/main' });
  expect(revParse(s.origin, 'main')).toBe(revParse(s.root, 'HEAD'));
});

test('origin moved while the script ran: the commit is rebuilt on the new tip, both changes survive', async () => {
  const s = await setup('README.md');
  expect(s.push.success).toBe(true);
  expect(s.push.message).toBe('pushed to origin/main (origin had moved: rebuilt on its tip)');
  const tip = revParse(s.origin, 'main')!;
  expect(git(s.origin, ['rev-parse', `${tip}^`])).toBe(s.theirs);
  expect(showFile(s.origin, 'main', 'README.md')).toBe('theirs');
  expect(showFile(s.origin, 'main', 'data/apps.json')).toBe('{"apps":[1,2,3]}');
  expect(git(s.origin, ['log', '-1', '--format=%an|%s', 'main'])).toBe('Test|ferry: sync apps');
  // The checkout followed: its branch is origin's tip, its files match.
  expect(revParse(s.root, 'HEAD')).toBe(tip);
  expect(showFile(s.root, 'HEAD', 'README.md')).toBe('theirs');
  expect(git(s.root, ['status', '--porcelain'])).toBe('');
  expect(s.outcome.success).toBe(true);
});

test('origin changed the same output: nothing is forced, the run fails with what to do', async () => {
  const s = await setup('data/apps.json');
  expect(s.push.success).toBe(false);
  expect(s.push.message).toBe(
    'push rejected: origin moved and origin changed data/apps.json too; fetch, rebase and run again',
  );
  expect(revParse(s.origin, 'main')).toBe(s.theirs);
  expect(s.outcome.success).toBe(false);
});
