import { runExport, type ExportSettings } from '../../src/core/export/index.js';
import { captureLogger } from '../../src/core/logger.js';
import { commitFiles, git, revParse } from '../support/git-fixtures.js';
import { historyFixture } from '../support/history-fixtures.js';
import { cleanupTmp } from '../support/tmp.js';

/**
 * A first history run on a source with findings (issue 15): one dry run reports the first-run
 * snapshot's findings and the replayed commits' together. A real run still stops at the first.
 */
afterAll(cleanupTmp);

const KEY = 'AKIA' + 'Z7QK2M3XW4RT6YPL';

async function setup() {
  const { source, target, settings } = await historyFixture('ferry-history-first-', {
    'public/a.txt': 'a\n',
  });
  // The start revision already publishes a forbidden file ...
  const start = await commitFiles(source, { 'public/.env': 'TOKEN=1\n' }, 'add env');
  // ... and a commit after it a secret; another one a second forbidden file.
  const secret = await commitFiles(source, { 'public/cfg.txt': `aws = ${KEY}\n` }, 'add key');
  const pem = await commitFiles(source, { 'public/id_rsa': 'not really\n' }, 'add key file');
  return { source, target, settings, start, secret, pem };
}

/** The error findings as `code sha-prefix` (the source commit each names), sorted. */
function errors(r: Awaited<ReturnType<typeof runExport>>, shas: Record<string, string>): string[] {
  return r.findings
    .filter((f) => f.severity === 'error')
    .map((f) => {
      const named = Object.entries(shas).find(([, sha]) => f.message.includes(sha.slice(0, 12)));
      return `${f.code} ${named?.[0] ?? '?'}`;
    })
    .sort();
}

test('since REV: one dry run shows the start snapshot’s findings and every replayed commit’s', async () => {
  const { target, settings, start, secret, pem } = await setup();
  const shas = { start, secret, pem };
  const dry = await runExport({ ...settings, since: start, dryRun: true }, captureLogger());
  expect(dry.success).toBe(false);
  expect(errors(dry, shas)).toEqual(['forbidden-path pem', 'forbidden-path start', 'secret secret']);
  expect(dry.message).toMatch(/Export stopped: 3 error\(s\); nothing was pushed/);
  expect(revParse(target, 'main')).toBeUndefined();

  // A real run stops at the first-run snapshot's finding, and pushes nothing.
  const real = await runExport({ ...settings, since: start }, captureLogger());
  expect(real.success).toBe(false);
  expect(errors(real, shas)).toEqual(['forbidden-path start']);
  expect(revParse(target, 'main')).toBeUndefined();
});

test('since root: the root’s findings and every later commit’s in one dry run, past a commit that stops a real run', async () => {
  const fixture = await historyFixture('ferry-history-first-root-', {
    'public/a.txt': 'a\n',
    'public/.env': 'TOKEN=1\n',
  });
  const { source, target, initial: root } = fixture;
  // A link out of the tree: found as the commit is applied (the replay stopped there before).
  const link = await commitFiles(
    source,
    { 'public/link': { content: '../../outside', mode: 'symlink' } },
    'add link',
  );
  const secret = await commitFiles(source, { 'public/cfg.txt': `aws = ${KEY}\n` }, 'add key');
  const pem = await commitFiles(source, { 'public/id_rsa': 'not really\n' }, 'add key file');
  const settings: ExportSettings = { ...fixture.settings, since: 'root' };
  const dry = await runExport({ ...settings, dryRun: true }, captureLogger());
  expect(errors(dry, { root, link, secret, pem })).toEqual([
    'forbidden-path pem',
    'forbidden-path root',
    'secret secret',
    'symlink-outside link',
  ]);
  expect(revParse(target, 'main')).toBeUndefined();
  const real = await runExport(settings, captureLogger());
  expect(errors(real, { root, link, secret, pem })).toEqual(['forbidden-path root', 'symlink-outside link']);
  expect(revParse(target, 'main')).toBeUndefined();
});

test('keep-merges: one dry run past the start snapshot’s finding still replays a side line (a secret in a side commit’s message)', async () => {
  const { source, settings, start, secret, pem } = await setup();
  git(source, ['checkout', '-q', '-b', 'side', start]);
  const side = await commitFiles(source, { 'public/side.txt': 'side\n' }, `side work\n\naws = ${KEY}`);
  git(source, ['checkout', '-q', 'main']);
  git(source, ['merge', '-q', '--no-ff', '-m', 'merge side', 'side']);
  const keep: ExportSettings = { ...settings, since: start, history: { keepMerges: true } };
  const dry = await runExport({ ...keep, dryRun: true }, captureLogger());
  const shas = { start, secret, pem, side };
  expect(errors(dry, shas)).toEqual([
    'forbidden-path pem',
    'forbidden-path start',
    'secret secret',
    'secret side',
  ]);
  // A real run stops at the start snapshot's finding.
  const real = await runExport(keep, captureLogger());
  expect(errors(real, shas)).toEqual(['forbidden-path start']);
});
