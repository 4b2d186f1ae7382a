import { detailsOf, type TargetResult } from '../report/result.js';

const MAX_ROWS = 200;

function esc(s: string): string {
  return s.replace(/\|/g, '\\|');
}

/**
 * "Which pages went where": one row per source page with its wiki page in each wiki, from the
 * results' details. Appended to the shared Markdown summary.
 */
export function pagesTable(results: readonly TargetResult[]): string {
  const columns = results.map((r) => {
    const d = detailsOf(r, 'wiki');
    return {
      label: d?.audience ?? r.target,
      pages: new Map((d?.pages ?? []).map((p) => [p.source, p.page])),
    };
  });
  const sources = [...new Set(columns.flatMap((c) => [...c.pages.keys()]))].sort();
  if (!sources.length) return '';
  const out = [
    '### Pages',
    '',
    `| Source | ${columns.map((c) => `${esc(c.label)} wiki`).join(' | ')} |`,
    `| --- | ${columns.map(() => '---').join(' | ')} |`,
  ];
  for (const s of sources.slice(0, MAX_ROWS))
    out.push(
      `| ${esc(s)} | ${columns.map((c) => (c.pages.has(s) ? esc(c.pages.get(s)!) : '—')).join(' | ')} |`,
    );
  if (sources.length > MAX_ROWS) out.push('', `…and ${sources.length - MAX_ROWS} more.`);
  const back = results.flatMap((r) => {
    const sb = detailsOf(r, 'wiki')?.syncBack;
    return sb ? sb.files.map((f) => ({ ...f, branch: sb.branch })) : [];
  });
  if (back.length) {
    out.push(
      '',
      '### Wiki edits brought back',
      '',
      '| Wiki | Page | Source file | Branch | Conflict |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const f of back)
      out.push(
        `| ${f.from} | ${esc(f.wikiPath)} | ${esc(f.path)} | ${esc(f.branch)} | ${f.conflict ? 'yes' : 'no'} |`,
      );
  }
  return out.join('\n') + '\n';
}
