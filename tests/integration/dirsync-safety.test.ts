import * as fs from 'node:fs';
import * as path from 'node:path';
import { sync, type DirsyncOptions } from '../../src/core/dirsync/index.js';
import { loadState } from '../../src/core/dirsync/state.js';
import { ConfigurationError } from '../../src/core/errors.js';
import { cleanupTmp } from '../support/tmp.js';
import { pair, snapshot, sorted, write } from './dirsync-support.js';

/**
 * The ways a dirsync could lose or expose data: a vanished or recreated side, a side that lost its
 * files but kept a directory, Ferry's own files replaced by links, sides that overlap through a
 * link, and names that are not valid UTF-8.
 */
afterAll(cleanupTmp);

/** What is synced under root (not Ferry's own state and log, which sit in B by default). */
const synced_ = (root: string) => sorted(snapshot(root)).filter(([p]) => !p.startsWith('.ferry-dirsync-'));
const files = (root: string) => synced_(root).filter(([, v]) => v.startsWith('F:'));
const same = (a: string, b: string) => expect(synced_(b)).toEqual(synced_(a));

/** A synced pair with `n` files, the state in B (the default). */
async function synced(n: number) {
  const p = await pair('ferry-dirsync-safe-');
  for (let i = 0; i < n; i++) write(p.a, `docs/f${i}.txt`, `file ${i}`);
  const first = await sync({ a: p.a, b: p.b });
  expect(first.success).toBe(true);
  return p;
}

describe('a vanished or recreated side', () => {
  test('A vanished: refused; --create-missing-side recreates it and fills it from B, deleting nothing', async () => {
    const { a, b } = await synced(5);
    fs.rmSync(a, { recursive: true });
    const refused = await sync({ a, b });
    expect(refused.findings).toMatchObject([{ code: 'dirsync-side-missing' }]);
    expect(refused.findings[0].message).toContain('--create-missing-side');
    expect(refused.findings[0].message).not.toContain('--force');
    // A mass-delete permission never creates a side, so it cannot take "missing" for "deleted".
    expect((await sync({ a, b, allowMassDelete: true })).findings).toMatchObject([
      { code: 'dirsync-side-missing' },
    ]);
    expect(files(b)).toHaveLength(5);

    const r = await sync({ a, b, createMissingSide: true });
    expect(r.success).toBe(true);
    expect(r.counts).toMatchObject({ deleted: 0, copiedToA: 5 });
    expect(r.findings).toMatchObject([{ severity: 'warning', code: 'dirsync-side-refilled' }]);
    expect(r.details).toMatchObject({ refilled: ['a'], firstSync: true });
    expect(files(b)).toHaveLength(5);
    same(a, b);
    expect((await sync({ a, b })).changed).toBe(false);
  });

  test('a dry run with --create-missing-side creates nothing and lists the copies', async () => {
    const { a, b } = await synced(3);
    fs.rmSync(a, { recursive: true });
    const r = await sync({ a, b, createMissingSide: true, dryRun: true });
    expect(r.success).toBe(true);
    expect(r.counts).toMatchObject({ copiedToA: 3, deleted: 0 });
    expect(r.findings[0].message).toContain('would be created');
    expect(fs.existsSync(a)).toBe(false);
  });

  test('A recreated empty: refused as wiped; create-missing-side fills it; allow-mass-delete empties B', async () => {
    const { a, b } = await synced(4);
    fs.rmSync(a, { recursive: true });
    fs.mkdirSync(a);
    const refused = await sync({ a, b });
    expect(refused.findings).toMatchObject([{ code: 'dirsync-looks-wiped' }]);
    expect(refused.findings[0].message).toMatch(/--create-missing-side.*--allow-mass-delete/s);
    const filled = await sync({ a, b, createMissingSide: true, dryRun: true });
    expect(filled.counts).toMatchObject({ copiedToA: 4, deleted: 0 });
    const wiped = await sync({ a, b, allowMassDelete: true });
    expect(wiped.counts.deletedB).toBe(5); // 4 files and their directory
    expect(files(b)).toHaveLength(0);
  });

  test('the two decisions cannot be asked together, and the old force option says which to use', async () => {
    const { a, b } = await synced(1);
    await expect(sync({ a, b, createMissingSide: true, allowMassDelete: true })).rejects.toThrow(
      /ask opposite things.*pass one of them/,
    );
    const old = { a, b, force: true } as DirsyncOptions;
    await expect(sync(old)).rejects.toThrow(ConfigurationError);
    await expect(sync(old)).rejects.toThrow(/--create-missing-side.*--allow-mass-delete/);
  });
});

