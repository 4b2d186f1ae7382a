import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleCli, CACHE, median, type BenchRow, type Suite } from '../support.js';

/**
 * Issue 8 bars on 100k files in ~6k directories: no-change rescan ≤ 1.5 s, 10 changes on each
 * side ≤ 1.5 s, first sync no slower than `cp -a`; each beside Unison and `rsync -a --delete`
 * measured in the same run. Every tool runs as a process (ferry as the ncc-bundled CLI, built
 * from lib/ into .bench/dirsync-100k/cli), wall time from spawn to exit.
 */
const FILES = 100_000;
const TOP = 60;
const SUB = 100; // 60 × 100 leaf directories + 60 = 6,060 directories
const WORK = path.join(CACHE, 'dirsync-100k');
const SRC = path.join(WORK, 'src');

/** Deterministic layout, random content (100 B – 4 KiB), a few hidden files. Reused between runs. */
export function genTree(): string {
  const marker = path.join(WORK, 'src.complete');
  if (fs.existsSync(marker)) return SRC;
  fs.rmSync(WORK, { recursive: true, force: true });
  process.stderr.write(`bench: dirsync: generating ${FILES} files under ${SRC}\n`);
  const pool = randomBytes(1 << 20);
  for (let k = 0; k < FILES; k++) {
    const leaf = k % (TOP * SUB);
    const dir = path.join(
      SRC,
      `d${String(Math.floor(leaf / SUB)).padStart(2, '0')}`,
      `s${String(leaf % SUB).padStart(3, '0')}`,
    );
    if (k < TOP * SUB) fs.mkdirSync(dir, { recursive: true });
    const size = 100 + ((k * 7919) % 3900);
    const off = (k * 104729) % (pool.length - size);
    fs.writeFileSync(
      path.join(dir, k % 997 === 0 ? `.hidden${k}` : `f${k}.txt`),
      pool.subarray(off, off + size),
    );
  }
  fs.writeFileSync(marker, new Date().toISOString());
  return SRC;
}

function ensureTools(): void {
  const missing = ['unison', 'rsync'].filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
  if (missing.length) execFileSync('apt-get', ['install', '-y', ...missing], { stdio: 'inherit' });
}

function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv, okCodes = [0]): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { env: env ?? process.env, encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = performance.now() - t0;
  if (!okCodes.includes(r.status ?? -1))
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return ms;
}

let FERRY = '';
/** Per-phase wall times of the last ferry run (details.phasesMs), for the note. */
let lastPhases = '';
const ferry = (a: string, b: string, state: string) => {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [FERRY, 'dirsync', a, b, '--state', state, '--json'], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`ferry dirsync exited ${r.status}: ${r.stderr.slice(-2000)}`);
  const phases = JSON.parse(r.stdout).results[0].details.phasesMs as Record<string, number>;
  lastPhases = Object.entries(phases)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return ms;
};
const unisonEnv = {
  ...process.env,
  UNISON: path.join(WORK, 'unison-home'),
  HOME: path.join(WORK, 'unison-home'),
};
const unison = (a: string, b: string) =>
  run(
    'unison',
    [a, b, '-batch', '-auto', '-times', '-perms', '0', '-ui', 'text', '-confirmbigdel=false'],
    unisonEnv,
  );
const rsync = (a: string, b: string) => run('rsync', ['-a', '--delete', `${a}/`, `${b}/`]);

/** Ten changed files on a side: new content of a new size, so every tool must move them. */
function changeTen(root: string, round: number, salt: string): void {
  for (let i = 0; i < 10; i++) {
    const k = (round * 1000 + i * 97 + (salt === 'a' ? 0 : 50)) % FILES;
    const leaf = k % (TOP * SUB);
    const rel = `d${String(Math.floor(leaf / SUB)).padStart(2, '0')}/s${String(leaf % SUB).padStart(3, '0')}/edit-${salt}-${k}.txt`;
    fs.writeFileSync(path.join(root, rel), `${salt} round ${round} ${'x'.repeat(round + i)}\n`);
  }
}

