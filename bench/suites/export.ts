import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compileAllowlist, parseAllowlistStrict } from '../../src/core/allowlist/index.js';
import { bundleCli, genRepo, median, timeCommand, type BenchRow, type Suite } from '../support.js';

/**
 * Bars on the 200k-file synthetic repo (≈72k files selected), each beside a figure measured in the
 * same run:
 *  - first export to a local bare repo, end to end (push included) ≤ 6 s, beside the copy-based
 *    baseline (wipe the target checkout, copy the selected files, `git add -A`, commit, push);
 *  - Ferry's own work without the push (read, filter, build tree + commit; a dry run) ≤ 3 s;
 *  - re-export after the repo's own last 10 commits (renames, deletions and additions, as
 *    gen_repo.py makes them) ≤ 0.15 of the first export (issue 16): the target holds Ferry's export
 *    of HEAD~10, the source moves to HEAD;
 *  - beside it, re-export after 10 commits that only modify files (made on a shared clone).
 * Ferry runs as a process (`ferry export`, the ncc-bundled CLI as users run it), so wall time
 * includes Node start-up and the leak gates, and peak RSS is measured. The cache is never touched.
 */

const RUNS = Number(process.env.FERRY_BENCH_RUNS ?? 3);

function sh(cmd: string, args: string[], cwd?: string, input?: string): string {
  return execFileSync(cmd, args, {
    cwd,
    input,
    maxBuffer: 1 << 30,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

function ferryExport(source: string, target: string, allowlist: string, extra: string[] = []) {
  const r = timeCommand('node', [
    bundleCli(),
    'export',
    '--source',
    source,
    '--target',
    target,
    '--allowlist',
    allowlist,
    '--json',
    ...extra,
  ]);
  const report = JSON.parse(r.stdout) as {
    results: {
      success: boolean;
      details: { timings: Record<string, number>; incremental?: boolean; full_path?: string };
    }[];
  };
  const res = report.results[0];
  if (!res.success) throw new Error(`ferry export failed: ${r.stdout.slice(0, 2000)}`);
  const how = res.details.incremental ? 'incremental' : `full path (${res.details.full_path ?? '?'})`;
  return { ms: r.ms, peakMiB: r.peakMiB, timings: res.details.timings, how };
}

/**
 * The copy-based baseline: wipe the checkout, copy the selected files, add -A, commit, push.
 * Returns the time without the push (the part comparable to Ferry's own work) and the total.
 */
function baseline(srcTree: string, checkout: string, listFile: string, overlay?: () => void) {
  const t0 = performance.now();
  sh('find', [
    checkout,
    '-mindepth',
    '1',
    '-maxdepth',
    '1',
    '!',
    '-name',
    '.git',
    '-exec',
    'rm',
    '-rf',
    '{}',
    '+',
  ]);
  execFileSync('sh', [
    '-c',
    `tar -C "$1" --null -T "$2" -cf - | tar -C "$3" -xf -`,
    'sh',
    srcTree,
    listFile,
    checkout,
  ]);
  overlay?.();
  sh('git', ['add', '-A'], checkout);
  sh(
    'git',
    ['-c', 'user.name=b', '-c', 'user.email=b@b', 'commit', '-q', '--allow-empty', '-m', 'baseline'],
    checkout,
  );
  const own = performance.now() - t0;
  sh('git', ['push', '-q', 'origin', 'HEAD:main'], checkout);
  return { own, total: performance.now() - t0 };
}

const progress = (msg: string) => process.stderr.write(`  export bench: ${msg}\n`);

function row(metric: string, ms: number, base: number, bar: number, note?: string): BenchRow {
  return {
    suite: 'export',
    metric,
    value: Math.round(ms),
    unit: 'ms',
    baseline: {
      name: 'copy + git add -A + commit' + (metric.includes('without') ? '' : ' + push'),
      value: Math.round(base),
    },
    bar: `≤ ${bar} ms`,
    meets: ms <= bar,
    note,
  };
}

export const exportSuite: Suite = {
  name: 'export',
  description: 'first export, own work and re-export on the 200k-file repo vs the copy-based baseline',
  async run() {
    const { repo, allowlist } = genRepo(200_000, 2_000);
    const work = mkdtempSync(path.join(os.tmpdir(), 'ferry-bench-export-'));
    try {
      const paths = sh('git', ['-C', repo, 'ls-tree', '-r', '-z', '--name-only', 'HEAD'])
        .split('\0')
        .filter(Boolean);
      const selected = compileAllowlist(
        parseAllowlistStrict(readFileSync(allowlist, 'utf8'), allowlist),
      ).filter(paths);
      const listFile = path.join(work, 'selected.list');
      writeFileSync(listFile, selected.join('\0') + '\0');
      const target = path.join(work, 'target.git');
      // Deleting or copying a 40 MB target leaves writeback (and, on ext4, discard) work that would
      // land inside the next timed run: flush it before timing (as the dirsync bench does).
      const settle = () => spawnSync('sync');
      const fresh = () => {
        rmSync(target, { recursive: true, force: true });
        sh('git', ['init', '-q', '--bare', '-b', 'main', target]);
        settle();
      };

      /** Export `from` once (the seed, kept), then time exports of `to` onto copies of the seed. */
      const reExport = (from: string, to: string) => {
        const seeded = path.join(work, 'seeded.git');
        rmSync(seeded, { recursive: true, force: true });
        fresh();
        ferryExport(from, target, allowlist);
        sh('cp', ['-a', target, seeded]);
        const out: ReturnType<typeof ferryExport>[] = [];
        for (let i = 0; i < RUNS; i++) {
          rmSync(target, { recursive: true, force: true });
          sh('cp', ['-a', seeded, target]);
          settle();
          out.push(ferryExport(to, target, allowlist));
        }
        return out;
      };

      // 1. First export, end to end, and Ferry's own work (dry run: no push).
      const m = (xs: number[]) => median(xs);
      const first: ReturnType<typeof ferryExport>[] = [];
      for (let i = 0; i < RUNS; i++) {
        fresh();
        first.push(ferryExport(repo, target, allowlist));
      }
      const dry: ReturnType<typeof ferryExport>[] = [];
      for (let i = 0; i < RUNS; i++) {
        fresh();
        dry.push(ferryExport(repo, target, allowlist, ['--dry-run']));
      }
      progress(
        `first ${m(first.map((x) => x.ms)).toFixed(0)} ms, dry ${m(dry.map((x) => x.ms)).toFixed(0)} ms`,
      );
      // The baseline's first export: an empty checkout of an empty target.
      const baseTarget = path.join(work, 'baseline.git');
      sh('git', ['init', '-q', '--bare', '-b', 'main', baseTarget]);
      const checkout = path.join(work, 'checkout');
      sh('git', ['clone', '-q', baseTarget, checkout]);
      const baseFirst = baseline(repo, checkout, listFile);
      progress(`baseline first: own ${baseFirst.own.toFixed(0)} ms, total ${baseFirst.total.toFixed(0)} ms`);

      // 2. Re-export after the repo's own last 10 commits: the target holds the export of HEAD~10.
      const m10 = (xs: ReturnType<typeof ferryExport>[]) => m(xs.map((x) => x.ms));
      const old = path.join(work, 'old');
      sh('git', ['clone', '-q', '--shared', '--no-checkout', repo, old]);
      sh('git', ['update-ref', 'HEAD', 'HEAD~10'], old);
      const kinds = sh('git', ['diff', '--name-status', '--no-renames', 'HEAD~10', 'HEAD'], repo)
        .split('\n')
        .filter(Boolean)
        .reduce<Record<string, number>>((acc, l) => ({ ...acc, [l[0]]: (acc[l[0]] ?? 0) + 1 }), {});
      const real = reExport(old, repo);
      progress(`re-export after the repo's last 10 commits ${m10(real).toFixed(0)} ms (${real[0].how})`);

      // 3. Beside it: re-export after 10 commits that only modify files (on a shared clone).
      const clone = path.join(work, 'clone');
      sh('git', ['clone', '-q', '--shared', '--no-checkout', repo, clone]);
      sh('git', ['read-tree', 'HEAD'], clone);
      const touched = selected.filter((_, i) => i % 7000 === 3).slice(0, 10);
      for (let i = 0; i < 10; i++) {
        const blob = sh('git', ['hash-object', '-w', '--stdin'], clone, `bench change ${i}\n`).trim();
        sh('git', ['update-index', '--cacheinfo', `100644,${blob},${touched[i]}`], clone);
        // Plumbing: the clone has no work tree, and `git commit` would stat 200k missing files.
        const tree = sh('git', ['write-tree'], clone).trim();
        const env = {
          ...process.env,
          GIT_AUTHOR_NAME: 'b',
          GIT_AUTHOR_EMAIL: 'b@b',
          GIT_COMMITTER_NAME: 'b',
          GIT_COMMITTER_EMAIL: 'b@b',
        };
        const commit = execFileSync('git', ['commit-tree', tree, '-p', 'HEAD', '-m', `bench ${i}`], {
          cwd: clone,
          env,
          encoding: 'utf8',
        }).trim();
        sh('git', ['update-ref', 'HEAD', commit], clone);
      }
      const re = reExport(repo, clone);
      progress(`re-export after 10 modify-only commits ${m10(re).toFixed(0)} ms (${re[0].how})`);
      // Baseline re-export: the checkout holds its previous export; the 10 changed files come on top.
      const baseRe = baseline(repo, checkout, listFile, () => {
        for (const p of touched)
          writeFileSync(path.join(checkout, p), sh('git', ['show', `HEAD:${p}`], clone));
      });
      progress(`baseline re-export ${baseRe.total.toFixed(0)} ms`);

      // The JSON report's keys are snake_case (report v2).
      const t = (k: string, xs: ReturnType<typeof ferryExport>[]) =>
        Math.round(m(xs.map((x) => x.timings[k] ?? 0)));
      const split = (xs: ReturnType<typeof ferryExport>[]) =>
        `in-process: prepare ${t('prepare_ms', xs)} + build ${t('build_ms', xs)} + gates ${t('gates_ms', xs)} + push ${t('push_ms', xs)} ms`;
      const peak = Math.max(...first.map((x) => x.peakMiB ?? 0));
      const rows: BenchRow[] = [
        row(
          `first export end to end (${selected.length} files)`,
          m(first.map((x) => x.ms)),
          baseFirst.total,
          6000,
          split(first),
        ),
        row('own work without the push (dry run)', m(dry.map((x) => x.ms)), baseFirst.own, 3000, split(dry)),
        {
          suite: 'export',
          metric: `re-export after the repo's own last 10 commits (${Object.entries(kinds)
            .map(([k, n]) => `${n} ${k}`)
            .join(', ')}) end to end`,
          value: Math.round(m10(real)),
          unit: 'ms',
          baseline: { name: 'first export, same run', value: Math.round(m10(first)) },
          bar: '≤ 0.15 × first export',
          meets: m10(real) <= 0.15 * m10(first),
          note: `ratio ${(m10(real) / m10(first)).toFixed(3)}; ${real[0].how}; ${split(real)}`,
        },
        row(
          're-export after 10 modify-only commits end to end',
          m10(re),
          baseRe.total,
          1000,
          `ratio to first export ${(m10(re) / m10(first)).toFixed(3)}; ${re[0].how}; ${split(re)}`,
        ),
      ];
      rows.push({
        suite: 'export',
        metric: 'peak RSS, first export (largest process: ferry or a git child)',
        value: Math.round(peak),
        unit: 'MiB',
        note: existsSync('/usr/bin/time') ? 'GNU time %M' : 'not measured: /usr/bin/time missing',
      });
      return rows;
    } finally {
      spawnSync('rm', ['-rf', work]);
    }
  },
};
