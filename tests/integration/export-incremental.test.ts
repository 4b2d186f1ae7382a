import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runExport, type ExportSettings } from '../../src/core/export/index.js';
import { silentLogger } from '../../src/core/logger.js';
import type { TargetResult } from '../../src/core/report/result.js';
import { commitFiles, git, makeBare, makeRepo, revParse, type FileSpec } from '../support/git-fixtures.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

/**
 * The incremental snapshot path (src/core/export/incremental.ts) must give exactly the tree, the
 * change list and the findings of the full path. Random histories (adds, edits, deletes, mode flips,
 * Python imports across the allowlist boundary) and random config changes: every re-export is run
 * twice from the same target state, normally (incremental when it can) and with `force` (always the
 * full path, same tree by construction), and the two are compared.
 */
afterAll(cleanupTmp);

const FILES = [
  'pub/a.py',
  'pub/b.py',
  'pub/sub/c.py',
  'pub/notes.md',
  'priv/x.py',
  'priv/y.py',
  'docs/d.md',
  'README.md',
];
// Body 5 imports a private module (an import-leak error when a public file holds it).
const BODIES = [
  'x = 1\n',
  'z = 2\n',
  'from pub import b\n',
  'from . import a\n',
  '# doc\n',
  'import priv.x\n',
];
const CONFIGS: { rules: string[]; preserve: string[] }[] = [
  { rules: ['pub/**', 'README.md'], preserve: [] },
  { rules: ['pub/**', 'priv/**'], preserve: [] },
  { rules: ['pub/**', 'docs/**', '!pub/sub/**'], preserve: ['README.md'] },
  { rules: ['**/*.md', 'pub/*.py'], preserve: [] },
];

type Op = { file: number; body: number | null; exec: boolean };
const opArb = fc.record({
  file: fc.nat(FILES.length - 1),
  // null deletes (about one op in ten)
  body: fc.option(fc.nat(BODIES.length - 1), { freq: 9 }),
  exec: fc.boolean(),
});
const stepArb = fc.record({
  commits: fc.array(fc.array(opArb, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
  config: fc.option(fc.nat(CONFIGS.length - 1), { freq: 4 }),
});
const historyArb = fc.record({
  initial: fc.array(fc.nat(BODIES.length - 2), { minLength: FILES.length, maxLength: FILES.length }),
  config: fc.nat(CONFIGS.length - 1),
  steps: fc.array(stepArb, { minLength: 2, maxLength: 4 }),
});

function spec(body: number, exec: boolean): FileSpec {
  return { content: BODIES[body], mode: exec ? 'exec' : undefined };
}

/** Findings and changes in a comparable form (order-free). */
function shape(r: TargetResult) {
  return {
    success: r.success,
    changed: r.changed,
    changes: r.changes!.map((c) => `${c.change} ${c.path} ${c.bytes ?? ''}`).sort(),
    findings: r.findings.map((f) => `${f.severity} ${f.code} ${f.file ?? ''}:${f.line ?? ''}`).sort(),
  };
}

const treeOf = (repo: string) => revParse(repo, 'main^{tree}');

describe('incremental snapshot export', () => {
  test('a plain re-export takes the incremental path; a config change falls back', async () => {
    const d = await tmpDir('ferry-incr-');
    const src = path.join(d, 'src');
    await makeRepo(src, { 'pub/a.py': 'x = 1\n', 'priv/x.py': 'y = 2\n', 'README.md': 'hi\n' });
    const target = await makeBare(path.join(d, 't.git'));
    const allow = path.join(d, 'allow.txt');
    await fs.writeFile(allow, 'pub/**\nREADME.md\n');
    const base = { source: src, target, branch: 'main', allowlistFile: allow };
    const first = await runExport(base, silentLogger);
    expect(first.details?.incremental).toBeUndefined();
    expect(git(target, ['log', '-1', '--format=%B', 'main'])).toMatch(/^Ferry-Config: [0-9a-f]{16}$/m);
    await commitFiles(src, { 'pub/b.py': 'from pub import a\n', 'priv/z.py': 'secret = 0\n' });
    const second = await runExport(base, silentLogger);
    expect(second.details?.incremental).toBe(true);
    expect(second.changes!.map((c) => `${c.change} ${c.path}`)).toEqual(['added pub/b.py']);
    expect(git(target, ['ls-tree', '-r', '--name-only', 'main']).split('\n')).toEqual([
      'README.md',
      'pub/a.py',
      'pub/b.py',
    ]);
    // An import of an unexported source file is found through the on-demand path probe.
    await commitFiles(src, { 'pub/c.py': 'import priv.x\n' });
    const leak = await runExport(base, silentLogger);
    expect(leak.details?.incremental).toBe(true);
    expect(leak.success).toBe(false);
    expect(leak.findings.map((f) => f.code)).toContain('import-leak');
    // A different allowlist: the hash differs, so the full path runs.
    await commitFiles(src, { 'pub/c.py': 'x = 3\n' });
    await fs.writeFile(allow, 'pub/**\n');
    const third = await runExport(base, silentLogger);
    expect(third.success).toBe(true);
    expect(third.details?.incremental).toBeUndefined();
    expect(third.changes!.map((c) => `${c.change} ${c.path}`)).toEqual([
      'deleted README.md',
      'added pub/c.py',
    ]);
  });

  test('random histories and config changes: incremental == full path', async () => {
    const root = await tmpDir('ferry-incr-prop-');
    let n = 0;
    let incremental = 0;
    await fc.assert(
      fc.asyncProperty(historyArb, async (h) => {
        const d = path.join(root, String(n++));
        const src = path.join(d, 'src');
        const files: Record<string, FileSpec> = {};
        FILES.forEach((f, i) => (files[f] = spec(h.initial[i], false)));
        await makeRepo(src, files);
        const target = await makeBare(path.join(d, 't.git'));
        const full = path.join(d, 'full.git');
        const allow = path.join(d, 'allow.txt');
        let config = CONFIGS[h.config];
        const settings = (t: string, force: boolean): ExportSettings => ({
          source: src,
          target: t,
          branch: 'main',
          allowlistFile: allow,
          preserve: config.preserve,
          force,
        });
        await fs.writeFile(allow, config.rules.join('\n') + '\n');
        await runExport(settings(target, false), silentLogger);
        for (const step of h.steps) {
          for (const ops of step.commits) {
            const change: Record<string, FileSpec | null> = {};
            for (const op of ops as Op[])
              change[FILES[op.file]] = op.body === null ? null : spec(op.body, op.exec);
            await commitFiles(src, change);
          }
          if (step.config !== null) config = CONFIGS[step.config];
          await fs.writeFile(allow, config.rules.join('\n') + '\n');
          // The same target state twice: one copy for the normal run, one for the forced full path.
          await fs.rm(full, { recursive: true, force: true });
          execFileSync('cp', ['-a', target, full]);
          const a = await runExport(settings(target, false), silentLogger);
          const b = await runExport(settings(full, true), silentLogger);
          if (a.details?.incremental) incremental++;
          expect(b.details?.incremental).toBeUndefined();
          expect(shape(a)).toEqual(shape(b));
          expect(treeOf(target)).toEqual(treeOf(full));
        }
      }),
      { numRuns: 6, seed: 20261122 },
    );
    // The property means something only if the incremental path actually ran.
    expect(incremental).toBeGreaterThan(2);
  }, 60_000);
});
