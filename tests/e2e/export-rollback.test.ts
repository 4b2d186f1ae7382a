import * as path from 'node:path';
import { exportArgs } from '../support/cli-fixtures.js';
import { commitFiles, lsTree, makeBare, makeRepo, revParse } from '../support/git-fixtures.js';
import { runCli } from '../support/run-action.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

/**
 * Exporting an older revision (a re-run of an old workflow, two racing runs) would roll the target
 * back: through dist/cli it is skipped with a finding and nothing is pushed, unless --allow-rollback.
 */
afterAll(cleanupTmp);

test('an export of an ancestor of the last exported revision is skipped; --allow-rollback exports it', async () => {
  const dir = await tmpDir('ferry-rollback-');
  const source = path.join(dir, 'src');
  await makeRepo(source, { 'pub/a.txt': 'a\n', 'allow.txt': 'pub/\n' });
  const old = revParse(source, 'HEAD')!;
  await commitFiles(source, { 'pub/b.txt': 'b\n' });
  await commitFiles(source, { 'pub/c.txt': 'c\n' });
  const target = await makeBare(path.join(dir, 'public.git'));
  const exportRev = (rev: string, ...extra: string[]) =>
    runCli(exportArgs(source, target, 'allow.txt', '--rev', rev, '--json', ...extra), { cwd: source });

  expect((await exportRev('HEAD')).exitCode).toBe(0);
  const exported = revParse(target, 'main');
  expect(lsTree(target)).toEqual(['pub/a.txt', 'pub/b.txt', 'pub/c.txt']);

  const skipped = await exportRev(old);
  expect(skipped.exitCode).toBe(0);
  const r = JSON.parse(skipped.stdout).results[0];
  expect(r).toMatchObject({ success: true, changed: false });
  expect(r.message).toMatch(
    /^Skipped: source revision [0-9a-f]{7} is older than [0-9a-f]{7}, the last revision exported/,
  );
  expect(r.message).toContain('--allow-rollback');
  expect(r.findings).toEqual([expect.objectContaining({ severity: 'warning', code: 'rollback-skipped' })]);
  expect(revParse(target, 'main')).toBe(exported);

  const rolled = await exportRev(old, '--allow-rollback');
  expect(rolled.exitCode).toBe(0);
  expect(JSON.parse(rolled.stdout).results[0]).toMatchObject({ success: true, changed: true });
  expect(lsTree(target)).toEqual(['pub/a.txt']);

  // The next export of the newest revision moves forward again, as always.
  expect((await exportRev('HEAD')).exitCode).toBe(0);
  expect(lsTree(target)).toEqual(['pub/a.txt', 'pub/b.txt', 'pub/c.txt']);
});
