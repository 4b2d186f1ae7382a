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
    counts: { copiedToA: 1, copiedToB: 1, conflicts: 0 },
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
