import { detailsOf, type Finding, type TargetResult } from './result.js';
import { formatLocation } from '../errors.js';

/**
 * Version 2: every key is snake_case (version 1 mixed `last_exported` with `pushedCommits`),
 * `parts` holds a runner target's engine results, `verification` its verification outcome.
 * schema/report.schema.json describes it; docs/report.md says what changed between versions.
 */
export const REPORT_SCHEMA_VERSION = 2;

/** The JSON report. Fields are only ever added within a schema version. */
export interface JsonReport {
  schema_version: number;
  tool: 'ferry';
  command: string;
  timestamp: string;
  dry_run: boolean;
  total_targets: number;
  successful: number;
  failed: number;
  total_duration: number;
  results: JsonTargetResult[];
}

export interface JsonTargetResult {
  target: string;
  kind: string;
  direction: string | null;
  success: boolean;
  changed: boolean;
  message: string;
  duration: number;
  commit: string | null;
  counts: Record<string, number>;
  outputs_created: string[];
  verification_passed: boolean | null;
  verification: { passed: boolean; message: string; value?: number } | null;
  findings: Finding[];
  changes: { path: string; change: string; bytes?: number }[];
  details: Record<string, unknown>;
  parts: JsonTargetResult[];
}

/** Changes listed per target in the report; counts always cover all of them. */
export const MAX_LISTED_CHANGES = 1000;

export function toJsonReport(
  command: string,
  results: readonly TargetResult[],
  opts: { dryRun?: boolean; now?: Date } = {},
): JsonReport {
  const successful = results.filter((r) => r.success).length;
  return {
    schema_version: REPORT_SCHEMA_VERSION,
    tool: 'ferry',
    command,
    timestamp: (opts.now ?? new Date()).toISOString(),
    dry_run: opts.dryRun ?? results.some((r) => r.dryRun),
    total_targets: results.length,
    successful,
    failed: results.length - successful,
    total_duration: round3(results.reduce((s, r) => s + r.durationMs, 0) / 1000),
    results: results.map(toJsonResult),
  };
}

export function toJsonResult(r: TargetResult): JsonTargetResult {
  return {
    target: r.target,
    kind: r.kind,
    direction: r.direction ?? null,
    success: r.success,
    changed: r.changed,
    message: r.message,
    duration: round3(r.durationMs / 1000),
    commit: r.commit ?? null,
    counts: snakeKeys(r.counts) as Record<string, number>,
    outputs_created: r.outputsCreated ?? [],
    verification_passed: r.verificationPassed ?? null,
    verification: r.verification ?? null,
    findings: r.findings,
    changes: (r.changes ?? []).slice(0, MAX_LISTED_CHANGES),
    details: snakeKeys(r.details ?? {}) as Record<string, unknown>,
    parts: (r.parts ?? []).map(toJsonResult),
  };
}

/** `pushedCommits` → `pushed_commits`, `onlyInA` → `only_in_a`, `phasesMs` → `phases_ms`. */
function snakeCase(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

/** Every key of every object below, in snake_case (the report's one casing). */
function snakeKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(snakeKeys);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [snakeCase(k), snakeKeys(x)]));
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function mdEscape(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

const MAX_SUMMARY_ROWS = 50;

/** The job summary (GITHUB_STEP_SUMMARY) and the CLI's human output are this Markdown. */
export function toMarkdown(title: string, results: readonly TargetResult[]): string {
  const out: string[] = [`## ${title}`, ''];
  const dry = results.some((r) => r.dryRun);
  if (dry) out.push('> Dry run: nothing was pushed or written.', '');
  out.push('| Target | Kind | Result | Changes | Message |', '| --- | --- | --- | --- | --- |');
  for (const r of results) {
    const status = !r.success
      ? '❌ failed'
      : r.changed
        ? r.dryRun
          ? '📝 would change'
          : '✅ changed'
        : '✅ up to date';
    const counts = Object.entries(r.counts)
      .filter(([, v]) => v !== 0)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    out.push(`| ${mdEscape(r.target)} | ${r.kind} | ${status} | ${counts || '—'} | ${mdEscape(r.message)} |`);
  }
  out.push(...pullRequestLines(results));
  for (const r of results) {
    if (r.findings.length) {
      out.push(
        '',
        `### Findings: ${mdEscape(r.target)}`,
        '',
        '| Severity | Code | Where | Message |',
        '| --- | --- | --- | --- |',
      );
      for (const f of r.findings.slice(0, MAX_SUMMARY_ROWS)) {
        const where = f.file ? formatLocation({ file: f.file, line: f.line, column: f.column }) : '—';
        out.push(`| ${f.severity} | ${f.code} | ${mdEscape(where)} | ${mdEscape(f.message)} |`);
      }
      if (r.findings.length > MAX_SUMMARY_ROWS)
        out.push('', `…and ${r.findings.length - MAX_SUMMARY_ROWS} more.`);
    }
    if (r.changes && r.changes.length) {
      out.push(
        '',
        `<details><summary>${mdEscape(r.target)}: ${r.changes.length} changed paths</summary>`,
        '',
      );
      for (const c of r.changes.slice(0, MAX_SUMMARY_ROWS)) out.push(`- \`${c.change}\` ${mdEscape(c.path)}`);
      if (r.changes.length > MAX_SUMMARY_ROWS) out.push(`- …and ${r.changes.length - MAX_SUMMARY_ROWS} more`);
      out.push('', '</details>');
    }
  }
  return out.join('\n') + '\n';
}

/** An export's rolling pull request, and the imported pull requests it closed: linked. */
function pullRequestLines(results: readonly TargetResult[]): string[] {
  const out: string[] = [];
  for (const r of results) {
    const d = detailsOf(r, 'export') ?? detailsOf(r, 'custom');
    const pr = d?.pullRequest;
    if (pr?.number) {
      const link = pr.url ? `[#${pr.number}](${pr.url})` : `#${pr.number}`;
      const op = pr.operation ? `${r.dryRun ? 'would be ' : ''}${pr.operation}` : 'no change';
      out.push('', `**Pull request** for ${mdEscape(r.target)}: ${link} (${op}), branch \`${pr.branch}\`.`);
    }
    for (const l of d?.landed ?? [])
      out.push(
        '',
        `**Imported pull request** ${mdEscape(l.pullRequest)} landed as ${l.commit.slice(0, 7)}: ${l.operation}.`,
      );
  }
  return out;
}

/** One line per target plus findings, for terminals; `kindOf` names the kind shown in brackets. */
export function toText(
  results: readonly TargetResult[],
  kindOf: (r: TargetResult) => string = (r) => r.kind,
): string {
  const out: string[] = [];
  for (const r of results) {
    const tag = !r.success ? 'FAILED' : r.changed ? (r.dryRun ? 'WOULD CHANGE' : 'CHANGED') : 'UP TO DATE';
    const counts = Object.entries(r.counts)
      .filter(([, v]) => v !== 0)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    out.push(
      `${r.target} [${kindOf(r)}] ${tag}${counts ? ` (${counts})` : ''}${r.message ? `: ${r.message}` : ''}`,
    );
    for (const f of r.findings) {
      const where = f.file ? formatLocation({ file: f.file, line: f.line, column: f.column }) + ': ' : '';
      out.push(`  ${f.severity}: ${where}${f.message} [${f.code}]`);
    }
  }
  return out.join('\n') + '\n';
}
