import type { GitAuthSettings } from '../git/git-auth-helper.js';

/** What to do when both sides of a branch have commits the other lacks. */
export type OnDivergence = 'issue' | 'fail' | 'warn';

/** Which tags to mirror: none, all, or those matching globs. */
export type TagMode = { kind: 'none' } | { kind: 'all' } | { kind: 'pattern'; globs: string[] };

export interface MirrorSide {
  /** What the user wrote (`owner/name`, a URL or a local path): shown in reports and the issue marker. */
  spec: string;
  /** The git URL or absolute path resolved from `spec`. */
  url: string;
  /** This side's own credentials: each side's git commands run with only its own auth env. */
  auth: GitAuthSettings;
}

export interface MirrorSettings {
  a: MirrorSide;
  b: MirrorSide;
  /** Branch names or globs (`main`, `release/*`). */
  branches: string[];
  tags: TagMode;
  onDivergence: OnDivergence;
  dryRun: boolean;
  /** Commits listed per side in a divergence report; the count always covers all of them. */
  maxListedCommits: number;
  /** Times to re-fetch, re-analyse and push again when a side moved meanwhile (default 5). */
  maxRetries?: number;
  /** Where the scratch repository is made (default os.tmpdir()); it is removed afterwards. */
  workDir?: string;
  /** Retry base delay for git network operations (tests shorten it). */
  netBaseDelayMs?: number;
}

export type BranchState =
  | 'equal'
  | 'a-ahead' // fast-forward B
  | 'b-ahead' // fast-forward A
  | 'missing-in-a' // create on A
  | 'missing-in-b' // create on B
  | 'diverged';

export interface CommitInfo {
  sha: string;
  subject: string;
  author: string;
}

export interface CommitList {
  /** All commits on this side only (the list may be capped). */
  count: number;
  commits: CommitInfo[];
}

/** Everything known about one branch after analysis (JSON-serialisable; it goes in result details). */
export interface BranchAnalysis {
  branch: string;
  state: BranchState;
  a: string | null;
  b: string | null;
  /** For diverged branches; null when the histories are unrelated. */
  mergeBase: string | null;
  onlyInA: CommitList;
  onlyInB: CommitList;
}

/** Identifies one mirrored branch: the key of its divergence issue. */
export interface MirrorKey {
  a: string;
  b: string;
  branch: string;
}

export interface DivergenceReport {
  key: MirrorKey;
  analysis: BranchAnalysis;
  /** Stable digest of the divergent state: an issue is commented on only when it changes. */
  fingerprint: string;
  /** Markdown body: what diverged and how to resolve it. */
  markdown: string;
}

export interface IssueRef {
  number: number;
  url: string;
  /** What this run did to the issue. */
  action: 'created' | 'commented' | 'unchanged' | 'closed';
}

/**
 * Where divergence goes when `on-divergence: issue`. Core never imports Octokit: src/github
 * implements this (GitHubDivergenceIssues), tests can pass a fake.
 */
export interface DivergenceIssueSink {
  /** Open an issue, or comment on the open one when the divergence changed. */
  reportDivergence(report: DivergenceReport): Promise<IssueRef>;
  /** The branch is in sync again: comment "resolved" and close its open issue, if any. */
  reportInSync(key: MirrorKey, analysis: BranchAnalysis): Promise<IssueRef | undefined>;
}
