import type { Finding } from '../core/report/result.js';

/** Workflow-command escaping, as the Actions runner defines it. */
function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProp(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** `::error file=F,line=L::message` lines, so findings show up on the right line of a PR. */
export function annotationLines(findings: readonly Finding[]): string[] {
  return findings.map((f) => {
    const props: string[] = [];
    if (f.file) props.push(`file=${escapeProp(f.file)}`);
    if (f.line) props.push(`line=${f.line}`);
    if (f.column) props.push(`col=${f.column}`);
    props.push(`title=${escapeProp(`ferry: ${f.code}`)}`);
    return `::${f.severity} ${props.join(',')}::${escapeData(f.message)}`;
  });
}
