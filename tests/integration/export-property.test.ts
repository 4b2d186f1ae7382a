import fc from 'fast-check';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { compileAllowlist, globSetMatcher, parseAllowlistStrict } from '../../src/core/allowlist/index.js';
import { projectEntries } from '../../src/core/export/project.js';
import { runExport } from '../../src/core/export/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { DEFAULT_FORBIDDEN_PATHS } from '../../src/core/safety/settings.js';
import { git, lsTree, makeBare, revParse } from '../support/git-fixtures.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

/**
 * Random trees × random allowlists: the exported tree's paths equal the allowlist engine's
 * selection and never hold a vetoed or forbidden path (a forbidden path in the selection stops the
 * export, so nothing is pushed at all).
 */
afterAll(cleanupTmp);

const SEGMENTS = ['a', 'b', 'docs', 'x.py', 'y.md', '.env', 'key.pem', 'sp ace', 'ü'];
const RULES = [
  'a/',
  'a/**',
  'b/*',
  '**/*.py',
  '*.md',
  '{a,b}/docs/**',
  'docs',
  '!**/x.py',
  '!b/**',
  '!a/docs/',
  '**/.env',
  'sp ace/**',
  'ü/*',
];

const treeArb = fc
  .uniqueArray(
    fc.array(fc.constantFrom(...SEGMENTS), { minLength: 1, maxLength: 3 }).map((s) => s.join('/')),
    {
      minLength: 1,
      maxLength: 25,
    },
  )
  // A path cannot be a file and a directory at once.
  .map((ps) => ps.filter((p) => !ps.some((q) => q.startsWith(p + '/'))));
const rulesArb = fc.uniqueArray(fc.constantFrom(...RULES), { minLength: 1, maxLength: 5 });

const forbidden = globSetMatcher([...DEFAULT_FORBIDDEN_PATHS].filter((p) => !p.startsWith('!')));

describe('export selection property', () => {
  test('projection == allowlist selection (pure, many runs)', () => {
    fc.assert(
      fc.property(treeArb, rulesArb, (paths, rules) => {
        const matcher = compileAllowlist(parseAllowlistStrict(rules.join('\n'), 'p.txt'));
        const entries = paths.map((p) => ({
          mode: '100644',
          type: 'blob' as const,
          oid: 'e'.repeat(40),
          path: p,
          size: 1,
        }));
        const projected = projectEntries(entries, {
          select: (p) => matcher.selects(p),
          mapPath: (p) => p,
          submodules: 'skip',
          mapped: false,
        });
        expect([...projected.tree.keys()].sort()).toEqual(matcher.filter(paths).sort());
      }),
      { numRuns: 300 },
    );
  });

  test('real exports: target tree == selection, never a forbidden path', async () => {
    const root = await tmpDir('ferry-prop-');
    let n = 0;
    await fc.assert(
      fc.asyncProperty(treeArb, rulesArb, async (paths, rules) => {
        const d = path.join(root, String(n++));
        const src = path.join(d, 'src');
        await fs.mkdir(src, { recursive: true });
        git(src, ['init', '-q', '-b', 'main']);
        for (const p of paths) {
          await fs.mkdir(path.dirname(path.join(src, p)), { recursive: true });
          await fs.writeFile(path.join(src, p), `content of ${p}\n`);
        }
        git(src, ['add', '-A']);
        git(src, ['commit', '-q', '-m', 'tree']);
        const target = await makeBare(path.join(d, 't.git'));
        const allow = path.join(d, 'allow.txt');
        await fs.writeFile(allow, rules.join('\n') + '\n');
        const r = await runExport(
          { source: src, target, branch: 'main', allowlistFile: allow, safety: { importCheck: false } },
          silentLogger,
        );
        const selected = compileAllowlist(parseAllowlistStrict(rules.join('\n'), 'p.txt'))
          .filter(paths)
          .sort();
        const exported = lsTree(target);
        expect(exported.some(forbidden)).toBe(false);
        if (selected.some(forbidden)) {
          expect(r.success).toBe(false);
          expect(revParse(target, 'main')).toBeUndefined();
        } else {
          expect(r.success).toBe(true);
          expect(exported).toEqual(selected);
        }
      }),
      { numRuns: 12 },
    );
  });
});
