/**
 * What each kind of result carries in `details`, by the result's `kind`. TargetResult is a union
 * discriminated on `kind` (result.ts), so adapters read details typed, with no casts.
 *
 * In TypeScript the keys are camelCase; the JSON report turns every key into snake_case
 * (render.ts), as schema/report.schema.json describes.
 */
import type { BranchAnalysis, IssueRef } from '../mirror/types.js';
import type { ActionRow } from '../dirsync/report.js';
import type { SyncBackFile } from '../wiki/sync-back.js';
import type { ImportStatus, RefusedPath } from '../import/types.js';
import type { FullPathReason } from '../export/tip-state.js';

/** One export (snapshot or history): where it came from and how the push went. */
export interface ExportDetails {
  mode: 'snapshot' | 'history';
  source: string;
  sourceRev: string;
  branch: string;
  baseTip: string | null;
  pushed: boolean;
  attempts: number;
  timings: { prepareMs: number; buildMs: number; gatesMs: number; pushMs: number };
  /** Snapshot mode: made from the previous export by a tree diff (export/incremental.ts). */
  incremental?: boolean;
  /**
   * Snapshot mode, when the whole tree was listed: why the incremental path did not apply
   * (export/tip-state.ts; `target-edited` comes with a notice).
   */
  fullPath?: FullPathReason;
  /** History mode: what was replayed (export/history/outcome.ts). */
  history?: HistoryDetails;
  /** Export as a pull request (export/pull-request.ts): the rolling pull request. */
  pullRequest?: PullRequestDetails;
  /** Imported public pull requests this export published (export/close-loop.ts). */
  landed?: LandedDetails[];
}

/** The rolling pull request of an export as a pull request. */
export interface PullRequestDetails {
  /** The branch of the target the export went to. */
  branch: string;
  number: number | null;
  url: string | null;
  /** What this run did to it (in a dry run: would do); null: there is no pull request. */
  operation: 'created' | 'updated' | 'unchanged' | 'closed' | null;
  /** A pull request closed without merging that the new one replaces. */
  replaces?: number;
  /** The content is what a pull request closed without merging proposed: not proposed again. */
  vetoed?: boolean;
  /** The spent branch was deleted (the pull request was merged, or closed by Ferry). */
  branchDeleted?: boolean;
}

/** An imported public pull request (`Ferry-Import`) found in what an export published. */
export interface LandedDetails {
  /** `owner/repo#N`. */
  pullRequest: string;
  /** The public commit that carries it. */
  commit: string;
  /**
   * closed: commented, labelled and closed; moved: its head moved after the import (commented,
   * left open); done: closed or commented already; failed: the API call failed (see message).
   */
  operation: 'closed' | 'moved' | 'done' | 'failed' | 'would-close';
  message?: string;
}

export interface HistoryDetails {
  base: string | null;
  baseFrom: string;
  replayed: number;
  skipped: number;
  reconciliation: boolean;
  commits: { source: string; target: string }[];
  commitsTruncated: boolean;
  quickStart?: boolean;
  /** Why the quick start did not apply (as ExportDetails.fullPath). */
  fullStart?: FullPathReason;
  mergesKept?: number;
  timings?: Record<string, number>;
}

/** One customer package of sync-to-custom: an export, or its failure before the export ran. */
export type CustomDetails = Partial<ExportDetails> & { package: string; allowlist?: string };

export interface WikiDetails {
  audience: 'private' | 'public';
  wiki?: string;
  branch?: string;
  pages?: { source: string; page: string }[];
  assets?: string[];
  lastSync?: { commit: string; originRev: string | null } | null;
  wikiEdits?: { page: string; change: string; conflict: boolean }[];
  syncBack?: { branch: string; commit: string | null; updated: boolean; files: SyncBackFile[] };
}

/** One mirrored branch: its analysis (mirror/types.ts), what was pushed, and its divergence issue. */
export interface MirrorBranchDetails extends BranchAnalysis {
  pushedTo: 'a' | 'b' | null;
  attempts: number;
  fingerprint: string | null;
  issue: IssueRef | null;
}

export interface MirrorTagsDetails {
  toA: string[];
  toB: string[];
  conflicts: { tag: string; a: string; b: string }[];
  pushedToA: string[];
  pushedToB: string[];
}

/** dirsync's own report (src/core/dirsync): the actions taken, and the engine's extras. */
export interface DirsyncDetails {
  a?: string;
  b?: string;
  state?: string;
  log?: string;
  direction?: string;
  conflictPolicy?: string;
  actions?: ActionRow[];
  actionsListed?: number;
  actionsTotal?: number;
  conflicts?: unknown[];
  [extra: string]: unknown;
}

/**
 * `ferry status` of one target (kind `status`): its drift, by what the target is. Export targets:
 * the source revision last exported; mirror targets: ahead/behind per branch.
 */
export interface StatusDetails {
  targetKind: 'command' | 'export' | 'mirror' | 'wiki' | 'dirsync';
  lastExported?: string;
  branches?: { branch: string; ahead?: number; behind?: number; note?: string }[];
}

/** One imported public pull request (src/core/import). */
export interface ImportDetails {
  pullRequest: { repo: string; number: number; url: string; head: string; author: string };
  /** What became of it (import/types.ts ImportStatus). */
  status: ImportStatus;
  /** The public export commit the pull request is based on. */
  publicBase: string | null;
  /** The private revision that commit was exported from (R). */
  base: string | null;
  baseBranch: string;
  branch: string;
  pushed: boolean;
  attempts: number;
  refused: RefusedPath[];
  coAuthors: string[];
  privatePullRequest: { number: number; url: string; operation: 'created' | 'updated' | 'commented' } | null;
  /** Whether Ferry commented on the public pull request (a refusal). */
  publicComment: boolean;
}

export interface DetailsByKind {
  export: ExportDetails;
  custom: CustomDetails;
  wiki: WikiDetails;
  /** A mirror target of ferry.yml: its branches (and tags) are results in `parts`. */
  mirror: Record<string, never>;
  'mirror-branch': MirrorBranchDetails;
  'mirror-tags': MirrorTagsDetails;
  dirsync: DirsyncDetails;
  /** The command kind reports through counts, changes and outputs_created: no details. */
  command: Record<string, never>;
  status: StatusDetails;
  import: ImportDetails;
}

export type ResultKind = keyof DetailsByKind;
