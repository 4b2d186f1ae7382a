import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { runExport, type ExportSettings } from '../../src/core/export/index.js';
import { captureLogger } from '../../src/core/logger.js';
import type { TargetResult } from '../../src/core/report/result.js';
import { git, importLinearHistory, makeBare } from '../support/git-fixtures.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

/**
 * The quick start (src/core/export/history/quick-start.ts) lists no tree: it trusts the tip's
 * Ferry-Config trailer and asks git only about the paths the range touches. It must give exactly
 * the full start's answer: the same commits (ids), the same tree, the same error findings,
 * including the import check, whose answer depends on which source files existed at each commit.
 * Random histories of Python files importing each other (public and premium), exported in two runs
 * with the same config; the second run with and without the quick start.
 */
afterAll(cleanupTmp);

const PATHS = ['pub/a.py', 'pub/b.py', 'pub/sub/c.py', 'priv/p.py', 'priv/q.py', 'mix/m.py', 'mix/n.txt'];
const ALLOW = 'pub/\nmix/*.py\n';
/** File bodies: plain, or importing a public or premium module (which may or may not exist yet). */
const BODIES = [
  'x = 1\n',
  'import priv.p\n',
  'from pub import b\n',
  'import mix.m\n',
  'from priv.q import thing  # ferry:allow-import\n',
  'import pub.sub.c\n',
];

type Op = { kind: 'write'; path: string; body: number } | { kind: 'delete'; path: string };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('write' as const),
      path: fc.constantFrom(...PATHS),
      body: fc.nat(BODIES.length - 1),
    }),
  },
  // Deletions make the quick start fall back; rare, so most runs take it.
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('delete' as const), path: fc.constantFrom(...PATHS) }),
  },
);
const historyArb = fc.array(fc.array(opArb, { minLength: 1, maxLength: 3 }), { minLength: 3, maxLength: 9 });

function buildSource(dir: string, commits: Op[][]): string[] {
  const files = new Set<string>();
  const steps = commits.map((ops) => {
    const lines: string[] = [];
    for (const op of ops) {
      if (op.kind === 'write') {
        const data = BODIES[op.body];
        files.add(op.path);
        lines.push(`M 100644 inline ${op.path}\ndata ${Buffer.byteLength(data)}\n${data}`);
      } else if (files.delete(op.path)) lines.push(`D ${op.path}`);
    }
    return lines;
  });
  return importLinearHistory(dir, steps);
}

const errors = (r: TargetResult) =>
  r.findings
    .filter((f) => f.severity === 'error')
    .map((f) => `${f.code} ${f.file ?? ''}:${f.line ?? ''} ${f.message}`)
    .sort();

describe('history quick start', () => {
  test('gives the full start’s commits, tree and findings', async () => {
    const root = await tmpDir('ferry-hquick-');
    let run = 0;
    let quickRuns = 0;
    await fc.assert(
      fc.asyncProperty(historyArb, fc.nat(100), async (commits, splitAt) => {
        const dir = path.join(root, String(run++));
        const source = path.join(dir, 'src');
        await fs.mkdir(source, { recursive: true });
        const shas = buildSource(source, commits);
        const allow = path.join(dir, 'allow.txt');
        await fs.writeFile(allow, ALLOW);
        const quickTarget = await makeBare(path.join(dir, 'quick.git'));
        const fullTarget = await makeBare(path.join(dir, 'full.git'));
        const base: ExportSettings = {
          source,
          target: quickTarget,
          branch: 'main',
          allowlistFile: allow,
          mode: 'history',
          since: 'root',
          preserve: ['pub/b.py'],
          safety: { allowMassDelete: true, secretScan: false, importCheck: true },
        };
        // First run up to a middle commit, on both targets (the same commits: deterministic).
        const mid = shas[1 + (splitAt % (shas.length - 1))];
        const first = { ...base, rev: mid, safety: { ...base.safety, importCheck: false } };
        await runExport(first, captureLogger());
        await runExport({ ...first, target: fullTarget }, captureLogger());
        const q = await runExport(base, captureLogger());
        const f = await runExport(
          { ...base, target: fullTarget, history: { quickStart: false } },
          captureLogger(),
        );
        if ((q.details?.history as { quickStart?: boolean } | undefined)?.quickStart) quickRuns++;
        expect((f.details?.history as { quickStart?: boolean } | undefined)?.quickStart).not.toBe(true);
        expect(errors(q)).toEqual(errors(f));
        expect(q.success).toBe(f.success);
        expect(q.commit).toBe(f.commit);
        expect(q.changes).toEqual(f.changes);
        const tip = (repo: string) =>
          git(repo, ['for-each-ref', '--format=%(objectname)', 'refs/heads/main']);
        expect(tip(quickTarget)).toBe(tip(fullTarget));
      }),
      { numRuns: Number(process.env.FERRY_PROP_RUNS ?? 8), seed: Number(process.env.FERRY_PROP_SEED ?? 77) },
    );
    // The property is only worth something if the quick start was taken.
    expect(quickRuns).toBeGreaterThanOrEqual(3);
  }, 120_000);
});
