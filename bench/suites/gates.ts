import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { bundleCli, CACHE, ROOT, type BenchRow, type Suite } from '../support.js';

/**
 * Issue 13's corpus: four open-core repositories that keep their enterprise code beside the free
 * code, at pinned commits. Each is cloned from a local mirror (FERRY_GATES_MIRRORS, default
 * /work/.mirror/<owner>+<name>/repo) when present, else skipped with a notice. Ferry runs as users
 * run it (the bundled CLI, `export --dry-run --json`, default settings, allowlist `**` + `!**\/ee/**`)
 * and the suite prints, per repository: the import closure's recall against the hand-checked
 * list in bench/data/gates-truth.json and its false positives, the secret findings and the
 * forbidden-path findings (bars: recall ≥ 95 %, no false positive, ≤ 10 secrets, no forbidden path
 * on a harmless file).
 */
interface TruthRepo {
  name: string;
  mirror: string;
  commit: string;
  allowlist: string[];
  grepCandidates: number;
  imports: [string, number, string][];
  notImports: [string, number, string][];
}

const MIRRORS = process.env.FERRY_GATES_MIRRORS ?? '/work/.mirror';
const progress = (m: string) => process.stderr.write(`  gates bench: ${m}\n`);

interface Finding {
  code: string;
  file?: string;
  line?: number;
  message: string;
  severity: string;
}

function clone(repo: TruthRepo, work: string): string | undefined {
  const mirror = path.join(MIRRORS, repo.mirror, 'repo');
  if (!existsSync(mirror)) return undefined;
  const dest = path.join(work, `${repo.mirror}.git`);
  if (!existsSync(dest)) {
    // --shared: the clone borrows the mirror's objects (no copy); the mirror is never written.
    execFileSync('git', ['clone', '-q', '--bare', '--shared', mirror, dest]);
  }
  return dest;
}

function runFerry(source: string, repo: TruthRepo, work: string): { findings: Finding[]; ms: number } {
  const allow = path.join(work, `${repo.mirror}.allow`);
  writeFileSync(allow, repo.allowlist.join('\n') + '\n');
  const target = path.join(work, `${repo.mirror}.target.git`);
  rmSync(target, { recursive: true, force: true });
  execFileSync('git', ['init', '-q', '--bare', target]);
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    [
      bundleCli(),
      'export',
      '--source',
      source,
      '--rev',
      repo.commit,
      '--target',
      target,
      '--allowlist',
      allow,
      '--dry-run',
      '--json',
    ],
    { encoding: 'utf8', maxBuffer: 1 << 30 },
  );
  const ms = performance.now() - t0;
  if (r.status !== 0 && r.status !== 1)
    throw new Error(`ferry export failed (${r.status}): ${r.stderr.slice(0, 2000)}`);
  const report = JSON.parse(r.stdout) as { results: { findings: Finding[] }[] };
  return { findings: report.results[0].findings, ms };
}

export const gatesSuite: Suite = {
  name: 'gates',
  description: 'leak gates on real open-core repositories: import-closure recall, secrets, forbidden paths',
  async run() {
    const truth = JSON.parse(readFileSync(path.join(ROOT, 'bench/data/gates-truth.json'), 'utf8')) as {
      repos: TruthRepo[];
    };
    const work = path.join(CACHE, 'gates');
    mkdirSync(work, { recursive: true });
    const rows: BenchRow[] = [];
    for (const repo of truth.repos) {
      const source = clone(repo, work);
      if (!source) {
        progress(
          `${repo.name}: no mirror at ${path.join(MIRRORS, repo.mirror, 'repo')}; skipped (set FERRY_GATES_MIRRORS)`,
        );
        continue;
      }
      progress(`${repo.name} at ${repo.commit.slice(0, 12)}`);
      const { findings, ms } = runFerry(source, repo, work);
      const leaks = findings.filter((f) => f.code === 'import-leak');
      const key = (file: string, line: number, target: string) => `${file}:${line} -> ${target}`;
      const expected = new Set(repo.imports.map(([f, l, t]) => key(f, l, t)));
      const got = new Set(
        leaks.map((f) =>
          key(f.file ?? '', f.line ?? 0, /which loads (\S+), a file/.exec(f.message)?.[1] ?? '?'),
        ),
      );
      const hit = [...expected].filter((k) => got.has(k)).length;
      const falsePositives = [...got].filter((k) => !expected.has(k));
      const missed = [...expected].filter((k) => !got.has(k));
      const secrets = findings.filter((f) => f.code === 'secret');
      const forbidden = findings.filter((f) => f.code === 'forbidden-path');
      const unreadable = findings.filter((f) => f.code === 'gate-unreadable');
      for (const m of missed.slice(0, 10)) progress(`  missed ${m}`);
      for (const m of falsePositives.slice(0, 10)) progress(`  false positive ${m}`);
      for (const f of forbidden) progress(`  forbidden path ${f.file}`);
      for (const f of secrets)
        progress(
          `  secret ${f.file ?? '(message)'}:${f.line ?? ''} ${/\(([\w-]+), /.exec(f.message)?.[1] ?? ''}`,
        );
      const recall = expected.size ? (100 * hit) / expected.size : 100;
      const note =
        `${hit}/${expected.size} hand-checked imports found (${repo.grepCandidates} grep candidates, ` +
        `${repo.notImports.length} not imports), ${falsePositives.length} false positive(s); ` +
        `${secrets.length} secret finding(s); ${forbidden.length} forbidden path(s): ${forbidden.map((f) => f.file).join(', ') || 'none'}` +
        (unreadable.length ? `; ${unreadable.length} blob(s) absent from the mirror (gate-unreadable)` : '') +
        `; dry run ${(ms / 1000).toFixed(1)} s`;
      rows.push({
        suite: 'gates',
        metric: `${repo.name} import-closure recall`,
        value: Math.round(recall * 10) / 10,
        unit: '%',
        bar: '≥ 95 %, no false positive, ≤ 10 secrets',
        meets: recall >= 95 && falsePositives.length === 0 && secrets.length <= 10,
        note,
      });
    }
    if (!rows.length) progress('no mirror found: nothing measured');
    return rows;
  },
};
