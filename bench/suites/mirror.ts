import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { silentLogger } from '../../src/core/logger.js';
import { runMirror } from '../../src/core/mirror/mirror.js';
import { mirrorSettings } from '../../src/core/mirror/settings.js';
import { cpuSeconds, CACHE, genRepo, timeMedian, type BenchRow, type Suite } from '../support.js';
import { detailsOf } from '../../src/core/report/result.js';

/**
 * Bilateral mirror on the synthetic 200k-file, 2,000-commit monorepo, both sides reached through
 * git's transport (`file://` URLs: git runs upload-pack and receive-pack as it would against a
 * server, and takes no local shortcut; the repositories allow partial-clone filters, as GitHub
 * does). Measured in the same run:
 * - fast-forward B by 20 commits, beside the transfer limit done with plain git (B's tip without
 *   blobs at depth 1, then A's new objects, then one push) and beside the seed workflow's bare
 *   clone + fetch + push;
 * - the same fast-forward with both sides given as local paths (alternates: nothing fetched);
 * - the daily no-op run (both sides equal), beside `git ls-remote` of both sides (the floor).
 * Bytes fetched are what the servers sent (counted by an `uploadpack.packObjectsHook`, in one
 * extra untimed run of each).
 *
 * Scratch repositories live on tmpfs (/dev/shm) when there is one: this machine's disk (ext4
 * mounted with `discard`) makes deleting large temporary trees take minutes. CPU time (user+sys,
 * git children included) is in the notes: the machine is shared, so wall time is noisy.
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
    1,
    setup,
  );
  return { ms, cpu: cpu / runs };
}

function git(args: string[], cwd?: string): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/**
 * Counts the bytes every upload-pack sends while `fn` runs: git runs pack-objects through the
 * hook, which tees its output into a counter. The hook is protected config, and git clears
 * GIT_CONFIG_COUNT for the upload-pack it starts for a `file://` URL, so it goes in a global
 * config file of its own (GIT_CONFIG_GLOBAL, which includes the user's), inherited by Ferry's git
 * processes and the baselines' alike.
 */
async function bytesSent(dir: string, fn: () => Promise<unknown> | unknown): Promise<number> {
  const log = path.join(dir, 'sent.log');
  const hook = path.join(dir, 'count-pack.sh');
  const config = path.join(dir, 'count-pack.gitconfig');
  writeFileSync(log, '');
  writeFileSync(
    hook,
    `#!/bin/sh\nout=$(mktemp "${dir}/pack.XXXXXX")\n"$@" >"$out"; rc=$?\nwc -c <"$out" >>"${log}"\ncat "$out"; rm -f "$out"; exit $rc\n`,
  );
  chmodSync(hook, 0o755);
  const saved = process.env.GIT_CONFIG_GLOBAL;
  const user = saved ?? path.join(os.homedir(), '.gitconfig');
  writeFileSync(config, `[include]\n\tpath = ${user}\n[uploadpack]\n\tpackObjectsHook = ${hook}\n`);
  process.env.GIT_CONFIG_GLOBAL = config;
  try {
    await fn();
  } finally {
    if (saved === undefined) delete process.env.GIT_CONFIG_GLOBAL;
    else process.env.GIT_CONFIG_GLOBAL = saved;
  }
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .reduce((n, l) => n + Number(l), 0);
}

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
const cpuNote = (x: { cpu: number }) => `${x.cpu.toFixed(1)} s CPU`;

