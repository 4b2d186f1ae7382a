import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildIgnore, sync } from '../../src/core/dirsync/index.js';
import { Flusher } from '../../src/core/dirsync/flush.js';
import { scanTreeInWorker } from '../../src/core/dirsync/scan-worker.js';
import { mergeScan, scanTree, splitTopLevel } from '../../src/core/dirsync/scan.js';
import { JOURNAL_MAX_LINES, loadState, saveState, serializeState } from '../../src/core/dirsync/state.js';
import { cleanupTmp } from '../support/tmp.js';
import { pair, same, snapshot, sorted, write } from './dirsync-support.js';

/**
 * The session-2 speed paths give exactly the slow paths' answers: the scan thread, the copy
 * threads, the journaled state, the buffered copy.
 */
afterAll(cleanupTmp);

function varied(root: string): void {
  for (let i = 0; i < 40; i++) write(root, `d${i % 4}/s${i % 3}/f${i}.txt`, 'x'.repeat(i));
  write(root, '.hidden/.rc', 'h');
  write(root, 'ünïcödé/名前.txt', 'u');
  write(root, 'exec.sh', '#!/bin/sh\n', 0o755);
  write(root, '__pycache__/m.pyc', 'ignored');
  write(root, 'build/out.o', 'ignored by a user glob');
  write(root, 'd0/.f.txt.ferry-tmp-123-abc', 'stale temp');
  fs.mkdirSync(path.join(root, 'empty/deeper'), { recursive: true });
  fs.symlinkSync('d0/s0/f0.txt', path.join(root, 'link'));
  fs.symlinkSync('/nonexistent/elsewhere', path.join(root, 'd1/dangling'));
  execFileSync('mkfifo', [path.join(root, 'd2/pipe')]);
}

test('the scan thread returns exactly what the in-thread scan returns', async () => {
  const { a, state } = await pair('ferry-dirsync-fast-');
  varied(a);
  const ignore = buildIgnore({ a, b: a + '-other', ignore: ['build/'] }, [state]);
  const here = scanTree(a, { side: 'b', ignore });
  const there = await scanTreeInWorker(a, 'b', ignore);
  expect(there.entries.size).toBeGreaterThan(50);
  expect(sorted(there.entries as never)).toEqual(sorted(here.entries as never));
  expect(there.errors).toEqual(here.errors);
  expect(there.errors).toMatchObject([{ path: 'd2/pipe', code: 'EUNSUPPORTED' }]);
  expect(there.staleTemps).toEqual(['d0/.f.txt.ferry-tmp-123-abc']);
  expect(there.entries.has('build')).toBe(false);
  expect(there.entries.has('__pycache__')).toBe(false);
  expect(there.entries.get('link')).toMatchObject({ type: 'symlink', target: 'd0/s0/f0.txt' });
});

test('one side walked by two threads (a share of its top-level directories each) gives the one-thread scan', async () => {
  const { a, state } = await pair('ferry-dirsync-fast-');
  varied(a);
  fs.symlinkSync('d1', path.join(a, 'dirlink')); // a link to a directory: reported, never entered
  const ignore = buildIgnore({ a, b: a + '-other', ignore: ['build/'] }, [state]);
  const share = splitTopLevel(a, ignore)!;
  // Every other walked top-level directory; never an ignored one, a link or a file.
  expect(share).toEqual(['d0', 'd2', 'empty']);
  const here = scanTree(a, { side: 'a', ignore });
  const mine = scanTree(a, { side: 'a', ignore, part: { leave: share } });
  const theirs = await scanTreeInWorker(a, 'a', ignore, { starts: share });
  // Each thread walks only its share: the shared directories' entries come from one side.
  const under = (p: string) => share.some((d) => p.startsWith(`${d}/`));
  expect([...mine.entries.keys()].filter(under)).toEqual([]);
  expect([...theirs.entries.keys()].every(under)).toBe(true);
  const split = mergeScan(mine, theirs);
  expect(sorted(split.entries as never)).toEqual(sorted(here.entries as never));
  expect(split.errors).toEqual(here.errors);
  expect(split.staleTemps).toEqual(here.staleTemps);
  expect(split.entries.get('dirlink')).toMatchObject({ type: 'symlink', target: 'd1' });

  // A shared directory replaced by a link before the thread gets to it is not entered; one that
  // vanished is gone from the merged scan.
  fs.rmSync(path.join(a, 'd0'), { recursive: true });
  fs.symlinkSync('/', path.join(a, 'd0'));
  fs.rmSync(path.join(a, 'empty'), { recursive: true });
  const late = await scanTreeInWorker(a, 'a', ignore, { starts: share });
  expect([...late.entries.keys()].filter((p) => p.startsWith('d0/') || p.startsWith('empty'))).toEqual([]);
  expect(late.gone).toEqual(['empty']);
  const merged = mergeScan(
    {
      root: a,
      entries: new Map([['empty', { type: 'dir', size: 0, mtimeMs: 1, mode: 0o755 }]]),
      errors: [],
      staleTemps: [],
    },
    late,
  );
  expect(merged.entries.has('empty')).toBe(false);
});

