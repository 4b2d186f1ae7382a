import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllowlistStrict } from '../../src/core/allowlist/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { runWikiSync, type WikiSettings } from '../../src/core/wiki/index.js';
import { median, type BenchRow, type Suite } from '../support.js';

/**
 * Wiki sync of a 2,000-page folder (nested, with links and images) to two local bare wikis:
 * first sync and the no-change re-run, beside the seed's approach measured in the same run
 * (clone the wiki, copy the flattened files in, `git add -A`, commit, push) for the private wiki.
 */
const PAGES = 2_000;
const RUNS = 3;

function sh(cmd: string, args: string[], cwd?: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 30 });
}

function makeSource(dir: string): void {
  mkdirSync(dir, { recursive: true });
  sh('git', ['init', '-q', '-b', 'main', dir]);
  for (let i = 0; i < PAGES; i++) {
    const sub = `section${i % 20}/part${i % 7}`;
    mkdirSync(path.join(dir, 'wiki', sub), { recursive: true });
    const next = `../../section${(i + 1) % 20}/part${(i + 1) % 7}/page${i + 1}.md`;
    const body = [
      `# Page ${i}`,
      '',
      `See [the next page](${next}#intro) and ![diagram](../../img/d${i % 50}.png).`,
      ...Array.from({ length: 20 }, (_, k) => `Line ${k} of page ${i}, with some text to make it a page.`),
    ].join('\n');
    writeFileSync(path.join(dir, 'wiki', sub, `page${i}.md`), body + '\n');
  }
  mkdirSync(path.join(dir, 'wiki', 'img'), { recursive: true });
  for (let k = 0; k < 50; k++)
    writeFileSync(path.join(dir, 'wiki', 'img', `d${k}.png`), `PNG${k}`.repeat(200));
  writeFileSync(path.join(dir, 'wiki', 'README.md'), '# Home\n[first](section0/part0/page0.md)\n');
  sh('git', ['add', '-A'], dir);
  sh('git', ['-c', 'user.name=b', '-c', 'user.email=b@b', 'commit', '-q', '-m', 'wiki'], dir);
}

function baseline(src: string, wiki: string, work: string): number {
  const t0 = performance.now();
  const clone = path.join(work, 'clone');
  rmSync(clone, { recursive: true, force: true });
  sh('git', ['clone', '-q', wiki, clone]);
  const files = sh('git', ['-C', src, 'ls-files', '-z', 'wiki']).split('\0').filter(Boolean);
  for (const f of files) {
    const rel = f.slice('wiki/'.length);
    const dest = rel.endsWith('.md') ? rel.replace(/\//g, '-') : rel;
    mkdirSync(path.dirname(path.join(clone, dest)), { recursive: true });
    copyFileSync(path.join(src, f), path.join(clone, dest));
  }
  sh('git', ['add', '-A'], clone);
  sh(
    'git',
    ['-c', 'user.name=b', '-c', 'user.email=b@b', 'commit', '-q', '--allow-empty', '-m', 'sync'],
    clone,
  );
  sh('git', ['push', '-q', 'origin', 'HEAD:master'], clone);
  return performance.now() - t0;
}

export const wikiSuite: Suite = {
  name: 'wiki',
  description: `wiki sync of ${PAGES} nested pages to private + public wikis vs clone/copy/commit/push`,
  async run(): Promise<BenchRow[]> {
    const work = mkdtempSync(path.join(os.tmpdir(), 'ferry-bench-wiki-'));
    try {
      const src = path.join(work, 'src');
      makeSource(src);
      const fresh = (name: string, seed = false) => {
        const d = path.join(work, name);
        rmSync(d, { recursive: true, force: true });
        sh('git', ['init', '-q', '--bare', '-b', 'master', d]);
        if (seed) {
          const tmp = path.join(work, 'seed');
          rmSync(tmp, { recursive: true, force: true });
          sh('git', ['init', '-q', '-b', 'master', tmp]);
          writeFileSync(path.join(tmp, 'Home.md'), 'Welcome\n');
          sh('git', ['add', '-A'], tmp);
          sh('git', ['-c', 'user.name=b', '-c', 'user.email=b@b', 'commit', '-q', '-m', 'init'], tmp);
          sh('git', ['push', '-q', d, 'master'], tmp);
        }
        return d;
      };
      const settings = (): WikiSettings => ({
        source: path.join(src, 'wiki'),
        privateWiki: { repo: path.join(work, 'private.wiki.git') },
        publicWiki: { repo: path.join(work, 'public.wiki.git') },
        publicAllowlist: parseAllowlistStrict('README.md\nsection1*/**\n', 'bench'),
        direction: 'push',
        unpublishedLinks: 'text',
        dryRun: false,
        syncBackBranch: 'ferry/wiki-sync',
        commitMessage: 'Sync {wiki} wiki',
      });
      const first: number[] = [];
      const again: number[] = [];
      const base: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        fresh('private.wiki.git');
        fresh('public.wiki.git');
        let t0 = performance.now();
        const r = await runWikiSync(settings(), silentLogger);
        first.push(performance.now() - t0);
        if (!r.every((x) => x.success && x.changed))
          throw new Error(`bench: first sync failed: ${r.map((x) => x.message).join('; ')}`);
        t0 = performance.now();
        const r2 = await runWikiSync(settings(), silentLogger);
        again.push(performance.now() - t0);
        if (r2.some((x) => x.changed)) throw new Error('bench: re-run changed something');
        base.push(baseline(src, fresh('baseline.wiki.git', true), work));
      }
      const b = median(base);
      return [
        {
          suite: 'wiki',
          metric: `first sync, ${PAGES} pages + 50 assets, private + public wiki`,
          value: Math.round(median(first)),
          unit: 'ms',
          baseline: {
            name: 'clone + copy + add -A + commit + push (private wiki only, no link rewriting)',
            value: Math.round(b),
          },
        },
        {
          suite: 'wiki',
          metric: 'no-change re-run (no commit), both wikis',
          value: Math.round(median(again)),
          unit: 'ms',
          baseline: { name: 'clone + copy + add -A + commit + push', value: Math.round(b) },
        },
      ];
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
};
