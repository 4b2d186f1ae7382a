import { conflictName, planSync, type Action, type PlanInput } from '../../src/core/dirsync/plan.js';
import { hashRequests } from '../../src/core/dirsync/status.js';
import type { Entry, State, StateEntry } from '../../src/core/dirsync/types.js';

const NOW = new Date('2026-11-22T11:22:33.456Z');
const file = (size: number, mtime: number, hash?: string, mode = 0o644): Entry => ({
  type: 'file',
  size,
  mtimeMs: mtime,
  mode,
  ...(hash ? { hash } : {}),
});
const dir = (): Entry => ({ type: 'dir', size: 0, mtimeMs: 0, mode: 0o755 });
const st = (e: Entry, mtimeB = e.mtimeMs): StateEntry => ({
  type: e.type,
  size: e.size,
  mode: e.mode,
  mtimeA: e.mtimeMs,
  mtimeB,
  ...(e.hash ? { hash: e.hash } : {}),
});

function plan(
  a: Record<string, Entry>,
  b: Record<string, Entry>,
  s: Record<string, StateEntry>,
  extra: Partial<PlanInput> = {},
) {
  return planSync({
    a: new Map(Object.entries(a)),
    b: new Map(Object.entries(b)),
    state: new Map(Object.entries(s)) as State,
    direction: 'both',
    policy: 'keep-both',
    now: NOW,
    ...extra,
  });
}
const ops = (xs: Action[]) =>
  xs.map((x) =>
    x.op === 'copy'
      ? `copy ${x.from}->${x.to} ${x.path}`
      : x.op === 'rename'
        ? `rename ${x.side} ${x.path} ${x.to}`
        : `${x.op} ${'side' in x ? x.side : ''} ${x.path}`.replace('  ', ' '),
  );

