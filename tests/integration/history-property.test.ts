import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { runExport, type ExportSettings } from '../../src/core/export/index.js';
import { captureLogger } from '../../src/core/logger.js';
import { git, importLinearHistory, makeBare } from '../support/git-fixtures.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

/**
 * The history-mode invariant (issue 4): after a history export of R, the target tree equals the
 * tree a snapshot export of R gives. Random first-parent histories (adds, modifies, deletes,
 * renames, exec-bit and file↔symlink changes, gitlinks, files moving in and out of the
 * allowlist), exported in two increments with an allowlist change in between (reconciliation).
 */
afterAll(cleanupTmp);

const DIRS = ['pub', 'pub/sub', 'priv', 'mix'];
const NAMES = ['a', 'b.py', 'c', 'd.py'];
const PATHS = DIRS.flatMap((d) => NAMES.map((n) => `${d}/${n}`));
const ALLOW_1 = 'pub/\nmix/*.py\n!pub/sub/c\n';
const ALLOW_2 = 'pub/\nmix/\n!pub/sub/\n';

type Op =
  | { kind: 'write'; path: string; content: number; mode: 'file' | 'exec' | 'link' }
  | { kind: 'delete'; path: string }
  | { kind: 'rename'; from: string; to: string }
  | { kind: 'gitlink'; path: string };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('write' as const),
      path: fc.constantFrom(...PATHS),
      content: fc.nat(3),
      mode: fc.constantFrom('file' as const, 'exec' as const, 'link' as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('delete' as const), path: fc.constantFrom(...PATHS) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('rename' as const),
      from: fc.constantFrom(...PATHS),
      to: fc.constantFrom(...PATHS),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('gitlink' as const),
      path: fc.constantFrom('mix/mod', 'pub/mod'),
    }),
  },
);
const historyArb = fc.array(fc.array(opArb, { minLength: 1, maxLength: 4 }), { minLength: 2, maxLength: 8 });

/** Build the source history with one fast-import stream; returns the commit ids, oldest first. */
function buildSource(dir: string, commits: Op[][]): string[] {
  const files = new Map<string, { mode: string; data: string }>();
  const steps = commits.map((ops, i) => {
    const lines: string[] = [];
    for (const op of ops) {
      if (op.kind === 'write') {
        // Symlinks point at their own directory: always inside the exported tree.
        const data = op.mode === 'link' ? '.' : `content ${op.content}\n`;
        const mode = op.mode === 'link' ? '120000' : op.mode === 'exec' ? '100755' : '100644';
        files.set(op.path, { mode, data });
        lines.push(`M ${mode} inline ${op.path}\ndata ${Buffer.byteLength(data)}\n${data}`);
      } else if (op.kind === 'delete') {
        if (files.delete(op.path)) lines.push(`D ${op.path}`);
      } else if (op.kind === 'rename') {
        const f = files.get(op.from);
        if (!f || op.from === op.to) continue;
        files.delete(op.from);
        files.set(op.to, f);
        lines.push(
          `D ${op.from}`,
          `M ${f.mode} inline ${op.to}\ndata ${Buffer.byteLength(f.data)}\n${f.data}`,
        );
      } else {
        files.delete(op.path);
        lines.push(`M 160000 ${(i + 1).toString(16).padStart(40, 'a')} ${op.path}`);
      }
    }
    return lines;
  });
  return importLinearHistory(dir, steps);
}

describe('history export property', () => {
  test('history export of R has the snapshot export tree of R', async () => {
    const root = await tmpDir('ferry-hprop-');
    let run = 0;
    await fc.assert(
      fc.asyncProperty(historyArb, fc.nat(100), fc.boolean(), async (commits, splitAt, fromRoot) => {
        const dir = path.join(root, String(run++));
        const source = path.join(dir, 'src');
        await fs.mkdir(source, { recursive: true });
        const shas = buildSource(source, commits);
        const allow = path.join(dir, 'allow.txt');
        await fs.writeFile(allow, ALLOW_1);
        const target = await makeBare(path.join(dir, 'hist.git'));
        const base: ExportSettings = {
          source,
          target,
          branch: 'main',
          allowlistFile: allow,
          mode: 'history',
          since: fromRoot ? 'root' : shas[0],
          preserve: ['pub/a'],
          safety: { allowMassDelete: true, secretScan: false, importCheck: false },
        };
        const mid = shas[splitAt % shas.length];
        const r1 = await runExport({ ...base, rev: mid }, captureLogger());
        expect(r1.findings.filter((f) => f.severity === 'error')).toEqual([]);
        const tipBefore =
          r1.commit ??
          (git(target, ['for-each-ref', '--format=%(objectname)', 'refs/heads/main']) || undefined);
        await fs.writeFile(allow, ALLOW_2);
        const r2 = await runExport(base, captureLogger());
        expect(r2.findings.filter((f) => f.severity === 'error')).toEqual([]);

        // The reference: a snapshot export of R onto the tip the last history run started from.
        const snap = await makeBare(path.join(dir, 'snap.git'));
        if (tipBefore) git(target, ['push', '-q', snap, `${tipBefore}:refs/heads/main`]);
        await runExport({ ...base, target: snap, mode: 'snapshot' }, captureLogger());
        const tree = (repo: string) => {
          try {
            return git(repo, ['ls-tree', '-r', 'main']);
          } catch {
            return '';
          }
        };
        expect(tree(target)).toBe(tree(snap));
        // Every replayed commit names its source commit, and none is duplicated (a reconciliation
        // commit repeats its base's trailer on purpose).
        const history = tree(target)
          ? git(target, ['log', '--format=%s|%(trailers:key=Ferry-Origin-Rev,valueonly,separator=)', 'main'])
          : '';
        const origins = history
          .split('\n')
          .filter((l) => l && !l.startsWith('Reconcile'))
          .map((l) => l.slice(l.lastIndexOf('|') + 1));
        expect(origins.every((o) => /^[0-9a-f]{40}$/.test(o))).toBe(true);
        expect(new Set(origins).size).toBe(origins.length);
      }),
      {
        endOnFailure: true,
        numRuns: Number(process.env.FERRY_PROP_RUNS ?? 8),
        seed: Number(process.env.FERRY_PROP_SEED ?? 4242),
      },
    );
  }, 120_000);
});
