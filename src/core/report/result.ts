/**
 * The one result model. Every engine returns TargetResults; the JSON report, the job summary,
 * the CLI output and the annotations are all rendered from it.
 */
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

export interface TargetResult {
  target: string;
  kind: string;
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
  /** Engine-specific extras (branch tables, page lists, ...). Kept JSON-serialisable. */
  details?: Record<string, unknown>;
}

export function newResult(target: string, kind: string, dryRun: boolean): TargetResult {
  return {
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
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}

export function failResult(r: TargetResult, message: string, findings: Finding[] = []): TargetResult {
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
