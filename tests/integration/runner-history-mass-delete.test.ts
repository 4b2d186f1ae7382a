import * as path from 'node:path';
import { parseConfig } from '../../src/core/config/load.js';
import { captureLogger } from '../../src/core/logger.js';
import { runConfig } from '../../src/core/runner/run.js';
import { commitFiles, lsTree, makeBare, makeRepo, revParse } from '../support/git-fixtures.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';
import { loadSchemaValidator } from '../../src/core/config/validate.js';

// parseConfig is synchronous: its schema validator is loaded first (loadConfig awaits it).
await loadSchemaValidator();

/** ferry.yml's allow_mass_delete_commits: the runner's export target, in ferry.yml's words. */
afterAll(cleanupTmp);

test('an export target in history mode: the refusal names the ferry.yml key; the key lets the commit through', async () => {
  const dir = await tmpDir('ferry-run-hmdc-');
  const root = path.join(dir, 'work');
  const many = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`pub/f${i}.txt`, `${i}\n`]));
  await makeRepo(root, { ...many, 'public_allowlist.txt': 'pub/\n' });
  const target = await makeBare(path.join(dir, 'public.git'));
  const config = (extra = '') => `version: "1"
targets:
  public:
    kind: export
    direction: push
    repo: ${target}
    mode: history
${extra}`;
  const run = (extra?: string) =>
    runConfig(parseConfig(config(extra), '.github/ferry.yml', { root }), { logger: captureLogger() });

  expect((await run()).success).toBe(true);
  const gone = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`pub/f${i}.txt`, null]));
  const restructure = await commitFiles(root, gone, 'restructure');
  const tip = revParse(target, 'main');

  const refused = await run();
  expect(refused.success).toBe(false);
  const err = refused.results[0].findings.find((f) => f.code === 'mass-delete');
  expect(err?.message).toContain(
    `set allow_mass_delete_commits: [${restructure.slice(0, 12)}] (in targets.public) to allow it for this source commit only, or allow_mass_delete: true (in targets.public) for the whole run`,
  );
  expect(revParse(target, 'main')).toBe(tip);

  const allowed = await run(`    allow_mass_delete_commits: ["${restructure.slice(0, 7)}"]\n`);
  expect(allowed.success).toBe(true);
  expect(allowed.results[0].findings.find((f) => f.code === 'mass-delete')?.message).toMatch(
    /allowed by targets\.public\.allow_mass_delete_commits\.$/,
  );
  expect(lsTree(target)).toHaveLength(10);
});
