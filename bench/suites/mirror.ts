import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { silentLogger } from '../../src/core/logger.js';
import { runMirror } from '../../src/core/mirror/mirror.js';
import { mirrorSettings } from '../../src/core/mirror/settings.js';
import { cpuSeconds, CACHE, genRepo, timeMedian, type BenchRow, type Suite } from '../support.js';
import { detailsOf } from '../../src/core/report/result.js';

/**
 * Bilateral mirror on the synthetic 200k-file, 2,000-commit monorepo (local bare repos, so the
 * figures are git + Ferry, not the network):
 * - fast-forward B by 20 commits, beside what the seed workflow does (full clone with checkout,
 *   pull the other side, push) measured in the same run;
 * - the daily no-op run (both sides equal), beside `git ls-remote` of both sides (the floor).
 *
 * Work trees and Ferry's scratch repo live on tmpfs (/dev/shm) when there is one: on this machine's
 * disk (ext4 mounted with `discard`) deleting the seed's 200k-file checkout took 277 s per run,
 * which kept the suite from finishing. tmpfs favours the seed (its checkout writes 200k files;
 * Ferry writes one pack), so the ratio is conservative. CPU time (user+sys, git children
 * included) is in the notes: the machine is shared, so wall time is noisy.
 */
const BEHIND = 20;
const RUNS = 3;

/** Like timeMedian, and the mean CPU seconds of the timed runs. */
async function timeWithCpu(
  fn: () => Promise<unknown> | unknown,
  runs: number,
  setup?: () => unknown,
): Promise<{ ms: number; cpu: number }> {
  let cpu = 0;
  const ms = await timeMedian(
    async () => {
      const c0 = cpuSeconds();
      await fn();
      cpu += cpuSeconds() - c0;
    },
    runs,
    0,
    setup,
  );
  return { ms, cpu: cpu / runs };
}

const cpuNote = (x: { cpu: number }) => `${x.cpu.toFixed(1)} s CPU`;

function git(args: string[], cwd?: string): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

export const mirrorSuite: Suite = {
  name: 'mirror',
  description: 'bilateral mirror: fast-forward and no-op runs on the 200k-file repo vs the seed workflow',
  async run() {
    const { repo } = genRepo(200_000, 2_000);
    const a = path.join(CACHE, 'mirror-a.git');
    const b = path.join(CACHE, 'mirror-b.git');
    if (!existsSync(a)) git(['clone', '-q', '--bare', repo, a]);
    if (!existsSync(b)) git(['clone', '-q', '--bare', repo, b]);
    const tip = git(['rev-parse', 'main'], a);
    const behind = git(['rev-parse', `main~${BEHIND}`], a);
    const resetB = () => git(['update-ref', 'refs/heads/main', behind], b);
    const settings = { ...mirrorSettings({ repoA: a, repoB: b, branches: ['main'], onDivergence: 'fail' }) };

    // Same filesystem for both sides of the comparison: Ferry's scratch repo goes under TMPDIR.
    const base = existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
    const scratch = mkdtempSync(path.join(base, 'ferry-bench-mirror-'));
    const savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = scratch;
    let ok = true;
    let k = 0;
    const rmWork = () => execFileSync('rm', ['-rf', path.join(scratch, 'seed')]);
    try {
      const ferryFf = await timeWithCpu(
        async () => {
          const [r] = await runMirror(settings, silentLogger);
          ok &&= r.success && detailsOf(r, 'mirror-branch')?.state === 'a-ahead';
        },
        RUNS,
        resetB,
      );
      ok &&= git(['rev-parse', 'main'], b) === tip;

      // The seed: actions/checkout (fetch-depth 0) of one side, git pull the other, git push.
      // Work trees are removed before the next run, untimed: deleting 200k files is part of neither.
      const seedFf = await timeWithCpu(
        () => {
          const work = path.join(scratch, 'seed', String(k++));
          git(['clone', '-q', '--no-local', b, work]);
          git(['-c', 'user.name=x', '-c', 'user.email=x@x', 'pull', '-q', '--ff-only', a, 'main'], work);
          git(['push', '-q', b, 'HEAD:main'], work);
        },
        RUNS,
        () => {
          rmWork();
          resetB();
        },
      );
      rmWork();
      ok &&= git(['rev-parse', 'main'], b) === tip;

      git(['update-ref', 'refs/heads/main', tip], b);
      const ferryNoop = await timeWithCpu(async () => {
        const [r] = await runMirror(settings, silentLogger);
        ok &&= detailsOf(r, 'mirror-branch')?.state === 'equal';
      }, 5);
      const lsRemote = await timeMedian(() => {
        git(['ls-remote', a, 'refs/heads/main']);
        git(['ls-remote', b, 'refs/heads/main']);
      }, 5);
      return rows(ferryFf, seedFf, ferryNoop, lsRemote, ok);
    } finally {
      if (savedTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTmp;
      execFileSync('rm', ['-rf', scratch]);
    }
  },
};

function rows(
  ferryFf: { ms: number; cpu: number },
  seedFf: { ms: number; cpu: number },
  ferryNoop: { ms: number; cpu: number },
  lsRemote: number,
  ok: boolean,
): BenchRow[] {
  return [
    {
      suite: 'mirror',
      metric: `fast-forward B by ${BEHIND} commits (200k files, 2,000 commits), wall ms`,
      value: Math.round(ferryFf.ms),
      unit: 'ms',
      baseline: { name: 'seed: clone + pull + push', value: Math.round(seedFf.ms) },
      meets: ok,
      note: `${ok ? 'B ends at A’s tip every run' : 'a run did not end in sync'}; ${cpuNote(ferryFf)} vs ${cpuNote(seedFf)} per run`,
    },
    {
      suite: 'mirror',
      metric: 'no-op run, both sides equal (daily safety net), wall ms',
      value: Math.round(ferryNoop.ms),
      unit: 'ms',
      baseline: { name: 'git ls-remote of both sides', value: Math.round(lsRemote) },
      note: `${cpuNote(ferryNoop)} per run`,
    },
  ];
}