function fresh(dir: string): string {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

export const dirsyncSuite: Suite = {
  name: 'dirsync',
  description:
    '100k files / 6k dirs: first sync, no-change rescan, 10 changes a side; vs cp -a, rsync, Unison',
  async run() {
    ensureTools();
    const src = genTree();
    FERRY = bundleCli();
    const runs = Number(process.env.DIRSYNC_BENCH_RUNS ?? 3);
    // The first sync is disk-bound and the disk is noisy: more rounds for its median.
    const firstRuns = Number(process.env.DIRSYNC_BENCH_FIRST_RUNS ?? 5);
    // Everything this run writes lives under RUN, made anew. On this disk (ext4 with `discard`),
    // creating files gets several times more expensive in kernel time after big deletions
    // (measured: a `cp -a` right after `rm -rf` of the previous copy, 35.3 s; before it, 4–5 s).
    // So the old run is deleted first, the three A sides are copied untimed, and no timed run
    // follows a deletion: each first sync writes into a new directory, kept until the next run.
    const RUN = path.join(WORK, 'run');
    fs.rmSync(RUN, { recursive: true, force: true });
    // Earlier layouts of this suite kept their copies here.
    for (const old of ['ferry-a', 'ferry-b', 'rsync-a', 'rsync-b', 'unison-a', 'unison-b', 'cp-b'])
      fs.rmSync(path.join(WORK, old), { recursive: true, force: true });
    fs.mkdirSync(RUN, { recursive: true });
    const sideA = (name: string) => {
      const a = path.join(RUN, `${name}-a`);
      execFileSync('cp', ['-a', src, a]);
      return a;
    };
    const aF = sideA('ferry');
    const aU = sideA('unison');
    const aR = sideA('rsync');
    const into = (tool: string, i: number) => {
      const b = path.join(RUN, `first-${tool}-${i}`);
      fs.mkdirSync(b);
      return b;
    };

    // First sync into a new, empty B, alternating tools so drift hits all of them alike; each run
    // starts after `sync`, so the previous run's writeback does not land on the next tool.
    const settle = () => spawnSync('sync');
    const first: Record<string, number[]> = { ferry: [], cp: [], rsync: [], unison: [] };
    let F = { a: aF, b: '', state: '' };
    let R = { a: aR, b: '' };
    const U = { a: aU, b: path.join(RUN, 'unison-b') };
    for (let i = 0; i < firstRuns; i++) {
      const fb = into('ferry', i);
      F = { a: aF, b: fb, state: `${fb}.state.json` };
      settle();
      first.ferry.push(ferry(F.a, F.b, F.state));
      settle();
      first.cp.push(run('cp', ['-a', src, path.join(RUN, `first-cp-${i}`)]));
      R = { a: aR, b: into('rsync', i) };
      settle();
      first.rsync.push(rsync(R.a, R.b));
      if (i === 0) {
        // Unison's first sync is slow (it fingerprints everything): measured once.
        fs.mkdirSync(U.b);
        fresh(unisonEnv.UNISON);
        settle();
        first.unison.push(unison(U.a, U.b));
      }
    }
    // The rescans and changes use each tool's last first-sync pair.
    // No-change rescan.
    const phases = { first: lastPhases, rescan: '', ten: '' };
    const rescan: Record<string, number[]> = { ferry: [], rsync: [], unison: [] };
    for (let i = 0; i < runs + 2; i++) {
      rescan.ferry.push(ferry(F.a, F.b, F.state));
      rescan.rsync.push(rsync(R.a, R.b));
      rescan.unison.push(unison(U.a, U.b));
    }
    phases.rescan = lastPhases;
    // 10 changes on each side (rsync is one-way: it copies A's ten and overwrites B's ten).
    const ten: Record<string, number[]> = { ferry: [], rsync: [], unison: [] };
    for (let i = 0; i < runs + 2; i++) {
      for (const p of [F, R, U]) {
        changeTen(p.a, i + 1, 'a');
        changeTen(p.b, i + 1, 'b');
      }
      ten.ferry.push(ferry(F.a, F.b, F.state));
      ten.rsync.push(rsync(R.a, R.b));
      ten.unison.push(unison(U.a, U.b));
    }
    phases.ten = lastPhases;
    const identical = spawnSync('diff', ['-r', '-q', F.a, F.b, '-x', '*.state*']).status === 0;
    const m = (xs: number[]) => Math.round(median(xs));
    const sec = (ms: number) => (ms / 1000).toFixed(2);
    const note = (xs: Record<string, number[]>) =>
      Object.entries(xs)
        .map(
          ([k, v]) =>
            `${k} ${sec(median(v))} s` +
            (v.length > 1 ? ` (${sec(Math.min(...v))}–${sec(Math.max(...v))})` : ''),
        )
        .join(', ');
    return [
      {
        suite: 'dirsync',
        metric: `first sync, ${FILES} files (median of ${firstRuns}; Unison 1 run)`,
        value: m(first.ferry),
        unit: 'ms',
        baseline: { name: 'cp -a', value: m(first.cp) },
        bar: 'no slower than cp -a',
        meets: median(first.ferry) <= median(first.cp),
        note: `${note(first)}; ferry phases (ms, last run): ${phases.first}`,
      },
      {
        suite: 'dirsync',
        metric: `no-change rescan (median of ${runs + 2})`,
        value: m(rescan.ferry),
        unit: 'ms',
        baseline: { name: 'Unison', value: m(rescan.unison) },
        bar: '≤ 1.5 s',
        meets: median(rescan.ferry) <= 1500,
        note: `${note(rescan)}; ferry phases (ms, last run): ${phases.rescan}`,
      },
      {
        suite: 'dirsync',
        metric: `10 changes on each side (median of ${runs + 2})`,
        value: m(ten.ferry),
        unit: 'ms',
        baseline: { name: 'Unison', value: m(ten.unison) },
        bar: '≤ 1.5 s',
        meets: median(ten.ferry) <= 1500,
        note: `${note(ten)}; ferry sides identical after: ${identical}; ferry phases (ms, last run): ${phases.ten}`,
      },
    ] satisfies BenchRow[];
  },
};
