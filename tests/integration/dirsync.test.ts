import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sync, syncDown, syncUp } from '../../src/core/dirsync/index.js';
import { ConfigurationError } from '../../src/core/errors.js';
import { cleanupTmp } from '../support/tmp.js';
import { pair, same, write } from './dirsync-support.js';

afterAll(cleanupTmp);

/** Step the mtime so stat sees a change without depending on timestamp granularity. */
const bump = (f: string, s: number) => fs.utimesSync(f, s, s);

test('first sync unions both sides: hidden files, empty dirs, links, exec bits and mtimes', async () => {
  const { a, b, state } = await pair('ferry-dirsync-');
  write(a, '.hidden/.env', 'x=1');
  write(a, 'bin/run.sh', '#!/bin/sh\n', 0o755);
  fs.mkdirSync(path.join(a, 'empty'));
  fs.symlinkSync('/etc', path.join(a, 'etc-link'));
  write(b, 'docs/readme.md', 'hello');
  bump(path.join(a, 'bin/run.sh'), 1_700_000_000.123456);
  const r = await sync({ a, b, state });
  expect(r.success).toBe(true);
  expect(r.counts).toMatchObject({ copiedToB: 3, copiedToA: 1, conflicts: 0 });
  same(a, b);
  expect(fs.lstatSync(path.join(b, 'etc-link')).isSymbolicLink()).toBe(true);
  expect(fs.statSync(path.join(b, 'bin/run.sh')).mode & 0o777).toBe(0o755);
  expect(Math.abs(fs.statSync(path.join(b, 'bin/run.sh')).mtimeMs - 1_700_000_000_123.456)).toBeLessThan(
    0.01,
  );
  const again = await sync({ a, b, state });
  expect(again.changed).toBe(false);
  expect(again.message).toBe('already in sync');
  const log = fs
    .readFileSync(path.join(path.dirname(state), 'state.log.jsonl'), 'utf8')
    .trim()
    .split('\n');
  expect(JSON.parse(log[0])).toMatchObject({ op: expect.any(String), why: expect.any(String) });
});

test('changes and deletions flow both ways; ignored files never move', async () => {
  const { a, b, state } = await pair('ferry-dirsync-');
  write(a, 'keep.txt', 'k');
  write(a, 'gone.txt', 'g');
  write(a, 'edit.txt', 'v1');
  await sync({ a, b, state });
  fs.rmSync(path.join(b, 'gone.txt'));
  write(b, 'edit.txt', 'v2 longer');
  write(a, '__pycache__/m.pyc', 'bytecode');
  write(a, 'sub/.DS_Store', 'junk');
  write(b, 'Thumbs.db', 'junk');
  write(a, 'build/out.o', 'obj');
  const r = await sync({ a, b, state, ignore: ['build/'] });
  expect(r.counts).toMatchObject({ copiedToA: 1, deletedA: 1, conflicts: 0 });
  expect(fs.existsSync(path.join(a, 'gone.txt'))).toBe(false);
  expect(fs.readFileSync(path.join(a, 'edit.txt'), 'utf8')).toBe('v2 longer');
  for (const p of ['__pycache__', 'sub/.DS_Store', 'build'])
    expect(fs.existsSync(path.join(b, p))).toBe(false);
  expect(fs.existsSync(path.join(a, 'Thumbs.db'))).toBe(false);
});

test('both sides changed: keep-both keeps the older version as a conflict copy on both sides', async () => {
  const { a, b, state } = await pair('ferry-dirsync-');
  write(a, 'notes.txt', 'base');
  await sync({ a, b, state });
  write(a, 'notes.txt', 'from a');
  write(b, 'notes.txt', 'from b!');
  bump(path.join(a, 'notes.txt'), 1_800_000_000);
  bump(path.join(b, 'notes.txt'), 1_800_000_100);
  const r = await sync({ a, b, state, now: () => new Date('2026-11-22T10:00:00Z') });
  expect(r.success).toBe(true);
  expect(r.findings).toMatchObject([{ severity: 'warning', code: 'dirsync-conflict' }]);
  const copy = 'notes.conflict-a-20261122T100000Z.txt';
  expect(r.details?.conflicts).toMatchObject([{ path: 'notes.txt', conflictCopy: copy, winner: 'b' }]);
  expect(fs.readFileSync(path.join(a, 'notes.txt'), 'utf8')).toBe('from b!');
  expect(fs.readFileSync(path.join(b, copy), 'utf8')).toBe('from a');
  same(a, b);
});

