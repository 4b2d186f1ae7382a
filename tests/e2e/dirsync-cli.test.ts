import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, runCli } from '../support/run-action.js';
import { cleanupTmp } from '../support/tmp.js';
import { pair, snapshot, sorted, write } from '../integration/dirsync-support.js';

afterAll(cleanupTmp);

test('ferry dirsync --json: the shared report shape, then a no-op', async () => {
  const { a, b, state } = await pair('ferry-dirsync-cli-', 'sync.json');
  write(a, 'src/main.py', 'print(1)\n');
  write(b, '.config/x.yml', 'k: v\n');
  const r = await runCli(['dirsync', a, b, '--state', state, '--json']);
  expect(r.exitCode).toBe(0);
  const report = JSON.parse(r.stdout);
  expect(report).toMatchObject({ tool: 'ferry', command: 'dirsync', total_targets: 1, successful: 1 });
  expect(report.results[0]).toMatchObject({
    kind: 'dirsync',
    direction: 'bidirectional',
    success: true,
    changed: true,
    counts: { copied_to_a: 1, copied_to_b: 1, conflicts: 0 },
    details: { state, log: path.join(path.dirname(state), 'sync.log.jsonl'), conflicts: [] },
  });
  const again = JSON.parse((await runCli(['dirsync', a, b, '--state', state, '--json'])).stdout);
  expect(again.results[0].changed).toBe(false);
  expect(fs.readFileSync(path.join(a, '.config/x.yml'), 'utf8')).toBe('k: v\n');
});

test('what a sync wrote is flushed (sync -f on each side) before the state is written; a no-op flushes nothing', async () => {
  const { root, a, b, state } = await pair('ferry-dirsync-cli-', 'sync.json');
  write(a, 'src/main.py', 'print(1)\n');
  // A `sync` first on PATH that logs its arguments and whether the state existed yet, then flushes.
  const bin = path.join(root, 'bin');
  const calls = path.join(root, 'sync-calls.txt');
  fs.mkdirSync(bin);
  fs.writeFileSync(
    path.join(bin, 'sync'),
    `#!/bin/sh\nif [ -e "${state}" ]; then s=yes; else s=no; fi\necho "$* state=$s" >> "${calls}"\nexec /bin/sync "$@"\n`,
    { mode: 0o755 },
  );
  const env = { PATH: `${bin}:${process.env.PATH}` };
  expect((await runCli(['dirsync', a, b, '--state', state], { env })).exitCode).toBe(0);
  expect(fs.readFileSync(calls, 'utf8').trim().split('\n')).toEqual([`-f ${a} state=no`, `-f ${b} state=no`]);
  expect(fs.existsSync(state)).toBe(true);
  expect((await runCli(['dirsync', a, b, '--state', state], { env })).exitCode).toBe(0);
  expect(fs.readFileSync(calls, 'utf8').trim().split('\n')).toHaveLength(2);
});

test('exit codes: 1 for an unresolved conflict or a missing side, 2 for a usage error', async () => {
  const { root, a, b, state } = await pair('ferry-dirsync-cli-', 'sync.json');
  write(a, 'f.txt', 'a');
  write(b, 'f.txt', 'bb');
  const fail = await runCli(['dirsync', a, b, '--state', state, '--conflict', 'fail']);
  expect(fail.exitCode).toBe(1);
  expect(fail.stdout).toContain('f.txt differs between a and b');
  const missing = await runCli(['dirsync', a, path.join(root, 'unplugged'), '--state', state]);
  expect(missing.exitCode).toBe(1);
  expect(missing.stdout).toContain('disconnected');
  const bad = await runCli(['dirsync', a, b, '--conflict', 'coin-toss']);
  expect(bad.exitCode).toBe(2);
  expect(bad.stderr).toContain("Invalid conflict policy 'coin-toss'");
  expect((await runCli(['dirsync', a])).exitCode).toBe(2);
});

test('--dry-run lists the plan and writes nothing', async () => {
  const { a, b, state } = await pair('ferry-dirsync-cli-', 'sync.json');
  write(a, 'x/y.txt', 'y');
  const r = await runCli(['dirsync', a, b, '--state', state, '--dry-run', '--direction', 'a-to-b']);
  expect(r.exitCode).toBe(0);
  expect(r.stdout).toMatch(/copy\ta->b\tx\/y\.txt/);
  expect(r.stdout).toContain('dry run');
  expect(fs.readdirSync(b)).toEqual([]);
});

test('a sync killed with SIGKILL leaves no half-written file, and a rerun converges', async () => {
  const { a, b, state } = await pair('ferry-dirsync-cli-', 'sync.json');
  const chunk = randomBytes(128 * 1024);
  for (let i = 0; i < 600; i++) write(a, `d${i % 20}/f${i}.bin`, chunk.toString('base64') + i);
  const child = spawn(
    process.execPath,
    [path.join(REPO_ROOT, 'dist/cli/index.js'), 'dirsync', a, b, '--state', state],
    {
      stdio: 'ignore',
    },
  );
  const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_c, sig) => r(sig)));
  // The sync renames temp files while this polls: a walk that meets a vanished file just counts again.
  const copied = () => {
    try {
      return fs.existsSync(b) ? [...snapshot(b).keys()].filter((p) => p.endsWith('.bin')).length : 0;
    } catch {
      return 0;
    }
  };
  for (let i = 0; i < 3000 && copied() < 20 && child.exitCode === null; i++)
    await new Promise((r) => setTimeout(r, 5));
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  const want = snapshot(a);
  const got = snapshot(b);
  expect(got.size).toBeLessThan(want.size + 50);
  for (const [p, v] of got) {
    if (p.includes('.ferry-tmp-') || v === 'D') continue;
    expect(v).toBe(want.get(p)); // every file under its real name is whole
  }
  const rerun = await runCli(['dirsync', a, b, '--state', state, '--json']);
  expect(rerun.exitCode).toBe(0);
  expect(sorted(snapshot(b))).toEqual(sorted(snapshot(a)));
});

