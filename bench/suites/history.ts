import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllowlistStrict } from '../../src/core/allowlist/index.js';
import { runExport, type ExportSettings } from '../../src/core/export/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { detailsOf, type TargetResult } from '../../src/core/report/result.js';
import { referenceRule } from '../../tests/support/regex-allowlist.js';
import { cpuSeconds, genRepo, median, timeCommand, type BenchRow, type Suite } from '../support.js';

/**
 * Issue 4 bars on genRepo(200000, 2000): replay all 2,000 commits ≤ 6 s, replay 10 new commits
 * ≤ 1 s, each beside `git filter-repo --paths-from-file` on the same allowlist (which cannot
 * run incrementally: it rewrites the whole history every time). Ferry's figures are end to end
 * (read, gates, fast-import, push to a local bare repo); the replay alone is noted beside them.
 */
/** Full replays timed (median); the incremental case runs twice as often (plus one warm-up). */
const RUNS = Math.max(1, Number(process.env.FERRY_BENCH_RUNS ?? 3));

const git = (cwd: string, args: string[], input?: string): string =>
  execFileSync('git', args, { cwd, input, encoding: 'utf8', maxBuffer: 1 << 30 }).trim();

function ensureFilterRepo(): void {
  if (spawnSync('git', ['filter-repo', '--version']).status === 0) return;
  process.stderr.write('bench: installing git-filter-repo (apt-get install -y git-filter-repo)\n');
  const r = spawnSync('apt-get', ['install', '-y', 'git-filter-repo'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('git-filter-repo is missing and apt-get install failed');
}

/**
 * filter-repo's paths file has only include lines (literal/glob/regex), no veto. The allowlist
 * (includes minus excludes, `**`, braces) becomes ONE `regex:` line built from the compiled
 * globs: ^(?=(?:inc|...)$)(?!(?:exc|...)$), from the regex translation Ferry's matcher used before
 * it became linear (kept as a test reference). Python's re reads these regex sources as they are;
 * the bench checks that both tools end with the same tree.
 */
export function filterRepoPaths(allowlistText: string, file: string): string {
  const rules = parseAllowlistStrict(allowlistText, file);
  const regex = (text: string) => referenceRule(text).glob.regexSource;
  const inc = rules.filter((r) => !r.negated).map((r) => regex(r.text));
  const exc = rules.filter((r) => r.negated).map((r) => regex(r.text));
  const veto = exc.length ? `(?!(?:${exc.join('|')})$)` : '';
  return `regex:^(?=(?:${inc.join('|')})$)${veto}\n`;
}

function filterRepo(source: string, pathsFile: string, work: string): { ms: number; tree: string } {
  const clone = path.join(work, `fr-${Date.now()}`);
  // Bare: filter-repo then skips the final working-tree checkout, which is not history work.
  git(work, ['clone', '-q', '--bare', '--no-local', source, clone]);
  const t = timeCommand('git', ['filter-repo', '--force', '--quiet', '--paths-from-file', pathsFile], {
    cwd: clone,
  });
  const tree = git(clone, ['rev-parse', 'HEAD^{tree}']);
  rmSync(clone, { recursive: true, force: true });
  return { ms: t.ms, tree };
}

async function exportOnce(s: ExportSettings): Promise<{ ms: number; cpu: number; r: TargetResult }> {
  const c0 = cpuSeconds();
  const t0 = performance.now();
  const r = await runExport(s, silentLogger);
  const ms = performance.now() - t0;
  const cpu = cpuSeconds() - c0;
  if (!r.success)
    throw new Error(`history export failed: ${r.message} ${JSON.stringify(r.findings.slice(0, 3))}`);
  return { ms, cpu, r };
}

const buildMs = (r: TargetResult): number => Number(detailsOf(r, 'export')?.timings.buildMs ?? NaN);

export const historySuite: Suite = {
  name: 'history',
  description: 'history replay (issue 4) vs git filter-repo, 200k files / 2,000 commits',
  async run() {
    ensureFilterRepo();
    const { repo, allowlist } = genRepo(200_000, 2_000);
    const work = mkdtempSync(path.join(os.tmpdir(), 'ferry-bench-history-'));
    try {
      const pathsFile = path.join(work, 'paths.txt');
      writeFileSync(pathsFile, filterRepoPaths(readFileSync(allowlist, 'utf8'), allowlist));
      const base: ExportSettings = {
        source: repo,
        target: '',
        branch: 'main',
        allowlistFile: allowlist,
        mode: 'history',
        since: 'root',
      };

      // 1. Replay all 2,000 commits into an empty target (median of RUNS, a fresh target each time).
      const full: number[] = [];
      const fullBuild: number[] = [];
      const fullCpu: number[] = [];
      let fullTarget = '';
      let fullResult: TargetResult | undefined;
      for (let i = 0; i < RUNS; i++) {
        fullTarget = path.join(work, `full-${i}.git`);
        git(work, ['init', '-q', '--bare', '-b', 'main', fullTarget]);
        const { ms, cpu, r } = await exportOnce({ ...base, target: fullTarget });
        full.push(ms);
        fullCpu.push(cpu);
        fullBuild.push(buildMs(r));
        fullResult = r;
      }
      const frFull = filterRepo(repo, pathsFile, work);
      const ferryTree = git(fullTarget, ['rev-parse', 'main^{tree}']);
      const replayed = (fullResult && detailsOf(fullResult, 'export')?.history?.replayed) ?? 0;

      // 2. Ten new commits on a clone (never touching .bench/), replayed onto the exported target.
      const clone = path.join(work, 'clone');
      git(work, ['clone', '-q', '--shared', repo, clone]);
      const files = git(clone, ['ls-tree', '-r', '--name-only', 'HEAD', 'app/core/']).split('\n');
      const picks = files
        .filter((f) => f.endsWith('.py') && !/metadata_|_ALPHA|storage_1/.test(f))
        .slice(0, 20);
      const env = {
        ...process.env,
        GIT_AUTHOR_NAME: 'Bench',
        GIT_AUTHOR_EMAIL: 'bench@example.com',
        GIT_COMMITTER_NAME: 'Bench',
        GIT_COMMITTER_EMAIL: 'bench@example.com',
      };
      for (let i = 0; i < 10; i++) {
        const f = path.join(clone, picks[i * 2]);
        writeFileSync(f, readFileSync(f, 'utf8') + `\n# bench change ${i}\n`);
        execFileSync('git', ['-C', clone, 'commit', '-q', '-am', `bench change ${i}`], { env });
      }
      const before = git(fullTarget, ['rev-parse', 'main']);
      const incr: number[] = [];
      const incrBuild: number[] = [];
      let incrCommits = 0;
      let incrQuick = false;
      for (let i = 0; i <= 2 * RUNS; i++) {
        git(fullTarget, ['update-ref', 'refs/heads/main', before]);
        const { ms, r } = await exportOnce({ ...base, source: clone, target: fullTarget });
        if (i > 0) {
          incr.push(ms);
          incrBuild.push(buildMs(r));
        }
        incrCommits = r.counts.commits ?? 0;
        incrQuick = detailsOf(r, 'export')?.history?.quickStart === true;
      }
      const frIncr = filterRepo(clone, pathsFile, work);

      const fullMs = median(full);
      const incrMs = median(incr);
      return [
        {
          suite: 'history',
          metric: `replay all commits (${replayed} replayed of 2000, end to end incl. gates + push)`,
          value: fullMs,
          unit: 'ms',
          baseline: { name: 'git filter-repo --paths-from-file', value: frFull.ms },
          bar: '≤ 6 s',
          meets: fullMs <= 6000,
          note: `runs ${(Math.min(...full) / 1000).toFixed(2)}–${(Math.max(...full) / 1000).toFixed(2)} s; replay alone ${(median(fullBuild) / 1000).toFixed(2)} s; CPU (node + git) ${median(fullCpu).toFixed(1)} s; same final tree as filter-repo: ${ferryTree === frFull.tree ? 'yes' : 'NO'}`,
        },
        {
          suite: 'history',
          metric: `replay 10 new commits (${incrCommits} made, end to end incl. push)`,
          value: incrMs,
          unit: 'ms',
          baseline: { name: 'git filter-repo (full rewrite)', value: frIncr.ms },
          bar: '≤ 1 s',
          meets: incrMs <= 1000,
          note: `replay alone ${Math.round(median(incrBuild))} ms; quick start (no tree listed): ${incrQuick ? 'yes' : 'NO'}`,
        },
      ] satisfies BenchRow[];
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
};
