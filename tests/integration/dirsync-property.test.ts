import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { sync } from '../../src/core/dirsync/index.js';
import { loadState } from '../../src/core/dirsync/state.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';
import { fileContents, snapshot, sorted, write } from './dirsync-support.js';

/**
 * Random operation sequences on both sides, then sync, a few rounds in a row:
 * - no content is lost: every version written since the last sync survives (file or conflict copy);
 * - the sides end identical (keep-both resolves every conflict on both sides);
 * - a second sync is a no-op.
 * A round may end with a disaster on a side: it vanishes, is recreated empty, or loses every file
 * and link but keeps its directories (plus an empty lost+found, as on a fresh drive). Then a sync
 * with no decision loses nothing (it refuses, or the state knew no file to lose), and one with
 * create-missing-side fills the side again: every file either side held is still there.
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
type Disaster = 'vanish' | 'recreate' | 'keep-empty-dirs';
const disasterArb = fc.option(fc.constantFrom<Disaster>('vanish', 'recreate', 'keep-empty-dirs'), {
  nil: undefined,
  freq: 4,
});
const roundArb = fc.record({
  a: fc.array(opArb, { maxLength: 6 }),
  b: fc.array(opArb, { maxLength: 6 }),
  disasterA: disasterArb,
  disasterB: disasterArb,
});

function strike(root: string, d: Disaster): void {
  fs.rmSync(root, { recursive: true, force: true });
  if (d === 'vanish') return;
  fs.mkdirSync(root);
  if (d === 'keep-empty-dirs')
    for (const dir of [...DIRS, 'lost+found']) fs.mkdirSync(path.join(root, dir), { recursive: true });
}

/** Every file content on both sides (a vanished side holds none). */
const contents = (a: string, b: string) =>
  new Set([a, b].flatMap((root) => (fs.existsSync(root) ? [...fileContents(root)] : [])));

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

test('random edits and disasters on both sides: nothing lost, sides identical, second sync a no-op', async () => {
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
      const now = () => new Date(t);
      // Start from a synced pair, so disasters meet a state that knows files.
      for (const f of FILES) write(a, f, `seed ${f}`);
      expect((await sync({ a, b, state, now })).success).toBe(true);
      for (const round of rounds) {
        const fresh = new Set<string>();
        apply(a, 'a', round.a, fresh);
        apply(b, 'b', round.b, fresh);
        if (round.disasterA) strike(a, round.disasterA);
        if (round.disasterB) strike(b, round.disasterB);
        const present = contents(a, b);
        if (round.disasterA || round.disasterB) {
          // No decision: a refusal, or an ordinary sync when the state knew no file to lose.
          const known = [...(await loadState(state, a, b)).state.values()].filter((e) => e.type !== 'dir');
          const undecided = await sync({ a, b, state, now });
          if (known.length > 0 || !undecided.success)
            expect(undecided.findings.map((f) => f.code)).toEqual([
              expect.stringMatching(/^dirsync-(side-missing|looks-wiped)$/),
            ]);
          expect([...present].filter((c) => !contents(a, b).has(c))).toEqual([]);
          // The side is new: filled again from the other one, deleting nothing.
          const refilled = await sync({ a, b, state, now, createMissingSide: true });
          expect(refilled.findings.filter((f) => f.severity === 'error')).toEqual([]);
          expect([...present].filter((c) => !contents(a, b).has(c))).toEqual([]);
        } else {
          // Ordinary edits, the deletions deliberate: they go through even when they are most files.
          const r = await sync({ a, b, state, now, allowMassDelete: true });
          expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
        }
        const after = contents(a, b);
        for (const c of fresh) if (present.has(c)) expect(after).toContain(c);
        expect(sorted(snapshot(b))).toEqual(sorted(snapshot(a)));
        const again = await sync({ a, b, state, now });
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
    { numRuns: 50, seed: Number(process.env.FC_SEED ?? 20261122) },
  );
  // Up to 150 syncs, each flushing to disk: on a busy shared machine that is more than a minute.
}, 300_000);