test('deleted on one side, changed on the other: a conflict, the change is restored', async () => {
  const { a, b, state } = await pair('ferry-dirsync-');
  write(a, 'd/report.txt', 'v1');
  write(a, 'other.txt', 'keeps side a from looking wiped');
  await sync({ a, b, state });
  fs.rmSync(path.join(a, 'd'), { recursive: true });
  write(b, 'd/report.txt', 'v2 edited');
  const r = await sync({ a, b, state });
  expect(r.details?.conflicts).toMatchObject([
    { path: 'd/report.txt', reason: 'delete-vs-change', resolution: 'restored' },
  ]);
  expect(fs.readFileSync(path.join(a, 'd/report.txt'), 'utf8')).toBe('v2 edited');
  same(a, b);
});

test('identical files on a first sync are hashed once, then recorded', async () => {
  const { a, b, state } = await pair('ferry-dirsync-');
  for (const side of [a, b]) write(side, 'same.txt', 'identical');
  for (const side of [a, b]) bump(path.join(side, 'same.txt'), 1_700_000_000);
  expect((await sync({ a, b, state })).counts).toMatchObject({ hashed: 2, conflicts: 0, copied: 0 });
  expect((await sync({ a, b, state })).counts).toMatchObject({ hashed: 0, conflicts: 0, copied: 0 });
});

test('--conflict fail reports and leaves both versions alone', async () => {
  const { a, b, state } = await pair('ferry-dirsync-');
  write(a, 'f', 'x');
  write(b, 'f', 'yy');
  const r = await sync({ a, b, state, conflict: 'fail' });
  expect(r.success).toBe(false);
  expect(r.findings[0]).toMatchObject({ severity: 'error', code: 'dirsync-conflict' });
  expect(fs.readFileSync(path.join(a, 'f'), 'utf8')).toBe('x');
  expect(fs.readFileSync(path.join(b, 'f'), 'utf8')).toBe('yy');
});

test('refuses a missing side and a side that looks wiped; allowMassDelete lets real deletions through', async () => {
  const { root, a, b, state } = await pair('ferry-dirsync-');
  for (let i = 0; i < 30; i++) write(a, `f${i}`, `${i}`);
  await sync({ a, b, state });
  const missing = await sync({ a: path.join(root, 'nope'), b, state });
  expect(missing.findings).toMatchObject([{ code: 'dirsync-side-missing' }]);
  for (let i = 0; i < 20; i++) fs.rmSync(path.join(a, `f${i}`));
  const wiped = await sync({ a, b, state });
  expect(wiped.success).toBe(false);
  expect(wiped.findings[0]).toMatchObject({ code: 'dirsync-looks-wiped' });
  expect(wiped.findings[0].message).toContain('20 of the 30');
  expect(fs.readdirSync(b)).toHaveLength(30);
  const forced = await sync({ a, b, state, allowMassDelete: true });
  expect(forced.counts.deletedB).toBe(20);
  for (let i = 20; i < 30; i++) fs.rmSync(path.join(b, `f${i}`));
  expect((await sync({ a, b, state })).findings[0]).toMatchObject({ code: 'dirsync-looks-wiped' });
});

test('syncDown and syncUp move one way only', async () => {
  const { a, b, state } = await pair('ferry-dirsync-');
  write(a, 'shared.txt', 's');
  await sync({ a, b, state });
  write(a, 'from-a.txt', 'a');
  write(b, 'from-b.txt', 'b');
  const down = await syncDown({ a, b, state });
  expect(down.direction).toBe('pull');
  expect(down.counts).toMatchObject({ copiedToB: 1, copiedToA: 0, heldBack: 1 });
  expect(fs.existsSync(path.join(a, 'from-b.txt'))).toBe(false);
  const up = await syncUp({ a, b, state });
  expect(up.counts).toMatchObject({ copiedToA: 1, copiedToB: 0 });
  same(a, b);
});

