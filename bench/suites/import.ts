import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compileAllowlist, parseAllowlistStrict } from '../../src/core/allowlist/index.js';
import { runExport } from '../../src/core/export/index.js';
import { runImport } from '../../src/core/import/index.js';
import type { PublicPullRequest, PullRequestHost } from '../../src/core/import/types.js';
import { silentLogger } from '../../src/core/logger.js';
import { genRepo, median, type BenchRow, type Suite } from '../support.js';

/**
 * Issue 17's bar on the 200k-file synthetic repo (≈72k files exported): importing a 10-file public
 * pull request takes at most twice a re-export after 10 source commits, measured in the same run,
 * alternating the two. Both run in-process through the library (no Node start-up on either side);
 * the pull request host answers from the public repository's refs/pull/1/head (no network), and
 * the import branch is pushed to a local bare private repository (deleted between runs).
 */
const RUNS = Number(process.env.FERRY_BENCH_RUNS ?? 3);

const sh = (args: string[], cwd?: string, env?: NodeJS.ProcessEnv, input?: string) =>
  execFileSync('git', args, {
    cwd,
    env: { ...process.env, ...env },
    input,
    maxBuffer: 1 << 30,
    encoding: 'utf8',
  }).trim();

const progress = (msg: string) => process.stderr.write(`  import bench: ${msg}\n`);

const WHO = {
  GIT_AUTHOR_NAME: 'b',
  GIT_AUTHOR_EMAIL: 'b@b',
  GIT_COMMITTER_NAME: 'b',
  GIT_COMMITTER_EMAIL: 'b@b',
};

/** One commit on `parent` in `repo` (no work tree) writing `content(i)` to each path. */
function commitPaths(
  repo: string,
  parent: string,
  paths: string[],
  content: (i: number) => string,
  msg: string,
) {
  const index = path.join(repo, `bench-index-${process.pid}`);
  const env = { GIT_INDEX_FILE: index, ...WHO };
  sh(['read-tree', parent], repo, env);
  paths.forEach((p, i) => {
    const blob = sh(['hash-object', '-w', '--stdin'], repo, env, content(i));
    sh(['update-index', '--cacheinfo', `100644,${blob},${p}`], repo, env);
  });
  const tree = sh(['write-tree'], repo, env);
  spawnSync('rm', ['-f', index]);
  return sh(['commit-tree', tree, '-p', parent, '-m', msg], repo, env);
}

function host(publicRepo: string): PullRequestHost {
  const pr = (): PublicPullRequest => ({
    number: 1,
    title: 'Ten files',
    body: 'From the bench.',
    state: 'open',
    headSha: sh(['rev-parse', 'refs/pull/1/head'], publicRepo),
    url: 'https://github.invalid/acme/public/pull/1',
    author: { login: 'jane', id: 1 },
  });
  const none = async () => undefined;
  return {
    getPublic: async () => pr(),
    listPublicByLabel: async () => [1],
    commentPublic: async () => false,
    findPrivate: none,
    openPrivate: () => Promise.reject(new Error('not in the bench')),
    updatePrivate: async () => undefined,
    commentPrivate: async () => false,
  };
}

export const importSuite: Suite = {
  name: 'import',
  description: 'importing a 10-file public PR vs a re-export after 10 source commits, 200k-file repo',
  async run() {
    const { repo, allowlist } = genRepo(200_000, 2_000);
    const work = mkdtempSync(path.join(os.tmpdir(), 'ferry-bench-import-'));
    try {
      const paths = sh(['-C', repo, 'ls-tree', '-r', '-z', '--name-only', 'HEAD'])
        .split('\0')
        .filter(Boolean);
      const selected = compileAllowlist(
        parseAllowlistStrict(readFileSync(allowlist, 'utf8'), allowlist),
      ).filter(paths);
      const touched = selected.filter((_, i) => i % 7000 === 3).slice(0, 10);
      const seeded = path.join(work, 'seeded.git');
      sh(['init', '-q', '--bare', '-b', 'main', seeded]);
      const first = await runExport(
        { source: repo, target: seeded, branch: 'main', allowlistFile: allowlist },
        silentLogger,
      );
      if (!first.success) throw new Error(`seed export failed: ${first.message}`);
      // The public pull request: 10 exported files changed on top of the export.
      const head = commitPaths(seeded, 'main', touched, (i) => `public change ${i}\n`, 'Ten files');
      sh(['update-ref', 'refs/pull/1/head', head], seeded);
      // The private side: a bare repository sharing the monorepo's objects (the import branch goes there).
      const privateBare = path.join(work, 'private.git');
      sh(['clone', '-q', '--bare', '--shared', repo, privateBare]);
      // The re-export's source: 10 new commits on a shared clone (one file each).
      const clone = path.join(work, 'clone.git');
      sh(['clone', '-q', '--bare', '--shared', repo, clone]);
      let tip = sh(['rev-parse', 'HEAD'], clone);
      for (let i = 0; i < 10; i++)
        tip = commitPaths(clone, tip, [touched[i]], () => `bench change ${i}\n`, `bench ${i}`);
      sh(['update-ref', 'HEAD', tip], clone);

      const reexport: number[] = [];
      const imported: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const target = path.join(work, `target-${i}.git`);
        sh(['clone', '-q', '--bare', '--shared', seeded, target]);
        let t0 = performance.now();
        const r = await runExport(
          { source: clone, target, branch: 'main', allowlistFile: allowlist },
          silentLogger,
        );
        reexport.push(performance.now() - t0);
        if (!r.success || !r.changed) throw new Error(`re-export failed: ${r.message}`);

        sh(['update-ref', '-d', 'refs/heads/ferry/import/acme-public-1'], privateBare);
        t0 = performance.now();
        const [imp] = await runImport(
          {
            publicRepo: seeded,
            publicSlug: 'acme/public',
            pullRequest: 1,
            label: 'ferry-import',
            source: repo,
            privateRepo: privateBare,
            baseBranch: 'main',
            allowlistFile: allowlist,
            openPullRequest: false,
          },
          host(seeded),
          silentLogger,
        );
        imported.push(performance.now() - t0);
        if (imp.details?.status !== 'imported') throw new Error(`import failed: ${imp.message}`);
        progress(`run ${i + 1}: re-export ${reexport[i].toFixed(0)} ms, import ${imported[i].toFixed(0)} ms`);
      }
      const re = median(reexport);
      const im = median(imported);
      return [
        {
          suite: 'import',
          metric: `import a 10-file pull request (${selected.length} files exported), in-process`,
          value: Math.round(im),
          unit: 'ms',
          baseline: { name: 're-export after 10 source commits, in-process', value: Math.round(re) },
          bar: `≤ 2 × re-export (${Math.round(2 * re)} ms)`,
          meets: im <= 2 * re,
          note: `ratio ${(im / re).toFixed(2)}; runs: import ${imported.map(Math.round).join(', ')} / re-export ${reexport.map(Math.round).join(', ')} ms`,
        } satisfies BenchRow,
      ];
    } finally {
      spawnSync('rm', ['-rf', work]);
    }
  },
};
