import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const CACHE = path.join(ROOT, '.bench');

export interface BenchRow {
  suite: string;
  metric: string;
  /** Ferry's median. */
  value: number;
  unit: string;
  /** The baseline measured in the same run, same unit. */
  baseline?: { name: string; value: number };
  /** The bar from the issue, as text, and whether this run meets it. */
  bar?: string;
  meets?: boolean;
  note?: string;
}

export interface Suite {
  name: string;
  description: string;
  run(): Promise<BenchRow[]>;
}

/**
 * Where the `shared` folder beside the repository may be: `../shared` from the repository root,
 * and, in a linked worktree (`git worktree add`), `../shared` from the main worktree.
 */
export function sharedDirs(): string[] {
  const dirs = [path.join(ROOT, '../shared')];
  try {
    const common = execFileSync(
      'git',
      ['-C', ROOT, 'rev-parse', '--path-format=absolute', '--git-common-dir'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    ).trim();
    dirs.push(path.join(path.dirname(common), '../shared'));
  } catch {
    // not a git checkout: ../shared only
  }
  return [...new Set(dirs)];
}

/** The synthetic monorepo from ../shared/bench/gen_repo.py, cached under .bench/. */
export function genRepo(files: number, commits: number, seed = 17): { repo: string; allowlist: string } {
  const name = `repo-${files}-${commits}-${seed}`;
  const repo = path.join(CACHE, name);
  const allowlist = `${repo}.allowlist`;
  if (!existsSync(allowlist)) {
    mkdirSync(CACHE, { recursive: true });
    const gen = [...sharedDirs(), path.join(ROOT, 'shared')]
      .map((d) => path.join(d, 'bench/gen_repo.py'))
      .find(existsSync);
    if (!gen)
      throw new Error('gen_repo.py not found: expected ../shared/bench/gen_repo.py beside the repository');
    execFileSync('rm', ['-rf', repo]);
    execFileSync(
      'python3',
      [gen, repo, '--files', String(files), '--commits', String(commits), '--seed', String(seed)],
      { stdio: 'inherit' },
    );
  }
  return { repo, allowlist };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Run fn `runs` times (after `warmup` untimed runs); the median in milliseconds. */
export async function timeMedian(
  fn: () => Promise<unknown> | unknown,
  runs = 5,
  warmup = 1,
  setup?: () => Promise<unknown> | unknown,
): Promise<number> {
  for (let i = 0; i < warmup; i++) {
    await setup?.();
    await fn();
  }
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    await setup?.();
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** Run a command; wall time in ms and peak RSS in MiB (GNU time when present). */
export function timeCommand(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): { ms: number; peakMiB?: number; stdout: string } {
  const useTime = existsSync('/usr/bin/time');
  const t0 = performance.now();
  const r = useTime
    ? spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], {
        cwd: opts.cwd,
        env: opts.env ?? process.env,
        encoding: 'utf8',
        maxBuffer: 1 << 30,
      })
    : spawnSync(cmd, args, {
        cwd: opts.cwd,
        env: opts.env ?? process.env,
        encoding: 'utf8',
        maxBuffer: 1 << 30,
      });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  let peakMiB: number | undefined;
  if (useTime) {
    const lines = r.stderr.trim().split('\n');
    peakMiB = Number(lines[lines.length - 1]) / 1024;
  }
  return { ms, peakMiB, stdout: r.stdout };
}

/**
 * Ferry as users run it: the CLI bundled by ncc (one file; the unbundled lib/ CLI spends
 * ~0.2 s more loading modules). Bundled privately under .bench/, never over dist/.
 */
let bundled: string | undefined;

export function bundleCli(): string {
  // A bundle built elsewhere (e.g. the previous version's dist/cli, for a before/after comparison).
  if (process.env.FERRY_BENCH_CLI) return process.env.FERRY_BENCH_CLI;
  if (bundled) return bundled;
  const out = path.join(CACHE, 'cli');
  const tmp = `${out}.tmp-${process.pid}`;
  try {
    rmSync(tmp, { recursive: true, force: true });
    execFileSync(
      process.execPath,
      [
        path.join(ROOT, 'node_modules/@vercel/ncc/dist/ncc/cli.js'),
        'build',
        path.join(ROOT, 'lib/src/entries/cli.js'),
        '-o',
        tmp,
        '-q',
        '--target',
        'es2022',
      ],
      { stdio: 'inherit' },
    );
    writeFileSync(path.join(tmp, 'package.json'), '{ "type": "module" }\n');
    rmSync(out, { recursive: true, force: true });
    renameSync(tmp, out);
    bundled = path.join(out, 'index.js');
    return bundled;
  } catch (e) {
    process.stderr.write(`bench: ncc bundle failed (${(e as Error).message}); timing lib/ instead\n`);
    return path.join(ROOT, 'lib/src/entries/cli.js');
  }
}

/**
 * CPU seconds used so far by this process and its reaped children (the git processes), from
 * /proc/self/stat: on a shared 2-core machine wall time is noisy, CPU time much less. NaN elsewhere.
 */
export function cpuSeconds(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime, stime, cutime, cstime (fields 14-17 of proc(5)), in clock ticks (100 per second).
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
  } catch {
    return NaN;
  }
}