export const mirrorSuite: Suite = {
  name: 'mirror',
  description:
    'bilateral mirror over git transport: 20-commit fast-forward vs the transfer limit and the seed; no-op',
  async run() {
    const { repo } = genRepo(200_000, 2_000);
    const a = path.join(CACHE, 'mirror-a.git');
    const b = path.join(CACHE, 'mirror-b.git');
    for (const r of [a, b]) {
      if (!existsSync(r)) git(['clone', '-q', '--bare', repo, r]);
      git(['config', 'uploadpack.allowFilter', 'true'], r);
    }
    const urlA = `file://${a}`;
    const urlB = `file://${b}`;
    const tip = git(['rev-parse', 'main'], a);
    const behind = git(['rev-parse', `main~${BEHIND}`], a);
    const resetB = () => git(['update-ref', 'refs/heads/main', behind], b);
    const overTransport = mirrorSettings({
      repoA: urlA,
      repoB: urlB,
      branches: ['main'],
      onDivergence: 'fail',
    });
    const localPaths = mirrorSettings({ repoA: a, repoB: b, branches: ['main'], onDivergence: 'fail' });

    const base = existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
    const scratch = mkdtempSync(path.join(base, 'ferry-bench-mirror-'));
    const savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = scratch;
    let ok = true;
    let k = 0;
    const work = () => path.join(scratch, `w${k++}`);
    const rmWork = () => {
      for (let i = 0; i < k; i++) rmSync(path.join(scratch, `w${i}`), { recursive: true, force: true });
    };
    const ferry = (s: typeof overTransport) => async () => {
      const [r] = await runMirror(s, silentLogger);
      ok &&= r.success && detailsOf(r, 'mirror-branch')?.state === 'a-ahead';
    };
    // The transfer limit with plain git: B's tip without blobs, A's new objects, one push.
    const limit = () => {
      const w = work();
      git(['init', '-q', '--bare', w]);
      git(['fetch', '-q', '--no-tags', '--depth=1', '--filter=blob:none', urlB, `${behind}:refs/b`], w);
      git(['fetch', '-q', '--no-tags', urlA, `${tip}:refs/a`], w);
      git(['push', '-q', urlB, `${tip}:refs/heads/main`], w);
    };
    // The seed workflow, without its work tree: bare clone of B, fetch A, push.
    const seed = () => {
      const w = work();
      git(['clone', '-q', '--bare', urlB, w]);
      git(['fetch', '-q', urlA, 'main:refs/heads/main'], w);
      git(['push', '-q', urlB, 'main'], w);
    };
    const reset = () => {
      rmWork();
      resetB();
    };
    try {
      const ferryFf = await timeWithCpu(ferry(overTransport), RUNS, reset);
      ok &&= git(['rev-parse', 'main'], b) === tip;
      const limitFf = await timeWithCpu(limit, RUNS, reset);
      ok &&= git(['rev-parse', 'main'], b) === tip;
      const seedFf = await timeWithCpu(seed, RUNS, reset);
      ok &&= git(['rev-parse', 'main'], b) === tip;
      const localFf = await timeWithCpu(ferry(localPaths), RUNS, reset);
      ok &&= git(['rev-parse', 'main'], b) === tip;

      reset();
      const ferryBytes = await bytesSent(scratch, ferry(overTransport));
      reset();
      const limitBytes = await bytesSent(scratch, limit);
      reset();
      const seedBytes = await bytesSent(scratch, seed);
      rmWork();

      git(['update-ref', 'refs/heads/main', tip], b);
      const ferryNoop = await timeWithCpu(async () => {
        const [r] = await runMirror(overTransport, silentLogger);
        ok &&= detailsOf(r, 'mirror-branch')?.state === 'equal';
      }, 5);
      const noopBytes = await bytesSent(scratch, () => runMirror(overTransport, silentLogger));
      // What a user waits for: a whole `ferry mirror` process (node start and bundle load included).
      const cli = path.resolve('dist/cli/index.js');
      const processNoop = existsSync(cli)
        ? await timeMedian(() => {
            execFileSync(
              process.execPath,
              [cli, 'mirror', '--a', urlA, '--b', urlB, '--on-divergence', 'fail'],
              {
                stdio: 'ignore',
              },
            );
          }, 5)
        : undefined;
      const lsRemote = await timeMedian(() => {
        git(['ls-remote', urlA, 'refs/heads/main']);
        git(['ls-remote', urlB, 'refs/heads/main']);
      }, 5);
      const bar = ferryFf.ms <= 1.5 * limitFf.ms && ferryFf.ms < seedFf.ms;
      return [
        {
          suite: 'mirror',
          metric: `fast-forward B by ${BEHIND} commits over file:// (200k files, 2,000 commits), wall ms`,
          value: Math.round(ferryFf.ms),
          unit: 'ms',
          baseline: { name: 'transfer limit, plain git', value: Math.round(limitFf.ms) },
          bar: '≤ 1.5× the transfer limit and < seed clone + fetch + push',
          meets: ok && bar,
          note:
            `${(ferryFf.ms / limitFf.ms).toFixed(2)}× the limit; seed bare clone + fetch + push ${Math.round(seedFf.ms)} ms; ` +
            `fetched ${mib(ferryBytes)} vs limit ${mib(limitBytes)} vs seed ${mib(seedBytes)}; ` +
            `${cpuNote(ferryFf)} vs ${cpuNote(limitFf)} vs ${cpuNote(seedFf)} per run; ` +
            `${ok ? 'B ends at A’s tip every run' : 'a run did not end in sync'}`,
        },
        {
          suite: 'mirror',
          metric: `fast-forward B by ${BEHIND} commits, both sides local paths (alternates), wall ms`,
          value: Math.round(localFf.ms),
          unit: 'ms',
          baseline: { name: 'seed over file://', value: Math.round(seedFf.ms) },
          note: `nothing fetched; ${cpuNote(localFf)} per run`,
        },
        {
          suite: 'mirror',
          metric: 'no-op run over file://, both sides equal (daily safety net), wall ms',
          value: Math.round(ferryNoop.ms),
          unit: 'ms',
          baseline: { name: 'git ls-remote of both sides', value: Math.round(lsRemote) },
          bar: '< 500 ms',
          meets: ferryNoop.ms < 500 && noopBytes === 0,
          note: `fetched ${noopBytes} bytes; ${cpuNote(ferryNoop)} per run`,
        },
        ...(processNoop === undefined
          ? []
          : [
              {
                suite: 'mirror',
                metric: 'no-op run as a whole process (node dist/cli/index.js mirror, over file://), wall ms',
                value: Math.round(processNoop),
                unit: 'ms',
                baseline: { name: 'git ls-remote of both sides', value: Math.round(lsRemote) },
                bar: '< 500 ms',
                meets: processNoop < 500,
                note: 'node start and loading the bundle included: what a workflow step or a terminal waits for',
              },
            ]),
      ] satisfies BenchRow[];
    } finally {
      if (savedTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTmp;
      execFileSync('rm', ['-rf', scratch]);
    }
  },
};
