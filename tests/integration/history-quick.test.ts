import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { runExport, type ExportSettings } from '../../src/core/export/index.js';
import { captureLogger } from '../../src/core/logger.js';
import { detailsOf, type TargetResult } from '../../src/core/report/result.js';
import { git, makeBare } from '../support/git-fixtures.js';
import {
  appendCommits,
  CONFIGS,
  commitLines,
  commitsArb,
  harmlessCommitsArb,
  initialOps,
  type Op,
  type SourceFiles,
} from '../support/random-history.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

/**
 * The quick start (src/core/export/history/quick-start.ts) lists no tree: it trusts the tip when it
 * is Ferry's own commit with this configuration, and asks git only about the paths the range
 * touches. It must give exactly the full start's answer: the same commits (ids, so the same trees
 * and recorded symlinks), the same error findings (the import check, the symlink check, the
 * mass-deletion gate, LFS pointers). Random real-commit histories (tests/support/random-history.ts:
 * deletions, renames, mode and type changes, symlinks, gitlinks, .gitattributes) under each
 * configuration (map rules, preserved paths, the submodule policy), exported in two runs; the
 * second with and without the quick start. The history's final tree is also a snapshot export's.
 */
afterAll(cleanupTmp);

const errors = (r: TargetResult) =>
  r.findings
    .filter((f) => f.severity === 'error')
    .map((f) => `${f.code} ${f.file ?? ''}:${f.line ?? ''} ${f.message}`)
    .sort();
const tip = (repo: string) => git(repo, ['for-each-ref', '--format=%(objectname)', 'refs/heads/main']);
const tree = (repo: string) => (tip(repo) ? git(repo, ['ls-tree', '-r', 'main']) : '');

describe('history quick start', () => {
  test('gives the full start’s commits, tree and findings on real commits', async () => {
    const root = await tmpDir('ferry-hquick-');
    let run = 0;
    const seen = { quick: 0, deletions: 0, links: 0, mapped: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(0, 1, 3), { minLength: 4, maxLength: 4 }),
        fc.nat(CONFIGS.length - 1),
        harmlessCommitsArb(3),
        commitsArb(4),
        async (bodies, which, before, range) => {
          const dir = path.join(root, String(run++));
          const source = path.join(dir, 'src');
          await fs.mkdir(source, { recursive: true });
          const files: SourceFiles = new Map();
          let t = 0;
          const step = (ops: readonly Op[]) => commitLines(ops, files, t++);
          appendCommits(source, [step(initialOps(bodies)), ...before.map(step)], 0);
          const config = CONFIGS[which];
          const allow = path.join(dir, 'allow.txt');
          await fs.writeFile(allow, config.rules.join('\n') + '\n');
          const quickTarget = await makeBare(path.join(dir, 'quick.git'));
          const fullTarget = await makeBare(path.join(dir, 'full.git'));
          const base: ExportSettings = {
            source,
            target: quickTarget,
            branch: 'main',
            allowlistFile: allow,
            mode: 'history',
            since: 'root',
            preserve: config.preserve,
            map: config.map,
            submodules: config.submodules,
            safety: { maxDeleteRatio: 0.3 },
          };
          // The first run on both targets (the same commits: deterministic); then the range.
          const r1 = await runExport(base, captureLogger());
          await runExport({ ...base, target: fullTarget }, captureLogger());
          expect(r1.findings.filter((x) => x.severity === 'error')).toEqual([]);
          appendCommits(source, range.map(step), t);
          const q = await runExport(base, captureLogger());
          const f = await runExport(
            { ...base, target: fullTarget, history: { quickStart: false } },
            captureLogger(),
          );
          const qh = detailsOf(q, 'export')?.history;
          expect(detailsOf(f, 'export')?.history?.quickStart).not.toBe(true);
          if (qh?.quickStart) {
            seen.quick++;
            if (q.changes?.some((c) => c.change === 'deleted')) seen.deletions++;
            if (range.flat().some((op) => op.kind === 'link')) seen.links++;
            if (config.map.length) seen.mapped++;
          }
          expect(errors(q)).toEqual(errors(f));
          expect(q.success).toBe(f.success);
          expect(q.commit).toBe(f.commit);
          expect(q.changes).toEqual(f.changes);
          expect(tip(quickTarget)).toBe(tip(fullTarget));
          // History vs snapshot: the replayed tree is the snapshot export's of the same revision.
          if (q.success && tip(quickTarget)) {
            // Onto the tip the range started from: preserved paths keep the target's copy.
            const snap = await makeBare(path.join(dir, 'snap.git'));
            if (r1.commit) git(quickTarget, ['push', '-q', snap, `${r1.commit}:refs/heads/main`]);
            const s = await runExport({ ...base, target: snap, mode: 'snapshot' }, captureLogger());
            if (s.success) expect(tree(quickTarget)).toBe(tree(snap));
          }
        },
      ),
      {
        endOnFailure: true,
        numRuns: Number(process.env.FERRY_PROP_RUNS ?? 10),
        seed: Number(process.env.FERRY_PROP_SEED ?? 78),
      },
    );
    // The property is only worth something if the quick start ran on every kind of change.
    for (const [k, v] of Object.entries(seen)) expect([k, v > 0]).toEqual([k, true]);
  }, 600_000);
});