test('a first sync into an empty B walks A with two threads and copies it whole', async () => {
  const p = await pair('ferry-dirsync-fast-');
  varied(p.a);
  fs.rmSync(path.join(p.a, 'd2/pipe'));
  fs.rmSync(path.join(p.a, '__pycache__'), { recursive: true });
  // The state (and its log) in B, by default: B still counts as empty.
  fs.writeFileSync(path.join(p.b, '.ferry-dirsync-log.jsonl'), '');
  const r = await sync({ a: p.a, b: p.b });
  expect(r.success).toBe(true);
  const b = snapshot(p.b);
  for (const k of b.keys()) if (k.startsWith('.ferry-dirsync-')) b.delete(k);
  expect(sorted(b)).toEqual(sorted(snapshot(p.a)));
  const again = await sync({ a: p.a, b: p.b });
  expect(again.message).toBe('already in sync');
});

test('a scan thread on an unreadable root rejects like the in-thread scan throws', async () => {
  const { root } = await pair('ferry-dirsync-fast-');
  const ignore = buildIgnore({ a: root, b: root + '-x' }, []);
  await expect(scanTreeInWorker(path.join(root, 'missing'), 'b', ignore)).rejects.toThrow(/ENOENT/);
});

test('copy threads and the in-thread copy give the same trees and the same state', async () => {
  const runs = [];
  for (const copyThreads of [0, 2]) {
    const p = await pair('ferry-dirsync-fast-');
    varied(p.a);
    fs.rmSync(path.join(p.a, 'd2/pipe'));
    fs.rmSync(path.join(p.a, '__pycache__'), { recursive: true }); // ignored: never synced
    for (let i = 0; i < 600; i++) write(p.a, `many/m${i % 7}/n${i}`, `n${i}`); // > 2 chunks: 2 threads
    write(p.b, 'only-b/x.txt', 'from b');
    const r = await sync({ a: p.a, b: p.b, state: p.state, copyThreads, parallelScan: copyThreads > 0 });
    expect(r.success).toBe(true);
    same(p.a, p.b);
    const again = await sync({ a: p.a, b: p.b, state: p.state, copyThreads });
    expect(again.message).toBe('already in sync');
    const st = (await loadState(p.state, p.a, p.b)).state;
    runs.push({ counts: r.counts, tree: sorted(snapshot(p.b)), paths: [...st.keys()].sort() });
  }
  expect(runs[1]).toEqual(runs[0]);
});

test('files keep their exact mode whatever the umask (setuid included)', async () => {
  const { a, b, state } = await pair('ferry-dirsync-fast-');
  write(a, 'tool', 'run me', 0o4755);
  write(a, 'group.txt', 'g', 0o664);
  const old = process.umask(0o077);
  try {
    await sync({ a, b, state });
  } finally {
    process.umask(old);
  }
  expect(fs.statSync(path.join(b, 'tool')).mode & 0o7777).toBe(0o4755);
  expect(fs.statSync(path.join(b, 'group.txt')).mode & 0o7777).toBe(0o664);
});

test('a source that changes size between scan and copy is left for the next sync', async () => {
  const { a, b, state } = await pair('ferry-dirsync-fast-');
  write(a, 'grows.txt', 'short');
  write(a, 'fine.txt', 'ok');
  const r = await sync({
    a,
    b,
    state,
    faults: {
      beforeRead: (_side, rel) => (rel === 'grows.txt' ? write(a, rel, 'much longer now') : undefined),
    },
  });
  expect(r.findings).toMatchObject([{ code: 'dirsync-io-error' }]);
  expect(r.findings[0].message).toContain('changed during the sync');
  expect(fs.existsSync(path.join(b, 'grows.txt'))).toBe(false);
  expect(fs.readdirSync(b)).toEqual(['fine.txt']);
  const rerun = await sync({ a, b, state });
  expect(rerun.success).toBe(true);
  same(a, b);
});

