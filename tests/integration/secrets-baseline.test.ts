import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runExport } from '../../src/core/export/index.js';
import { writeSecretBaseline } from '../../src/core/export/secrets-baseline.js';
import { captureLogger } from '../../src/core/logger.js';
import { commitFiles, makeBare, makeRepo, revParse } from '../support/git-fixtures.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

afterAll(cleanupTmp);

const V1 = 'Hq7-zP2x!mK9';
const V2 = 'Zr3k-Lw9P-xT4m';

test('ferry secrets baseline: accepted findings are not reported again; a new one is, and the salt stays', async () => {
  const dir = await tmpDir('ferry-baseline-');
  const source = path.join(dir, 'src');
  await makeRepo(source, {
    'app/db.py': `db_password = "${V1}"\n`,
    'app/fixtures/seed.py': `password = "${V2}"\n`,
    'app/ok.py': 'print(1)\n',
  });
  const file = path.join(dir, 'secrets-baseline.json');
  const first = await writeSecretBaseline({ source, file });
  expect(first.findings.map((f) => [f.path, f.rule, f.line])).toEqual([
    ['app/db.py', 'generic-secret-assignment', 1],
  ]);
  const written = JSON.parse(await fs.readFile(file, 'utf8'));
  expect(written.salt).toMatch(/^[0-9a-f]{32}$/);
  // The file never holds the secret, nor its plain hash.
  expect(await fs.readFile(file, 'utf8')).not.toContain(V1);

  const target = await makeBare(path.join(dir, 'target.git'));
  const allowlist = path.join(dir, 'allow.txt');
  await fs.writeFile(allowlist, 'app/\n');
  const base = { source, target, branch: 'main', allowlistFile: allowlist };
  const withBaseline = { ...base, safety: { secretBaseline: file } };
  const ok = await runExport(withBaseline, captureLogger());
  expect(ok.findings.filter((f) => f.code === 'secret')).toEqual([]);
  expect(ok.success).toBe(true);
  expect(revParse(target, 'main')).toBeDefined();

  // A new secret elsewhere is reported; the accepted one still is not.
  await commitFiles(source, { 'app/new.py': `api_key = "${V2}x"\n` });
  const again = await runExport(withBaseline, captureLogger());
  expect(again.success).toBe(false);
  expect(again.findings.filter((f) => f.code === 'secret').map((f) => f.file)).toEqual(['app/new.py']);

  // Writing again keeps the salt, so fingerprints stay stable.
  const second = await writeSecretBaseline({ source, file });
  expect(JSON.parse(await fs.readFile(file, 'utf8')).salt).toBe(written.salt);
  expect(second.findings.find((f) => f.path === 'app/db.py')?.fingerprint).toBe(
    first.findings[0].fingerprint,
  );

  // Excluded paths are not read; a missing baseline file is a configuration error naming the fix.
  const excluded = await runExport({ ...base, safety: { secretScanExclude: ['app/**'] } }, captureLogger());
  expect(excluded.findings.filter((f) => f.code === 'secret')).toEqual([]);
  expect(excluded.findings.some((f) => f.code === 'gate-secret-excluded')).toBe(true);
  await expect(
    runExport({ ...base, safety: { secretBaseline: path.join(dir, 'missing.json') } }, captureLogger()),
  ).rejects.toThrow(/ferry secrets baseline --write/);
});
