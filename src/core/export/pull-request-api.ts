/**
 * The pull request operations an export needs (export as a pull request, and closing the loop on
 * an imported public pull request). Core never imports Octokit: the adapters implement this over
 * the GitHub REST API (src/github/export-pull-requests.ts) and pass a factory in.
 */
import { RemoteError } from '../errors.js';

/** A pull request as the export reads it. */
export interface ExportPullRequest {
  number: number;
  /** The page a person opens (html_url). */
  url: string;
  state: 'open' | 'closed';
  merged: boolean;
  headSha: string;
  body: string;
}

export interface ExportPullRequestApi {
  /** `owner/name` of the repository these pull requests live in. */
  readonly repository: string;
  /** Pull requests from branch `head` of this repository into `base`, open and closed, newest first. */
  list(head: string, base: string): Promise<ExportPullRequest[]>;
  get(number: number): Promise<ExportPullRequest>;
  create(p: {
    head: string;
    base: string;
    title: string;
    body: string;
    draft: boolean;
  }): Promise<ExportPullRequest>;
  update(number: number, p: { title?: string; body?: string; state?: 'closed' }): Promise<ExportPullRequest>;
  addLabels(number: number, labels: readonly string[]): Promise<void>;
  /**
   * Comment unless a comment holding `marker` (a hidden HTML comment) is there already; the marker
   * is put in the comment. Returns whether it commented.
   */
  commentOnce(number: number, marker: string, body: string): Promise<boolean>;
}

/** The API for one repository (`owner/name`); the adapters make it from their token. */
export type ExportPullRequestApiFactory = (repository: string) => ExportPullRequestApi;

/**
 * A create that lost the race to another run's create of the same head and base (GitHub's 422).
 * The export finds the winner's pull request; elsewhere it is a remote refusal (exit 1, one line).
 */
export class PullRequestExistsError extends RemoteError {
  constructor(readonly head: string) {
    super(`A pull request from ${head} exists already.`);
    this.name = 'PullRequestExistsError';
  }
}