describe('the state journal', () => {
  test('a small change appends one line; loading applies it; a big one rewrites', async () => {
    const { a, b, state } = await pair('ferry-dirsync-fast-');
    // Old mtimes: no racy entries, which the next sync would re-record all at once.
    const old = (rel: string) => fs.utimesSync(path.join(a, rel), 1e9, 1e9);
    for (let i = 0; i < 300; i++) write(a, `f${i}`, String(i));
    for (let i = 0; i < 300; i++) old(`f${i}`);
    await sync({ a, b, state });
    expect(fs.readFileSync(state, 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
    write(a, 'f1', 'changed!');
    old('f1');
    fs.rmSync(path.join(b, 'f2'));
    await sync({ a, b, state });
    const lines = fs.readFileSync(state, 'utf8').split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1])).toMatchObject({ del: ['f2'] });
    const loaded = await loadState(state, a, b);
    expect(loaded.journalLines).toBe(1);
    expect(loaded.state.has('f2')).toBe(false);
    expect(loaded.state.get('f1')?.size).toBe(8);
    const again = await sync({ a, b, state });
    expect(again.message).toBe('already in sync');
    for (let i = 0; i < 300; i++) write(a, `f${i}`, `v2 ${i}`);
    await sync({ a, b, state });
    expect(fs.readFileSync(state, 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
    same(a, b);
  });

  test('a torn last line is skipped, and the next append starts a fresh line', async () => {
    const { a, b, state } = await pair('ferry-dirsync-fast-');
    write(a, 'x', '1');
    write(a, 'y', '2');
    await sync({ a, b, state });
    fs.appendFileSync(state, '{"set":["x","f",1,420,1,1,nu');
    const loaded = await loadState(state, a, b);
    expect([...loaded.state.keys()].sort()).toEqual(['x', 'y']);
    write(a, 'z', '3');
    await sync({ a, b, state });
    expect((await loadState(state, a, b)).state.has('z')).toBe(true);
    expect((await sync({ a, b, state })).message).toBe('already in sync');
    same(a, b);
  });

  test('compacts after JOURNAL_MAX_LINES appends', async () => {
    const { a, b, state } = await pair('ferry-dirsync-fast-');
    const st = new Map([['p', { type: 'file' as const, size: 1, mode: 0o644, mtimeA: 1, mtimeB: 1 }]]);
    fs.writeFileSync(state, serializeState(st, a, b, new Date()));
    let lines = 0;
    for (let i = 0; i <= JOURNAL_MAX_LINES; i++) {
      st.set(`q${i}`, { type: 'file', size: i, mode: 0o644, mtimeA: i, mtimeB: i });
      const how = await saveState(state, st, a, b, new Date(), {
        touched: new Set([`q${i}`]),
        journalLines: lines,
      });
      lines = how === 'appended' ? lines + 1 : 0;
    }
    expect(lines).toBe(0);
    const loaded = await loadState(state, a, b);
    expect(loaded.journalLines).toBe(0);
    expect(loaded.state.size).toBe(JOURNAL_MAX_LINES + 2);
  });

  test('a version 2 state is read, then rewritten as version 3 (never appended to)', async () => {
    const { a, b, state } = await pair('ferry-dirsync-fast-');
    write(a, 'x', '1');
    write(b, 'x', '1');
    const stx = fs.lstatSync(path.join(a, 'x'));
    const sty = fs.lstatSync(path.join(b, 'x'));
    fs.writeFileSync(
      state,
      JSON.stringify({
        version: 2,
        a,
        b,
        entries: { x: ['f', 1, stx.mode & 0o7777, stx.mtimeMs, sty.mtimeMs, null, null, 0] },
      }) + '\n',
    );
    expect((await sync({ a, b, state })).message).toBe('already in sync');
    write(a, 'new', 'n');
    await sync({ a, b, state });
    const text = fs.readFileSync(state, 'utf8');
    expect(text.split('\n').filter(Boolean)).toHaveLength(1);
    expect(JSON.parse(text).version).toBe(3);
  });

  test('a state recorded for another pair is replaced, never appended to', async () => {
    const { a, b, state, root } = await pair('ferry-dirsync-fast-');
    write(a, 'x', '1');
    await sync({ a, b, state });
    const c = path.join(root, 'C');
    fs.mkdirSync(c);
    await sync({ a, b: c, state });
    const text = fs.readFileSync(state, 'utf8');
    expect(text.split('\n').filter(Boolean)).toHaveLength(1);
    expect(JSON.parse(text).b).toBe(c);
  });
});

describe('new directories are built under a temp name and renamed into place whole', () => {
  test('the files of a new directory never sit under real names before the directory does', async () => {
    const { a, b, state } = await pair('ferry-dirsync-fast-');
    for (let i = 0; i < 5; i++) write(a, `n/m/f${i}`, `v${i}`);
    write(a, 'n/x.sh', 'run', 0o755);
    fs.symlinkSync('m/f0', path.join(a, 'n/link'));
    const seen: string[] = [];
    const r = await sync({
      a,
      b,
      state,
      faults: { beforeRead: () => void seen.push(...fs.readdirSync(b)) },
    });
    expect(r.success).toBe(true);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((n) => n.startsWith('.n.ferry-tmp-'))).toBe(true);
    same(a, b);
    expect(fs.readdirSync(b)).toEqual(['n']);
    expect((await sync({ a, b, state })).message).toBe('already in sync');
  });

  test('a directory that appears at the real name meanwhile is left alone; nothing of ours lands', async () => {
    const { a, b, state } = await pair('ferry-dirsync-fast-');
    write(a, 'n/f1', 'ours 1');
    write(a, 'n/f2', 'ours 2');
    write(a, 'other.txt', 'o');
    const r = await sync({
      a,
      b,
      state,
      faults: {
        beforeRead: (_side, rel) => (rel === 'n/f1' ? write(b, 'n/theirs.txt', 'theirs') : undefined),
      },
    });
    expect(r.success).toBe(false);
    expect(r.findings.map((f) => f.message).join('\n')).toContain('b:n appeared during the sync');
    expect(fs.readdirSync(path.join(b, 'n'))).toEqual(['theirs.txt']);
    expect(fs.readdirSync(b).sort()).toEqual(['n', 'other.txt']);
    const rerun = await sync({ a, b, state });
    expect(rerun.success).toBe(true);
    expect(fs.readFileSync(path.join(a, 'n/theirs.txt'), 'utf8')).toBe('theirs');
    same(a, b);
  });

  test('a temp directory left by a killed sync is removed by the next one, never synced', async () => {
    const { a, b, state } = await pair('ferry-dirsync-fast-');
    write(b, 'p/.n.ferry-tmp-4242-deadbeef0/m/half.txt', 'half a tree');
    write(a, 'p/n/whole.txt', 'whole');
    await sync({ a, b, state });
    expect(fs.readdirSync(path.join(b, 'p'))).toEqual(['n']);
    expect(fs.existsSync(path.join(a, 'p/.n.ferry-tmp-4242-deadbeef0'))).toBe(false);
    same(a, b);
  });
});