test('--dry-run plans but writes nothing, not even the state', async () => {
  const { a, b, state } = await pair('ferry-dirsync-');
  write(a, 'x', '1');
  const r = await sync({ a, b, state, dryRun: true });
  expect(r.dryRun).toBe(true);
  expect(r.counts.copied).toBe(1);
  expect(fs.readdirSync(b)).toEqual([]);
  expect(fs.existsSync(state)).toBe(false);
});

test('a link never leads writes out of the root', async () => {
  const { root, a, b, state } = await pair('ferry-dirsync-');
  const outside = path.join(root, 'outside');
  fs.mkdirSync(outside);
  fs.symlinkSync(outside, path.join(a, 'link'));
  write(b, 'link/evil.txt', 'should not land outside');
  const r = await sync({ a, b, state });
  expect(fs.readdirSync(outside)).toEqual([]);
  expect(r.details?.conflicts).toMatchObject([{ path: 'link', reason: 'type' }]);
  expect(fs.readFileSync(path.join(a, 'link/evil.txt'), 'utf8')).toBe('should not land outside');
  same(a, b);
});

test('fault: a file vanishing mid-scan is treated as gone; the rest syncs', async () => {
  const { a, b, state } = await pair('ferry-dirsync-');
  write(a, 'v/gone.txt', 'g');
  write(a, 'v/stay.txt', 's');
  await sync({ a, b, state });
  write(a, 'new.txt', 'n');
  const r = await sync({
    a,
    b,
    state,
    faults: {
      beforeStat: (side, rel) =>
        side === 'a' && rel === 'v/gone.txt' ? fs.rmSync(path.join(a, rel)) : undefined,
    },
  });
  expect(r.success).toBe(true);
  expect(fs.existsSync(path.join(b, 'v/gone.txt'))).toBe(false);
  expect(fs.existsSync(path.join(b, 'new.txt'))).toBe(true);
  same(a, b);
});

test('fault: a read error on one file is reported, the others sync, a rerun finishes it', async () => {
  const { a, b, state } = await pair('ferry-dirsync-');
  for (const f of ['one', 'two', 'secret']) write(a, f, f);
  const denied = (side: string, rel: string) => {
    if (side === 'a' && rel === 'secret')
      throw Object.assign(new Error(`EACCES: permission denied, open '${rel}'`), { code: 'EACCES' });
  };
  const r = await sync({ a, b, state, faults: { beforeRead: denied } });
  expect(r.success).toBe(false);
  expect(r.findings).toMatchObject([{ severity: 'error', code: 'dirsync-io-error' }]);
  expect(r.findings[0].message).toContain('secret');
  expect(fs.readdirSync(b).sort()).toEqual(['one', 'two']);
  expect(fs.readdirSync(b).some((n) => n.includes('ferry-tmp'))).toBe(false);
  const rerun = await sync({ a, b, state });
  expect(rerun.success).toBe(true);
  same(a, b);
});

test('fault: a FIFO (unreadable even for root) is reported and skipped', async () => {
  const { a, b, state } = await pair('ferry-dirsync-');
  execFileSync('mkfifo', [path.join(a, 'pipe')]);
  write(a, 'ok.txt', 'fine');
  const r = await sync({ a, b, state });
  expect(r.findings).toMatchObject([{ code: 'dirsync-unreadable' }]);
  expect(fs.readdirSync(b)).toEqual(['ok.txt']);
});

test('leftover temp files of a killed sync are removed, never synced', async () => {
  const { a, b, state } = await pair('ferry-dirsync-');
  write(b, 'dir/.big.bin.ferry-tmp-4242-deadbeef', 'half a file');
  write(a, 'dir/big.bin', 'whole');
  await sync({ a, b, state });
  expect(fs.readdirSync(path.join(b, 'dir'))).toEqual(['big.bin']);
  same(a, b);
});

test('a corrupt state file is a configuration error naming the file and the fix', async () => {
  const { a, b, state } = await pair('ferry-dirsync-');
  fs.writeFileSync(state, '{"version": 2, "entr');
  await expect(sync({ a, b, state })).rejects.toThrow(ConfigurationError);
  await expect(sync({ a, b, state })).rejects.toThrow(/state\.json:1: .*Delete it/);
});
