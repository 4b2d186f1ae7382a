import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { silentLogger } from '../../src/core/logger.js';
import { runMirror } from '../../src/core/mirror/mirror.js';
import { mirrorSettings } from '../../src/core/mirror/settings.js';
import { CACHE, genRepo, timeMedian, type Suite } from '../support.js';

/**
 * Bilateral mirror on the synthetic 200k-file, 2,000-commit monorepo (local bare repos, so the
 * figures are git + Ferry, not the network):
 * - fast-forward B by 20 commits, beside what the seed workflow does (full clone with checkout,
 *   pull the other side, push) measured in the same run;
 * - the daily no-op run (both sides equal), beside `git ls-remote` of both sides (the floor).
 */
const BEHIND = 20;

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

    let ok = true;
    const ferryFf = await timeMedian(
      async () => {
        const [r] = await runMirror(settings, silentLogger);
        ok &&= r.success && r.details?.state === 'a-ahead';
      },
      3,
      0,
      resetB,
    );
    ok &&= git(['rev-parse', 'main'], b) === tip;

    // The seed: actions/checkout (fetch-depth 0) of one side, git pull the other, git push.
    // Work trees are removed after timing: deleting 200k files is not part of either workflow.
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'ferry-bench-seed-'));
    let k = 0;
    const seedFf = await timeMedian(
      () => {
        const work = path.join(scratch, String(k++));
        git(['clone', '-q', '--no-local', b, work]);
        git(['-c', 'user.name=x', '-c', 'user.email=x@x', 'pull', '-q', '--ff-only', a, 'main'], work);
        git(['push', '-q', b, 'HEAD:main'], work);
      },
      3,
      0,
      resetB,
    );
    execFileSync('rm', ['-rf', scratch]); // far faster than fs.rmSync on 600k files

    git(['update-ref', 'refs/heads/main', tip], b);
    const ferryNoop = await timeMedian(async () => {
      const [r] = await runMirror(settings, silentLogger);
      ok &&= r.details?.state === 'equal';
    }, 5);
    const lsRemote = await timeMedian(() => {
      git(['ls-remote', a, 'refs/heads/main']);
      git(['ls-remote', b, 'refs/heads/main']);
    }, 5);
    return [
      {
        suite: 'mirror',
        metric: `fast-forward B by ${BEHIND} commits (200k files, 2,000 commits), wall ms`,
        value: Math.round(ferryFf),
        unit: 'ms',
        baseline: { name: 'seed: clone + pull + push', value: Math.round(seedFf) },
        meets: ok,
        note: ok ? 'B ends at A’s tip every run' : 'a run did not end in sync',
      },
      {
        suite: 'mirror',
        metric: 'no-op run, both sides equal (daily safety net), wall ms',
        value: Math.round(ferryNoop),
        unit: 'ms',
        baseline: { name: 'git ls-remote of both sides', value: Math.round(lsRemote) },
      },
    ];
  },
};