describe('a side that lost its files but kept a directory', () => {
  test('a fresh drive with only lost+found is refused, whatever the state size (here 3 files)', async () => {
    const { a, b } = await synced(3);
    fs.rmSync(a, { recursive: true });
    fs.mkdirSync(path.join(a, 'lost+found'), { recursive: true });
    const r = await sync({ a, b });
    expect(r.success).toBe(false);
    expect(r.findings).toMatchObject([{ code: 'dirsync-looks-wiped' }]);
    expect(r.findings[0].message).toContain('3 of the 3 files');
    expect(files(b)).toHaveLength(3);
    const refill = await sync({ a, b, createMissingSide: true });
    expect(refill.counts.deleted).toBe(0);
    expect(files(a)).toHaveLength(3);
    same(a, b);
  });

  test('one known file lost out of one is a wipe; the side keeping other content does not change that', async () => {
    const { a, b } = await synced(1);
    fs.rmSync(path.join(a, 'docs/f0.txt'));
    write(a, 'unrelated/new.txt', 'a new file, not one the state knows');
    const r = await sync({ a, b });
    expect(r.findings).toMatchObject([{ code: 'dirsync-looks-wiped' }]);
    expect(fs.readFileSync(path.join(b, 'docs/f0.txt'), 'utf8')).toBe('file 0');
  });

  test('deleting some of a few files is an ordinary sync', async () => {
    const { a, b } = await synced(3);
    fs.rmSync(path.join(a, 'docs/f0.txt'));
    fs.rmSync(path.join(a, 'docs/f1.txt'));
    const r = await sync({ a, b });
    expect(r.success).toBe(true);
    expect(r.counts.deletedB).toBe(2);
  });
});

describe("Ferry's own files are never written through a link", () => {
  test('a log replaced by a link to a file outside both trees is refused; the file is untouched', async () => {
    const { root, a, b } = await synced(2);
    const outside = path.join(root, 'victim.txt');
    fs.writeFileSync(outside, 'precious\n');
    const log = path.join(b, '.ferry-dirsync-log.jsonl');
    fs.rmSync(log, { force: true });
    fs.symlinkSync(outside, log);
    write(a, 'docs/new.txt', 'a change, so there is something to log');
    await expect(sync({ a, b })).rejects.toThrow(/sync log .* is a symbolic link/);
    expect(fs.readFileSync(outside, 'utf8')).toBe('precious\n');
    expect(fs.existsSync(path.join(b, 'docs/new.txt'))).toBe(false);
  });

  test('a state file replaced by a link is refused (never read as ours, never written through)', async () => {
    const { root, a, b } = await synced(2);
    const outside = path.join(root, 'elsewhere.json');
    fs.copyFileSync(path.join(b, '.ferry-dirsync-state.json'), outside);
    const before = fs.readFileSync(outside, 'utf8');
    fs.rmSync(path.join(b, '.ferry-dirsync-state.json'));
    fs.symlinkSync(outside, path.join(b, '.ferry-dirsync-state.json'));
    write(a, 'docs/new.txt', 'new');
    await expect(sync({ a, b })).rejects.toThrow(/state file .* is a symbolic link/);
    expect(fs.readFileSync(outside, 'utf8')).toBe(before);
  });

  test('a state directory inside a side that is a link leading out is refused', async () => {
    const { root, a, b } = await pair('ferry-dirsync-safe-');
    const outside = path.join(root, 'outside');
    fs.mkdirSync(outside);
    fs.symlinkSync(outside, path.join(b, '.ferry'));
    write(a, 'x.txt', 'x');
    await expect(sync({ a, b, state: path.join(b, '.ferry/state.json') })).rejects.toThrow(
      /lies in side b, but a symbolic link on the way leads to/,
    );
    expect(fs.readdirSync(outside)).toEqual([]);
  });

  test('a journal append never follows a link planted at the state name during the sync', async () => {
    const { root, a, b } = await synced(2);
    const stateFile = path.join(b, '.ferry-dirsync-state.json');
    const outside = path.join(root, 'victim.json');
    fs.writeFileSync(outside, 'precious\n');
    // Planted after the checks, while the sync runs (as a racing attacker would).
    write(a, 'docs/new.txt', 'new');
    const r = sync({
      a,
      b,
      faults: {
        beforeRead: () => {
          if (!fs.lstatSync(stateFile).isSymbolicLink()) {
            fs.rmSync(stateFile);
            fs.symlinkSync(outside, stateFile);
          }
        },
      },
    });
    await expect(r).rejects.toThrow(/symbolic link/);
    expect(fs.readFileSync(outside, 'utf8')).toBe('precious\n');
  });
});

