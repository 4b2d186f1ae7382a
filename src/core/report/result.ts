/**
 * The one result model. Every engine returns TargetResults; the JSON report, the job summary,
 * the CLI output and the annotations are all rendered from it.
 */
import type { DetailsByKind, ResultKind } from './details.js';

export type Severity = 'error' | 'warning' | 'notice';

export interface Finding {
  severity: Severity;
  /** Stable machine code, e.g. `secret`, `forbidden-path`, `import-leak`, `unused-rule`. */
  code: string;
  message: string;
  file?: string;
  line?: number;
  column?: number;
}

export type ChangeKind = 'added' | 'modified' | 'deleted';

export interface PathChange {
  path: string;
  change: ChangeKind;
  /** Size of the new content (or the removed content for deletions), when known. */
  bytes?: number;
}

export type Direction = 'pull' | 'push' | 'bidirectional';

interface ResultFields {
  target: string;
  direction?: Direction;
  success: boolean;
  /** Whether something changed (or, in a dry run, would change). */
  changed: boolean;
  dryRun: boolean;
  message: string;
  durationMs: number;
  /** The commit made, or the commit that would be made in a dry run. */
  commit?: string;
  counts: Record<string, number>;
  changes?: PathChange[];
  findings: Finding[];
  outputsCreated?: string[];
  verificationPassed?: boolean | null;
  /** The runner's verification command, when it ran (`--verify`). */
  verification?: VerificationOutcome;
  /**
   * The runner's view of a target whose engine reports several results (a wiki's two sides, a
   * mirror's branches, a custom export's packages): each engine result, as it came.
   */
  parts?: TargetResult[];
}

/** The result of one kind, with that kind's details (details.ts); a union for a union of kinds. */
export type ResultOf<K extends ResultKind> = K extends ResultKind
  ? ResultFields & { kind: K; details?: DetailsByKind[K] }
  : never;

/** One target's result: a union discriminated on `kind`, so `details` is typed once kind is known. */
export type TargetResult = { [K in ResultKind]: ResultOf<K> }[ResultKind];

export interface VerificationOutcome {
  passed: boolean;
  message: string;
  value?: number;
}

export function newResult<K extends ResultKind>(target: string, kind: K, dryRun: boolean): ResultOf<K> {
  const r: ResultFields & { kind: ResultKind } = {
    target,
    kind,
    success: true,
    changed: false,
    dryRun,
    message: '',
    durationMs: 0,
    counts: {},
    findings: [],
  };
  return r as ResultOf<K>;
}

/** The details of a result of this kind; undefined for any other kind. */
export function detailsOf<K extends ResultKind>(r: TargetResult, kind: K): DetailsByKind[K] | undefined {
  return r.kind === kind ? (r as { details?: DetailsByKind[K] }).details : undefined;
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}

export function failResult<R extends TargetResult>(r: R, message: string, findings: Finding[] = []): R {
  r.success = false;
  r.message = message;
  r.findings.push(...findings);
  return r;
}

export function summarizeChanges(changes: readonly PathChange[]): Record<string, number> {
  const c = { added: 0, modified: 0, deleted: 0, bytesAdded: 0, bytesModified: 0, bytesDeleted: 0 };
  for (const ch of changes) {
    c[ch.change]++;
    const b = ch.bytes ?? 0;
    if (ch.change === 'added') c.bytesAdded += b;
    else if (ch.change === 'modified') c.bytesModified += b;
    else c.bytesDeleted += b;
  }
  return c;
}
