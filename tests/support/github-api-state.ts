import type { ApiUser, Comment, Issue, Label } from './github-api-json.js';

/** State and helpers the loopback GitHub API's resource modules share (see github-api-server.ts). */
export const DOCS = 'https://docs.github.com/rest';

/** A pull request's own fields; title, body, state and labels live on its issue (same number). */
export interface Pull {
  number: number;
  id: number;
  draft: boolean;
  /** Head branch and the repository it lives in (a fork for cross-repository pull requests). */
  headRef: string;
  headRepo: string;
  headSha: string;
  baseRef: string;
  /** The base branch's tip when the pull request was opened (GitHub's `base.sha` moves; ours is refreshed). */
  baseSha: string;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  maintainerCanModify: boolean;
  user: ApiUser;
}

export interface RepoState {
  issues: Issue[];
  comments: Map<number, Comment[]>;
  labels: Label[];
  pulls: Map<number, Pull>;
}

/** One request that reached an operation, with its repository's state. */
export interface ApiCall {
  full: string;
  p: Record<string, string>;
  u: URL;
  body: Record<string, unknown>;
  now: string;
  repo: RepoState;
}

export type Reply = [status: number, body: unknown, headers?: Record<string, string>];

export interface ApiState {
  /** The API base URL (with the GHES path prefix when there is one). */
  readonly url: string;
  nextId(): number;
  repo(full: string): RepoState;
  ensureLabel(repo: RepoState, name: string): void;
  page(u: URL, items: unknown[]): Reply;
  issueJson(full: string, i: Issue): unknown;
}

export function timestamp(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}
