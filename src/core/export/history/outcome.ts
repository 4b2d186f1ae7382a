import type { Finding } from '../../report/result.js';
import type { BuildOutcome, ProjectedTree } from '../types.js';
import type { ReplayBase } from './base.js';

/** Commit pairs listed in the result details; beyond this only the counts are given. */
const MAX_LISTED_COMMITS = 200;

/**
 * A warning already reported: same code and file (a per-file warning is said once per run, not
 * once per commit). A warning about no file counts by its message: the mass deletions allowed
 * in two commits are two warnings, each naming its commit.
 */
export function seen(list: readonly Finding[], f: Finding): boolean {
  return list.some(
    (g) =>
      g.code === f.code &&
      g.file === f.file &&
      g.severity === f.severity &&
      g.severity !== 'error' &&
      (f.file !== undefined || g.message === f.message),
  );
}

/** Findings name the source commit they came from (gates may already do it through `context`). */
export function nameCommit(f: Finding, sha: string): Finding {
  if (f.message.includes(sha) || f.message.includes(sha.slice(0, 7))) return f;
  return { ...f, message: `${f.message} (source commit ${sha.slice(0, 12)})` };
}

export function stopped(
  changes: BuildOutcome['changes'],
  findings: Finding[],
  base: ReplayBase,
): BuildOutcome {
  return { commits: 0, changes, findings, details: historyDetails(base, 0, 0, false, []) };
}

export function emptyProjection(): ProjectedTree {
  return { tree: new Map(), exportedSourcePaths: new Set(), sourcePaths: new Set(), findings: [] };
}

export function historyDetails(
  base: ReplayBase,
  replayed: number,
  skipped: number,
  reconciled: boolean,
  commits: { source: string; target: string }[],
  timings?: Record<string, number>,
  quick?: boolean | string,
  mergesKept?: number,
): Record<string, unknown> {
  return {
    history: {
      base: base.rev ?? null,
      baseFrom: base.kind,
      replayed,
      skipped,
      reconciliation: reconciled,
      commits: commits.slice(-MAX_LISTED_COMMITS),
      commitsTruncated: commits.length > MAX_LISTED_COMMITS,
      // true, or why the full start ran (tip-state.ts's FullPathReason).
      ...(quick !== undefined ? { quickStart: quick === true } : {}),
      ...(typeof quick === 'string' ? { fullStart: quick } : {}),
      ...(mergesKept ? { mergesKept } : {}),
      ...(timings
        ? { timings: Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v)])) }
        : {}),
    },
  };
}