describe('flushing before the state is written', () => {
  /** A `sync` that logs its arguments (and takes its time), then flushes. */
  function shim(root: string): { calls: string; sync: string } {
    const bin = path.join(root, 'bin');
    const calls = path.join(root, 'calls.txt');
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(
      path.join(bin, 'sync'),
      `#!/bin/sh\necho "$*" >> "${calls}"\nsleep 0.2\nexec /bin/sync "$@"\n`,
      {
        mode: 0o755,
      },
    );
    return { calls, sync: path.join(bin, 'sync') };
  }

  test('a background flush per stretch of copied bytes, one at a time; then the final one', async () => {
    const { root, a, b } = await pair('ferry-dirsync-flush-');
    const { calls, sync: cmd } = shim(root);
    const f = new Flusher([a, b], 100, cmd);
    f.copied(60);
    expect(fs.existsSync(calls)).toBe(false); // under the stretch: nothing yet
    f.copied(60); // starts a background flush
    f.copied(500); // one is running: no second one
    await f.finish();
    expect(fs.readFileSync(calls, 'utf8').trim().split('\n')).toEqual([
      `-f ${a}`,
      `-f ${b}`,
      `-f ${a}`,
      `-f ${b}`,
    ]);
  });

  test('nothing written: no flush at all', async () => {
    const { root, a, b } = await pair('ferry-dirsync-flush-');
    const { calls, sync: cmd } = shim(root);
    await new Flusher([a, b], undefined, cmd).finish();
    expect(fs.existsSync(calls)).toBe(false);
    const f = new Flusher([a, b], undefined, cmd);
    f.changed();
    await f.finish();
    expect(fs.readFileSync(calls, 'utf8').trim().split('\n')).toEqual([`-f ${a}`, `-f ${b}`]);
  });
});