describe('safety through the CLI', () => {
  /** A pair synced once with the state in B (the default), and what B holds. */
  async function syncedPair(n: number) {
    const p = await pair('ferry-dirsync-cli-');
    for (let i = 0; i < n; i++) write(p.a, `docs/f${i}.txt`, `file ${i}`);
    expect((await runCli(['dirsync', p.a, p.b])).exitCode).toBe(0);
    return { ...p, files: () => fs.readdirSync(path.join(p.b, 'docs')).sort() };
  }

  test('A vanished: --force is refused naming the two decisions; --create-missing-side fills A and B keeps everything', async () => {
    const { a, b, files } = await syncedPair(6);
    fs.rmSync(a, { recursive: true });
    const missing = await runCli(['dirsync', a, b]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stdout).toContain('pass --create-missing-side to create it');
    const forced = await runCli(['dirsync', a, b, '--force']);
    expect(forced.exitCode).toBe(2);
    expect(forced.stderr).toMatch(/no longer takes --force.*--create-missing-side.*--allow-mass-delete/s);
    expect(files()).toHaveLength(6);
    const created = await runCli(['dirsync', a, b, '--create-missing-side', '--json']);
    expect(created.exitCode).toBe(0);
    const r = JSON.parse(created.stdout).results[0];
    expect(r.counts).toMatchObject({ copied_to_a: 6, deleted: 0 });
    expect(r.findings).toMatchObject([{ code: 'dirsync-side-refilled' }]);
    expect(files()).toHaveLength(6);
    expect(fs.readdirSync(path.join(a, 'docs')).sort()).toEqual(files());
  });

  test('a side that kept only an empty lost+found is refused (exit 1) and the other side keeps its files', async () => {
    const { a, b, files } = await syncedPair(3);
    fs.rmSync(a, { recursive: true });
    fs.mkdirSync(path.join(a, 'lost+found'), { recursive: true });
    const r = await runCli(['dirsync', a, b]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('looks wiped: 3 of the 3 files');
    expect(r.stdout).toContain('--allow-mass-delete');
    expect(files()).toHaveLength(3);
    expect((await runCli(['dirsync', a, b, '--create-missing-side', '--allow-mass-delete'])).exitCode).toBe(
      2,
    );
  });

  test('the sync log replaced by a link to a file outside both trees: exit 2, that file untouched', async () => {
    const { root, a, b } = await syncedPair(1);
    const outside = path.join(root, 'victim.txt');
    fs.writeFileSync(outside, 'precious\n');
    fs.rmSync(path.join(b, '.ferry-dirsync-log.jsonl'));
    fs.symlinkSync(outside, path.join(b, '.ferry-dirsync-log.jsonl'));
    write(a, 'docs/new.txt', 'new');
    const r = await runCli(['dirsync', a, b]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('is a symbolic link');
    expect(fs.readFileSync(outside, 'utf8')).toBe('precious\n');
  });

  test('B a link into A: exit 2 (overlap), nothing nested', async () => {
    const { root, a } = await pair('ferry-dirsync-cli-');
    write(a, 'sub/f.txt', 'f');
    fs.symlinkSync(path.join(a, 'sub'), path.join(root, 'B-link'));
    const r = await runCli(['dirsync', a, path.join(root, 'B-link')]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('overlap');
    expect(sorted(snapshot(a)).map(([p]) => p)).toEqual(['sub', 'sub/f.txt']);
  });

  test('a file name with byte 0xff syncs byte for byte; the text output shows the byte as \\xff', async () => {
    const { a, b, state } = await pair('ferry-dirsync-cli-', 'sync.json');
    const name = Buffer.from('report-\xff.txt', 'latin1');
    fs.writeFileSync(Buffer.concat([Buffer.from(a + '/'), name]), 'bytes');
    const dry = await runCli(['dirsync', a, b, '--state', state, '--dry-run']);
    expect(dry.stdout).toContain('copy\ta->b\treport-\\xff.txt');
    expect((await runCli(['dirsync', a, b, '--state', state])).exitCode).toBe(0);
    const there = fs.readdirSync(b, { encoding: 'buffer' });
    expect(there).toHaveLength(1);
    expect(there[0].equals(name)).toBe(true);
    expect(fs.readFileSync(Buffer.concat([Buffer.from(b + '/'), name]), 'utf8')).toBe('bytes');
    expect((await runCli(['dirsync', a, b, '--state', state])).stdout).toContain('already in sync');
  });

  test('--help names both decisions', async () => {
    const r = await runCli(['dirsync', '--help']);
    expect(r.stdout).toContain('--create-missing-side');
    expect(r.stdout).toContain('--allow-mass-delete');
    expect(r.stdout).not.toContain('--force');
  });
});
