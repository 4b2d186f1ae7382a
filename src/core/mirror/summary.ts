/**
 * The per-branch tables under the common results table in the job summary and the CLI's human
 * output. Rendered from the result details only, so the JSON report and this never disagree.
 */
import { detailsOf, type TargetResult } from '../report/result.js';
import { BRANCH_KIND } from './results.js';
import type { BranchState } from './types.js';

const STATE_TEXT: Record<BranchState, string> = {
  equal: 'in sync',
  'a-ahead': 'A ahead: fast-forward B',
  'b-ahead': 'B ahead: fast-forward A',
  'missing-in-a': 'missing on A: create it',
  'missing-in-b': 'missing on B: create it',
  diverged: '❌ diverged',
};

const short = (sha: unknown) => (typeof sha === 'string' ? `\`${sha.slice(0, 12)}\`` : '—');
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function mirrorDetailsMarkdown(results: readonly TargetResult[]): string {
  const out: string[] = [];
  for (const r of results) {
    const d = detailsOf(r, BRANCH_KIND);
    if (!d) continue;
    out.push(`### Branch \`${r.target}\``, '', '| | A | B |', '| --- | --- | --- |');
    out.push(`| tip | ${short(d.a)} | ${short(d.b)} |`);
    out.push(`| commits only here | ${d.onlyInA.count} | ${d.onlyInB.count} |`);
    out.push(
      `| state | ${STATE_TEXT[d.state]} | ${d.pushedTo ? `pushed to ${d.pushedTo.toUpperCase()}` : '—'} |`,
    );
    if (d.state === 'diverged') out.push(`| merge base | ${d.mergeBase ? short(d.mergeBase) : 'none'} | |`);
    if (d.issue) out.push(`| issue | [#${d.issue.number}](${d.issue.url}) (${d.issue.action}) | |`);
    out.push('');
    if (d.state === 'diverged') {
      for (const [side, list] of [
        ['A', d.onlyInA],
        ['B', d.onlyInB],
      ] as const) {
        if (list.count === 0) continue;
        out.push(`<details><summary>Only in ${side}: ${list.count} commit(s)</summary>`, '');
        for (const c of list.commits) out.push(`- ${short(c.sha)} ${cell(c.subject)} (${cell(c.author)})`);
        if (list.count > list.commits.length) out.push(`- …and ${list.count - list.commits.length} more`);
        out.push('', '</details>', '');
      }
    }
  }
  return out.length ? out.join('\n') + '\n' : '';
}

/**
 * For terminals: the commits only on each side of every diverged branch (short sha, subject,
 * author), as the divergence issue and the JSON report list them, capped by max-listed-commits
 * with a count of the rest.
 */
export function divergedCommitsText(results: readonly TargetResult[]): string {
  const out: string[] = [];
  for (const r of results) {
    const d = detailsOf(r, BRANCH_KIND);
    if (d?.state !== 'diverged') continue;
    for (const [side, list] of [
      ['A', d.onlyInA],
      ['B', d.onlyInB],
    ] as const) {
      out.push(`  ${r.target}: ${list.count} commit(s) only in ${side}:`);
      for (const c of list.commits) out.push(`    ${c.sha.slice(0, 7)} ${c.subject} (${c.author})`);
      if (list.count > list.commits.length) out.push(`    …and ${list.count - list.commits.length} more`);
    }
  }
  return out.length ? out.join('\n') + '\n' : '';
}
