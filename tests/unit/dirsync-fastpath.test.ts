import fc from 'fast-check';
import { planSync } from '../../src/core/dirsync/plan.js';
import { changedPaths, hashRequests } from '../../src/core/dirsync/status.js';
import type {
  ConflictPolicy,
  Entry,
  State,
  StateEntry,
  SyncDirection,
} from '../../src/core/dirsync/types.js';

/**
 * The no-change fast path: planning and hashing over changedPaths() only must give exactly
 * what planning over every path gives, for any scans and state.
 */
const PATHS = ['f', 'g.txt', 'd', 'd/x', 'd/y', 'd/e', 'd/e/z', 'l', '.h'];

type Variant = 'absent' | 'same' | 'size' | 'mtime' | 'mode' | 'dir' | 'link' | 'link2';
const variantArb = fc.constantFrom<Variant>(
  'absent',
  'same',
  'same',
  'same',
  'size',
  'mtime',
  'mode',
  'dir',
  'link',
  'link2',
);
const baseArb = fc.option(
  fc.record({
    type: fc.constantFrom<'file' | 'dir' | 'symlink'>('file', 'file', 'dir', 'symlink'),
    size: fc.integer({ min: 0, max: 3 }),
    mtime: fc.integer({ min: 1, max: 4 }),
    hash: fc.option(fc.constantFrom('h0', 'h1'), { nil: undefined }),
    racy: fc.boolean(),
  }),
  { nil: undefined },
);
const pathArb = fc.record({ s: baseArb, a: variantArb, b: variantArb, ha: fc.boolean(), hb: fc.boolean() });

function sideEntry(s: StateEntry | undefined, v: Variant, mtime: number): Entry | undefined {
  const fileOf = (size: number, m: number, mode = 0o644): Entry => ({ type: 'file', size, mtimeMs: m, mode });
  if (v === 'absent') return undefined;
  if (v === 'dir') return { type: 'dir', size: 0, mtimeMs: 0, mode: 0o755 };
  if (v === 'link') return { type: 'symlink', size: 1, mtimeMs: 0, mode: 0o777, target: 't1' };
  if (v === 'link2') return { type: 'symlink', size: 1, mtimeMs: 0, mode: 0o777, target: 't2' };
  if (!s) return fileOf(2, 9);
  if (v === 'same') {
    const e: Entry = { type: s.type, size: s.size, mtimeMs: mtime, mode: s.mode };
    if (s.target !== undefined) e.target = s.target;
    return e;
  }
  if (s.type !== 'file') return fileOf(1, 5);
  if (v === 'size') return fileOf(s.size + 1, mtime);
  if (v === 'mtime') return fileOf(s.size, mtime + 10, s.mode);
  return fileOf(s.size, mtime, s.mode === 0o644 ? 0o755 : 0o644);
}

test('planning over changedPaths() equals planning over every path', () => {
  fc.assert(
    fc.property(
      fc.array(pathArb, { minLength: PATHS.length, maxLength: PATHS.length }),
      fc.constantFrom<SyncDirection>('both', 'a-to-b', 'b-to-a'),
      fc.constantFrom<ConflictPolicy>('keep-both', 'fail', 'newer', 'prefer-a', 'prefer-b'),
      (rows, direction, policy) => {
        const a = new Map<string, Entry>();
        const b = new Map<string, Entry>();
        const state: State = new Map();
        PATHS.forEach((p, i) => {
          const r = rows[i];
          let s: StateEntry | undefined;
          if (r.s) {
            s = {
              type: r.s.type,
              size: r.s.type === 'dir' ? 0 : r.s.size,
              mode: r.s.type === 'symlink' ? 0o777 : r.s.type === 'dir' ? 0o755 : 0o644,
              mtimeA: r.s.mtime,
              mtimeB: r.s.mtime + 0.5,
            };
            if (r.s.type === 'symlink') s.target = 't1';
            if (r.s.type === 'file' && r.s.hash) s.hash = r.s.hash;
            if (r.s.type === 'file' && r.s.racy) s.racy = true;
            state.set(p, s);
          }
          const A = sideEntry(s, r.a, s ? s.mtimeA : 1);
          const B = sideEntry(s, r.b, s ? s.mtimeB : 1);
          if (A) a.set(p, A);
          if (B) b.set(p, B);
        });
        const only = changedPaths(a, b, state);
        const all = hashRequests(a, b, state);
        expect(hashRequests(a, b, state, only)).toEqual(all);
        // Hash what was asked for, deterministically, as fillHashes would.
        rows.forEach((r, i) => {
          for (const [side, m, flag] of [
            ['a', a, r.ha],
            ['b', b, r.hb],
          ] as const)
            if (all.some((q) => q.side === side && q.path === PATHS[i]))
              m.get(PATHS[i])!.hash = flag ? 'h0' : 'h1';
        });
        const input = { a, b, state, direction, policy, now: new Date('2026-11-22T12:00:00Z') };
        expect(planSync({ ...input, paths: only })).toEqual(planSync(input));
      },
    ),
    { numRuns: 400 },
  );
});

test('changedPaths is empty when both sides stat exactly as the state says', () => {
  const e: Entry = { type: 'file', size: 3, mtimeMs: 10, mode: 0o644 };
  const s: StateEntry = { type: 'file', size: 3, mode: 0o644, mtimeA: 10, mtimeB: 11 };
  const a = new Map([['x', e]]);
  const b = new Map([['x', { ...e, mtimeMs: 11 }]]);
  expect(changedPaths(a, b, new Map([['x', s]]))).toEqual([]);
  // A racy entry is compared by content: never skipped.
  expect(changedPaths(a, b, new Map([['x', { ...s, racy: true }]]))).toEqual(['x']);
  // Gone from both sides: the state entry must be dropped.
  expect(changedPaths(new Map(), new Map(), new Map([['x', s]]))).toEqual(['x']);
});
