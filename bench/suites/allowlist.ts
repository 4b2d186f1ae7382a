import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { Minimatch } from 'minimatch';
import { compileAllowlist, parseAllowlistStrict } from '../../src/core/allowlist/index.js';
import { genRepo, median, type Suite } from '../support.js';

/**
 * Issue 2 bar: ≥ 2,000,000 path decisions per second on the synthetic allowlist (200k files),
 * beside naive minimatch-per-rule matching measured in the same run.
 */
export const allowlistSuite: Suite = {
  name: 'allowlist',
  description: 'compiled matcher vs minimatch per rule, 200k paths',
  async run() {
    const { repo, allowlist } = genRepo(200_000, 2_000);
    const paths = execFileSync('git', ['-C', repo, 'ls-tree', '-r', '-z', '--name-only', 'HEAD'], {
      maxBuffer: 1 << 30,
    })
      .toString()
      .split('\0')
      .filter(Boolean);
    const text = readFileSync(allowlist, 'utf8');
    const rules = parseAllowlistStrict(text, allowlist);
    const m = compileAllowlist(rules);
    let selected = 0;
    const runs: number[] = [];
    for (let r = 0; r < 7; r++) {
      const t0 = performance.now();
      let n = 0;
      for (const p of paths) if (m.selects(p)) n++;
      runs.push(performance.now() - t0);
      selected = n;
    }
    const ferryRate = paths.length / (median(runs.slice(1)) / 1000);
    // Naive baseline: one Minimatch object per rule (compiled once), veto semantics, literal dirs as subtrees.
    const mm = rules.map((r) => ({
      neg: r.negated,
      mm: new Minimatch(
        r.glob.literal !== undefined
          ? `${r.glob.literal}{,/**}`
          : r.text.replace(/^!/, '').replace(/^\//, '').replace(/\/$/, '/**'),
        { dot: true },
      ),
    }));
    const naive = (p: string) =>
      mm.some((x) => !x.neg && x.mm.match(p)) && !mm.some((x) => x.neg && x.mm.match(p));
    const sample = paths.slice(0, 50_000);
    let agree = 0;
    const t0 = performance.now();
    for (const p of sample) if (naive(p) === m.selects(p)) agree++;
    const naiveRate = sample.length / ((performance.now() - t0) / 1000);
    return [
      {
        suite: 'allowlist',
        metric: `path decisions/s (${paths.length} paths, ${rules.length} rules, ${selected} selected)`,
        value: Math.round(ferryRate),
        unit: 'paths/s',
        baseline: { name: 'minimatch per rule', value: Math.round(naiveRate) },
        bar: '≥ 2,000,000 paths/s',
        meets: ferryRate >= 2_000_000,
        note:
          agree === sample.length
            ? 'baseline agrees on every sampled path'
            : `baseline disagrees on ${sample.length - agree} of ${sample.length}`,
      },
    ];
  },
};