describe('sides that overlap through a link', () => {
  test('B a link into A, or A a link into B: refused before anything is written', async () => {
    const { root, a, b } = await pair('ferry-dirsync-safe-');
    write(a, 'sub/f.txt', 'f');
    const bLink = path.join(root, 'B-link');
    fs.symlinkSync(path.join(a, 'sub'), bLink);
    await expect(sync({ a, b: bLink })).rejects.toThrow(/overlap/);
    const aLink = path.join(root, 'A-link');
    fs.mkdirSync(path.join(b, 'inner'));
    fs.symlinkSync(path.join(b, 'inner'), aLink);
    await expect(sync({ a: aLink, b })).rejects.toThrow(/overlap/);
    // A link to the parent of the other side, and a missing side below a link into the other.
    fs.symlinkSync(root, path.join(root, 'up'));
    await expect(sync({ a: path.join(root, 'up'), b })).rejects.toThrow(/overlap/);
    await expect(sync({ a, b: path.join(bLink, 'new'), createMissingSide: true })).rejects.toThrow(/overlap/);
    expect(fs.readdirSync(path.join(a, 'sub'))).toEqual(['f.txt']);
  });

  test('a state reached through a link into a side is still left out of the sync', async () => {
    const { root, a, b } = await pair('ferry-dirsync-safe-');
    const aLink = path.join(root, 'A-link');
    fs.symlinkSync(a, aLink);
    write(a, 'f.txt', 'f');
    const state = path.join(aLink, 'sync-state.json');
    expect((await sync({ a, b, state })).success).toBe(true);
    write(a, 'g.txt', 'g');
    expect((await sync({ a, b, state })).success).toBe(true);
    expect(fs.readdirSync(b).sort()).toEqual(['f.txt', 'g.txt']);
    expect(fs.readdirSync(a).sort()).toEqual(['f.txt', 'g.txt', 'sync-state.json', 'sync-state.log.jsonl']);
  });
});

describe('names that are not valid UTF-8 sync byte for byte', () => {
  const raw = (s: string) => Buffer.from(s, 'latin1');
  /** Every name under root as bytes (latin1 strings keep each byte), with file contents. */
  const byteSnapshot = (root: string) => {
    const out: string[] = [];
    const walk = (rel: Buffer) => {
      const dir = Buffer.concat([raw(root), rel.length ? raw('/') : raw(''), rel]);
      for (const name of fs.readdirSync(dir, { encoding: 'buffer' })) {
        if (name.toString('latin1').startsWith('.ferry-dirsync')) continue;
        const r = rel.length ? Buffer.concat([rel, raw('/'), name]) : name;
        const abs = Buffer.concat([raw(root), raw('/'), r]);
        const st = fs.lstatSync(abs);
        const what = st.isSymbolicLink()
          ? `L:${fs.readlinkSync(abs, { encoding: 'buffer' }).toString('latin1')}`
          : st.isDirectory()
            ? 'D'
            : `F:${fs.readFileSync(abs, 'latin1')}`;
        out.push(`${r.toString('latin1')} ${what}`);
        if (st.isDirectory()) walk(r);
      }
    };
    walk(Buffer.alloc(0));
    return out.sort();
  };

  test.each([
    ['in this thread', { parallelScan: false, copyThreads: 0 }],
    ['with scan and copy threads', { parallelScan: true, copyThreads: 2 }],
  ])('%s: files, directories and link targets; changes, deletions and conflicts', async (_, how) => {
    const { a, b } = await pair('ferry-dirsync-safe-');
    const at = (root: string, name: string) => Buffer.concat([raw(root + '/'), raw(name)]);
    fs.writeFileSync(at(a, 'f\xff.txt'), 'byte ff');
    fs.mkdirSync(at(a, 'd\xfe'));
    fs.writeFileSync(at(a, 'd\xfe/g\xc3(.txt'), 'a lead byte without its continuation');
    fs.writeFileSync(at(a, 'caf\xc3\xa9.txt'), 'valid UTF-8 stays as it is');
    fs.symlinkSync(raw('target-\xff'), at(a, 'link\xff'));
    const opts = { a, b, ...how };

    const first = await sync(opts);
    expect(first.findings).toEqual([]);
    expect(first.counts.copiedToB).toBe(4);
    expect(byteSnapshot(b)).toEqual(byteSnapshot(a));
    expect(byteSnapshot(b)).toContain('f\xff.txt F:byte ff');
    // The state round-trips the names: a second sync has nothing to do.
    const { state } = await loadState(path.join(b, '.ferry-dirsync-state.json'), a, b);
    expect([...state.keys()].sort()).toContain('d\udcfe/g\udcc3(.txt');
    expect((await sync(opts)).changed).toBe(false);

    fs.writeFileSync(at(b, 'd\xfe/g\xc3(.txt'), 'changed on b, longer');
    fs.rmSync(at(a, 'f\xff.txt'));
    const second = await sync(opts);
    expect(second.counts).toMatchObject({ copiedToA: 1, deletedB: 1 });
    expect(fs.readFileSync(at(a, 'd\xfe/g\xc3(.txt'), 'latin1')).toBe('changed on b, longer');
    expect(fs.existsSync(at(b, 'f\xff.txt'))).toBe(false);

    fs.writeFileSync(at(a, 'x\xff.txt'), 'from a');
    fs.writeFileSync(at(b, 'x\xff.txt'), 'from b!');
    fs.utimesSync(at(b, 'x\xff.txt'), 1_900_000_000, 1_900_000_000);
    const clash = await sync({ ...opts, now: () => new Date('2026-11-22T10:00:00Z') });
    expect(clash.counts.conflicts).toBe(1);
    expect(byteSnapshot(a)).toContain('x\xff.conflict-a-20261122T100000Z.txt F:from a');
    expect(byteSnapshot(b)).toEqual(byteSnapshot(a));
  });
});