describe('dirsync planner', () => {
  const base = file(3, 100, 'h0');

  test('nothing changed: no actions', () => {
    expect(plan({ f: base }, { f: base }, { f: st(base) }).actions).toEqual([]);
  });

  test('a change on one side is copied to the other', () => {
    const p = plan({ f: file(4, 200) }, { f: base }, { f: st(base) });
    expect(ops(p.actions)).toEqual(['copy a->b f']);
    expect(p.conflicts).toEqual([]);
  });

  test('a deletion on one side deletes the unchanged other copy', () => {
    expect(ops(plan({}, { f: base }, { f: st(base) }).actions)).toEqual(['delete b f']);
  });

  test('deleted on both sides: the state entry is dropped', () => {
    expect(ops(plan({}, {}, { f: st(base) }).actions)).toEqual(['record f']);
  });

  test('both changed to different content: keep-both renames the older version aside', () => {
    const p = plan({ f: file(4, 200, 'ha') }, { f: file(5, 300, 'hb') }, { f: st(base) });
    const copy = conflictName('f', 'a', NOW);
    expect(copy).toBe('f.conflict-a-20261122T112233Z');
    expect(ops(p.actions)).toEqual([`rename a f ${copy}`, `copy a->b ${copy}`, 'copy b->a f']);
    expect(p.conflicts).toMatchObject([
      { path: 'f', reason: 'both-changed', resolution: 'keep-both', winner: 'b', conflictCopy: copy },
    ]);
  });

  test('both changed to the same content: no conflict, the state is refreshed', () => {
    const p = plan({ f: file(4, 200, 'hx') }, { f: file(4, 300, 'hx') }, { f: st(base) });
    expect(ops(p.actions)).toEqual(['record f']);
    expect(p.conflicts).toEqual([]);
  });

  test('delete vs change is a conflict and the changed version is restored', () => {
    const p = plan({}, { f: file(9, 500) }, { f: st(base) });
    expect(ops(p.actions)).toEqual(['copy b->a f']);
    expect(p.conflicts).toMatchObject([{ reason: 'delete-vs-change', resolution: 'restored' }]);
  });

  test('--conflict fail leaves both versions alone', () => {
    const p = plan({ f: file(4, 200, 'ha') }, { f: file(5, 300, 'hb') }, { f: st(base) }, { policy: 'fail' });
    expect(p.actions).toEqual([]);
    expect(p.conflicts[0].resolution).toBe('skipped');
  });

  test.each([
    ['prefer-a', 'copy a->b f'],
    ['prefer-b', 'copy b->a f'],
    ['newer', 'copy b->a f'],
  ] as const)('--conflict %s', (policy, want) => {
    const p = plan({ f: file(4, 200, 'ha') }, { f: file(5, 300, 'hb') }, { f: st(base) }, { policy });
    expect(ops(p.actions)).toEqual([want]);
  });

  test('first sync: union, identical files recorded, differing files are conflicts', () => {
    const p = plan(
      { onlyA: file(1, 1), same: file(2, 5, 'hs'), diff: file(3, 7, 'h1') },
      { onlyB: file(1, 1), same: file(2, 6, 'hs'), diff: file(3, 8, 'h2') },
      {},
    );
    expect(ops(p.actions).sort()).toEqual(
      [
        'copy a->b onlyA',
        'copy b->a onlyB',
        'record same',
        'rename a diff diff.conflict-a-20261122T112233Z',
        'copy a->b diff.conflict-a-20261122T112233Z',
        'copy b->a diff',
      ].sort(),
    );
    expect(p.conflicts).toMatchObject([{ path: 'diff', reason: 'first-sync' }]);
  });

  test('one-way a-to-b holds back b-side changes', () => {
    const p = plan({ f: base, g: file(2, 9) }, { f: file(7, 300) }, { f: st(base) }, { direction: 'a-to-b' });
    expect(ops(p.actions)).toEqual(['copy a->b g']);
    expect(p.heldBack).toBe(1);
  });

  test('a deleted directory that still has new content on the other side is kept', () => {
    const d = dir();
    const p = plan({}, { d, 'd/new': file(1, 1) }, { d: st(d) });
    expect(ops(p.actions).sort()).toEqual(['copy b->a d/new', 'mkdir a d']);
  });

  test('a deleted directory with only deleted content is removed', () => {
    const d = dir();
    const p = plan({}, { d, 'd/f': base }, { d: st(d), 'd/f': st(base) });
    expect(ops(p.actions).sort()).toEqual(['delete b d', 'delete b d/f']);
  });

  test('unreadable paths and their subtrees are left alone', () => {
    const p = plan(
      {},
      { d: dir(), 'd/f': base },
      { d: st(dir()), 'd/f': st(base) },
      { errorsA: new Set(['d']) },
    );
    expect(p.actions).toEqual([]);
  });

  test('stat decides when it can; hashes only when the mtime moved at the same size', () => {
    const s = new Map([['f', st(file(3, 100))]]) as State;
    expect(hashRequests(new Map([['f', file(3, 100)]]), new Map([['f', file(3, 100)]]), s)).toEqual([]);
    expect(hashRequests(new Map([['f', file(4, 200)]]), new Map([['f', file(3, 100)]]), s)).toEqual([]);
    expect(hashRequests(new Map([['f', file(3, 200)]]), new Map([['f', file(3, 100)]]), s)).toEqual([
      { side: 'a', path: 'f' },
      { side: 'b', path: 'f' },
    ]);
  });

  test('a touched file whose hash matches the state is not a change', () => {
    const p = plan({ f: file(3, 999, 'h0') }, { f: base }, { f: st(base) });
    expect(ops(p.actions)).toEqual(['record f']);
  });

  test('conflict names keep the extension and treat a leading dot as part of the name', () => {
    expect(conflictName('dir/report.final.pdf', 'b', NOW)).toBe(
      'dir/report.final.conflict-b-20261122T112233Z.pdf',
    );
    expect(conflictName('.bashrc', 'a', NOW)).toBe('.bashrc.conflict-a-20261122T112233Z');
  });
});
