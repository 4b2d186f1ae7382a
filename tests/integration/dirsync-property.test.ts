import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { sync } from '../../src/core/dirsync/index.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';
import { fileContents, snapshot, sorted, write } from './dirsync-support.js';

/**
 * Random operation sequences on both sides, then sync, a few rounds in a row:
 * - no content is lost: every version written since the last sync survives (file or conflict copy);
 * - the sides end identical (keep-both resolves every conflict on both sides);
 * - a second sync is a no-op.
 * File, directory and link names are kept apart so file-vs-directory clashes do not arise.
 */
const FILES = ['f1', 'f2.txt', '.hidden', 'd1/f3', 'd1/f4', 'd2/d3/f5'];
const DIRS = ['d1', 'd2', 'd2/d3', 'e1'];
const LINKS = ['l1', 'd1/l2'];

type Op =
  | { op: 'write'; path: string; len: number }
  | { op: 'rm'; path: string }
  | { op: 'rmdir'; dir: string }
  | { op: 'mkdir'; dir: string }
  | { op: 'chmod'; path: string }
  | { op: 'link'; path: string; target: string };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('write' as const),
      path: fc.constantFrom(...FILES),
      len: fc.integer({ min: 0, max: 2 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('rm' as const), path: fc.constantFrom(...FILES, ...LINKS) }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('rmdir' as const), dir: fc.constantFrom(...DIRS) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('mkdir' as const), dir: fc.constantFrom(...DIRS) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('chmod' as const), path: fc.constantFrom(...FILES) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('link' as const),
      path: fc.constantFrom(...LINKS),
      target: fc.constantFrom('f1', '../outside', 'd1'),
    }),
  },
);
const roundArb = fc.record({ a: fc.array(opArb, { maxLength: 6 }), b: fc.array(opArb, { maxLength: 6 }) });

let counter = 0;
function apply(root: string, side: string, ops: Op[], fresh: Set<string>): void {
  for (const o of ops) {
    const abs = (p: string) => path.join(root, p);
    try {
      if (o.op === 'write') {
        // Unique content, padded to a few fixed sizes so same-size edits (hash path) are common.
        const content = `${side}${++counter}`.padEnd(8 + 4 * o.len, '.');
        fresh.add(content);
        if (fs.lstatSync(abs(o.path), { throwIfNoEntry: false })?.isDirectory()) continue;
        write(root, o.path, content);
      } else if (o.op === 'rm') fs.rmSync(abs(o.path), { force: true });
      else if (o.op === 'rmdir') fs.rmSync(abs(o.dir), { recursive: true, force: true });
      else if (o.op === 'mkdir') fs.mkdirSync(abs(o.dir), { recursive: true });
      else if (o.op === 'chmod') {
        const st = fs.statSync(abs(o.path), { throwIfNoEntry: false });
        if (st?.isFile()) fs.chmodSync(abs(o.path), st.mode & 0o100 ? 0o644 : 0o755);
      } else if (o.op === 'link') {
        fs.rmSync(abs(o.path), { force: true });
        fs.mkdirSync(path.dirname(abs(o.path)), { recursive: true });
        fs.symlinkSync(o.target, abs(o.path));
      }
    } catch (e) {
      // e.g. writing below a path that is now a file: the op just does not happen.
      if (!['ENOTDIR', 'EEXIST', 'EISDIR'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
    }
  }
}

afterAll(cleanupTmp);

test('random edits on both sides: nothing lost, sides identical, second sync a no-op', async () => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(roundArb, { minLength: 1, maxLength: 3 }), async (rounds) => {
      const root = await tmpDir('ferry-dirsync-prop-');
      const a = path.join(root, 'A');
      const b = path.join(root, 'B');
      fs.mkdirSync(a);
      fs.mkdirSync(b);
      const state = path.join(root, 'state.json');
      const t = Date.UTC(2026, 0, 1) + 1000 * run++;
      for (const round of rounds) {
        const fresh = new Set<string>();
        apply(a, 'a', round.a, fresh);
        apply(b, 'b', round.b, fresh);
        const present = new Set([...fileContents(a), ...fileContents(b)]);
        const r = await sync({ a, b, state, force: true, now: () => new Date(t) });
        expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
        const after = new Set([...fileContents(a), ...fileContents(b)]);
        for (const c of fresh) if (present.has(c)) expect(after).toContain(c);
        expect(sorted(snapshot(b))).toEqual(sorted(snapshot(a)));
        const again = await sync({ a, b, state, force: true, now: () => new Date(t) });
        expect(again.counts).toMatchObject({
          copied: 0,
          deleted: 0,
          dirsCreated: 0,
          conflicts: 0,
          errors: 0,
        });
        expect(again.changed).toBe(false);
      }
      fs.rmSync(root, { recursive: true, force: true });
    }),
    { numRuns: 60, seed: Number(process.env.FC_SEED ?? 20261122) },
  );
});
