/**
 * One repository's pull request operations over the one Octokit (client.ts): the calls both the
 * export (export-pull-requests.ts: export as a pull request, closing the loop) and the import
 * (pull-requests.ts: the public and the private side) make, each written once, with the same
 * error explanation. The adapters above map GitHub's fields to what their core side reads.
 */
import { ConfigurationError } from '../core/errors.js';
import { PullRequestExistsError } from '../core/export/pull-request-api.js';
import { explainApiError, type GitHubClient } from './client.js';

/** The fields of a pull request (pulls.get, pulls.list, pulls.create, pulls.update) Ferry reads. */
export interface PullData {
  number: number;
  html_url: string;
  title: string;
  state: string;
  merged_at: string | null;
  head: { sha: string; ref: string };
  body: string | null;
  user: { login: string; id: number } | null;
}

const SLUG = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/;

export class RepoPullRequests {
  readonly owner: string;
  readonly repo: string;

  constructor(
    private readonly octokit: GitHubClient,
    /** `owner/name`. */
    readonly repository: string,
  ) {
    const m = SLUG.exec(repository);
    if (!m)
      throw new ConfigurationError(`Invalid repository '${repository}'. Expected format {owner}/{repo}.`);
    [, this.owner, this.repo] = m;
  }

  /** Pull requests from branch `head` of this repository, newest first (GitHub filters on `head` only as owner:branch). */
  list(head: string, o: { base?: string; state: 'open' | 'all'; perPage: number }): Promise<PullData[]> {
    return this.api(`Listing pull requests from ${head}`, async () => {
      const { data } = await this.octokit.rest.pulls.list({
        owner: this.owner,
        repo: this.repo,
        head: `${this.owner}:${head}`,
        ...(o.base ? { base: o.base } : {}),
        state: o.state,
        sort: 'created',
        direction: 'desc',
        per_page: o.perPage,
      });
      return data;
    });
  }

  get(number: number): Promise<PullData> {
    return this.api(`Reading pull request #${number}`, async () => {
      const { data } = await this.octokit.rest.pulls.get({
        owner: this.owner,
        repo: this.repo,
        pull_number: number,
      });
      return data;
    });
  }

  /** Throws PullRequestExistsError when a pull request from `head` into `base` is open already (GitHub's 422). */
  create(p: { head: string; base: string; title: string; body: string; draft?: boolean }): Promise<PullData> {
    return this.api('Opening the pull request', async () => {
      try {
        const { data } = await this.octokit.rest.pulls.create({ owner: this.owner, repo: this.repo, ...p });
        return data;
      } catch (e) {
        const msg = JSON.stringify((e as { response?: { data?: unknown } }).response?.data ?? '');
        if ((e as { status?: number }).status === 422 && /already exists/i.test(msg))
          throw new PullRequestExistsError(p.head);
        throw e;
      }
    });
  }

  update(number: number, p: { title?: string; body?: string; state?: 'closed' }): Promise<PullData> {
    return this.api(`Updating pull request #${number}`, async () => {
      const { data } = await this.octokit.rest.pulls.update({
        owner: this.owner,
        repo: this.repo,
        pull_number: number,
        ...p,
      });
      return data;
    });
  }

  async addLabels(number: number, labels: readonly string[]): Promise<void> {
    await this.api(`Labelling pull request #${number}`, () =>
      this.octokit.rest.issues.addLabels({
        owner: this.owner,
        repo: this.repo,
        issue_number: number,
        labels: [...labels],
      }),
    );
  }

  /** The open pull requests carrying `label`, by number. */
  openWithLabel(label: string): Promise<number[]> {
    return this.api(`Listing pull requests labelled '${label}'`, async () => {
      const items = await this.octokit.paginate(this.octokit.rest.issues.listForRepo, {
        owner: this.owner,
        repo: this.repo,
        state: 'open',
        labels: label,
        per_page: 100,
      });
      return items.filter((i) => i.pull_request).map((i) => i.number);
    });
  }

  /**
   * Comment unless a comment holding `marker` (a hidden HTML comment) is there already; the
   * marker is put first unless the body holds it. Returns whether it commented.
   */
  commentOnce(number: number, marker: string, body: string): Promise<boolean> {
    return this.api(`Commenting on pull request #${number}`, async () => {
      const comments = await this.octokit.paginate(this.octokit.rest.issues.listComments, {
        owner: this.owner,
        repo: this.repo,
        issue_number: number,
        per_page: 100,
      });
      if (comments.some((c) => c.body?.includes(marker))) return false;
      await this.octokit.rest.issues.createComment({
        owner: this.owner,
        repo: this.repo,
        issue_number: number,
        body: body.includes(marker) ? body : `${marker}\n${body}`,
      });
      return true;
    });
  }

  private async api<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof PullRequestExistsError) throw e;
      throw explainApiError(e, what, this.repository, 'pull-requests: write');
    }
  }
}
