import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseConfig } from '../../src/core/config/load.js';
import { captureLogger } from '../../src/core/logger.js';
import { runConfig } from '../../src/core/runner/run.js';
import { makeRepo } from '../support/git-fixtures.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';
import { loadSchemaValidator } from '../../src/core/config/validate.js';

// parseConfig is synchronous: its schema validator is loaded first (loadConfig awaits it).
await loadSchemaValidator();

/** The ferry.yml `dirsync` kind: the two decisions under their ferry.yml names. */
afterAll(cleanupTmp);

const config = (drive: string, extra = '') =>
  `version: "1"\ntargets:\n  drive:\n    kind: dirsync\n    a: ${drive}\n    b: staging\n    state: .ferry/drive.json\n${extra}`;

async function setup(yml: string) {
  const root = await tmpDir('ferry-run-dirsync-');
  await makeRepo(root, { 'staging/local.txt': 'local\n', '.github/ferry.yml': yml });
  const cfg = parseConfig(yml, '.github/ferry.yml', { root });
  return { root, run: () => runConfig(cfg, { logger: captureLogger(), env: { ...process.env } }) };
}

test('a missing drive: refused in ferry.yml words; create_missing_side creates it and fills it', async () => {
  const drive = path.join(await tmpDir('ferry-drive-'), 'unplugged');
  const refused = await (await setup(config(drive))).run();
  expect(refused.results[0].success).toBe(false);
  expect(refused.results[0].message).toContain('pass create_missing_side: true to create it');
  const { root, run } = await setup(config(drive, '    create_missing_side: true\n'));
  const o = await run();
  expect(o.results[0]).toMatchObject({ success: true, counts: { copiedToA: 1, deleted: 0 } });
  expect(await fs.readFile(path.join(drive, 'local.txt'), 'utf8')).toBe('local\n');
  expect(await fs.readFile(path.join(root, 'staging/local.txt'), 'utf8')).toBe('local\n');
});

test('a wiped drive: the refusal names both keys; allow_mass_delete lets the deletions through', async () => {
  const drive = await tmpDir('ferry-drive-');
  await fs.writeFile(path.join(drive, 'budget.csv'), 'a,1\n');
  const { root, run } = await setup(config(drive));
  expect((await run()).results[0].success).toBe(true);
  // The drive lost both files the last sync saw (budget.csv, and local.txt copied from staging).
  await fs.rm(path.join(drive, 'budget.csv'));
  await fs.rm(path.join(drive, 'local.txt'));
  const refused = (await run()).results[0];
  expect(refused.findings).toMatchObject([{ code: 'dirsync-looks-wiped' }]);
  expect(refused.message).toMatch(/create_missing_side: true.*allow_mass_delete: true/s);
  const allowed = await (await setupAt(root, config(drive, '    allow_mass_delete: true\n'))).run();
  expect(allowed.results[0].counts).toMatchObject({ deletedB: 2 });
  await expect(fs.stat(path.join(root, 'staging/budget.csv'))).rejects.toThrow(/ENOENT/);
});

test('the removed force key is an unknown key whose message lists the two new ones', async () => {
  expect(() =>
    parseConfig(config('/mnt/x', '    force: true\n'), '.github/ferry.yml', { root: '/tmp' }),
  ).toThrow(/unknown key 'force'.*create_missing_side, allow_mass_delete/s);
});

/** The same repository with another ferry.yml. */
async function setupAt(root: string, yml: string) {
  const cfg = parseConfig(yml, '.github/ferry.yml', { root });
  return { run: () => runConfig(cfg, { logger: captureLogger(), env: { ...process.env } }) };
}
