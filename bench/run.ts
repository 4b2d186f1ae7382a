import { SUITES } from './suites/index.js';
import type { BenchRow } from './support.js';

/**
 * `npm run bench [-- SUITE...]`: runs the suites and prints each figure beside the baseline
 * measured in the same run, as a ratio. Times are medians. Timing lives here, never in tests.
 */
function fmt(n: number, unit: string): string {
  if (unit === 'ms') return n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(0)} ms`;
  if (unit === 'paths/s') return `${(n / 1e6).toFixed(2)} M/s`;
  return `${n.toLocaleString('en-US', { maximumFractionDigits: 1 })} ${unit}`;
}

/** How many times better Ferry is than the baseline (higher is better for rates, lower for times). */
function ratio(r: BenchRow): string {
  if (!r.baseline || !r.baseline.value || !r.value) return '';
  const better = r.unit.endsWith('/s') ? r.value / r.baseline.value : r.baseline.value / r.value;
  return `${better.toFixed(1)}× vs ${r.baseline.name} (${fmt(r.baseline.value, r.unit)})`;
}

async function main() {
  const want = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const json = process.argv.includes('--json');
  const rows: BenchRow[] = [];
  for (const s of SUITES.filter((x) => want.length === 0 || want.includes(x.name))) {
    process.stderr.write(`bench: ${s.name}: ${s.description}\n`);
    const got = await s.run();
    for (const r of got) {
      rows.push(r);
      const bar = r.bar ? ` | bar ${r.bar}: ${r.meets ? 'met' : 'NOT met'}` : '';
      process.stdout.write(
        `${r.suite.padEnd(10)} ${r.metric}: ${fmt(r.value, r.unit)} ${ratio(r)}${bar}${r.note ? ` | ${r.note}` : ''}\n`,
      );
    }
  }
  if (json) process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
