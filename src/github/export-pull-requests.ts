/**
 * The export's pull request operations (core/export ExportPullRequestApi) over the GitHub REST
 * API, through the one Octokit (client.ts): the rolling pull request of an export as a pull
 * request, and closing imported public pull requests once they landed.
 */
import { ConfigurationError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import {
  PullRequestExistsError,
  type ExportPullRequest,
  type ExportPullRequestApi,
  type ExportPullRequestApiFactory,
} from '../core/export/pull-request-api.js';
import { createGitHubClient, explainApiError, type GitHubClient } from './client.js';

interface PullData {
  number: number;
  html_url: string;
  state: string;
  merged_at: string | null;
  head: { sha: string };
  body: string | null;
}

function toPull(d: PullData): ExportPullRequest {
  return {
    number: d.number,
    url: d.html_url,
    state: d.state === 'open' ? 'open' : 'closed',
    merged: d.merged_at !== null,
    headSha: d.head.sha,
    body: d.body ?? '',
  };
}

class GitHubExportPullRequests implements ExportPullRequestApi {
  private readonly owner: string;
  private readonly repo: string;

  constructor(
    private readonly octokit: GitHubClient,
    readonly repository: string,
  ) {
    const m = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(repository);
    if (!m)
      throw new ConfigurationError(`Invalid repository '${repository}'. Expected format {owner}/{repo}.`);
    [, this.owner, this.repo] = m;
  }

  list(head: string, base: string): Promise<ExportPullRequest[]> {
    return this.api(`Listing pull requests from ${head}`, async () => {
      // GitHub filters on `head` only in the owner:branch form.
      const { data } = await this.octokit.rest.pulls.list({
        owner: this.owner,
        repo: this.repo,
        head: `${this.owner}:${head}`,
        base,
        state: 'all',
        sort: 'created',
        direction: 'desc',
        per_page: 20,
      });
      return data.map((d) => toPull(d));
    });
  }

  get(number: number): Promise<ExportPullRequest> {
    return this.api(`Reading pull request #${number}`, async () =>
      toPull(
        (await this.octokit.rest.pulls.get({ owner: this.owner, repo: this.repo, pull_number: number })).data,
      ),
    );
  }

  create(p: {
    head: string;
    base: string;
    title: string;
    body: string;
    draft: boolean;
  }): Promise<ExportPullRequest> {
    return this.api('Opening the pull request', async () => {
      try {
        const { data } = await this.octokit.rest.pulls.create({ owner: this.owner, repo: this.repo, ...p });
        return toPull(data);
      } catch (e) {
        const msg = JSON.stringify((e as { response?: { data?: unknown } }).response?.data ?? '');
        if ((e as { status?: number }).status === 422 && /already exists/i.test(msg))
          throw new PullRequestExistsError(p.head);
        throw e;
      }
    });
  }

  update(number: number, p: { title?: string; body?: string; state?: 'closed' }): Promise<ExportPullRequest> {
    return this.api(`Updating pull request #${number}`, async () =>
      toPull(
        (
          await this.octokit.rest.pulls.update({
            owner: this.owner,
            repo: this.repo,
            pull_number: number,
            ...p,
          })
        ).data,
      ),
    );
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
        body: `${marker}\n${body}`,
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

/**
 * The pull request API for the export, per repository, for an API token: one client for the run.
 * Undefined without a token (an export as a pull request then says it needs one).
 */
export function exportPullRequestFactory(
  token: string | undefined,
  logger: Logger,
): ExportPullRequestApiFactory | undefined {
  if (!token) return undefined;
  let client: GitHubClient | undefined;
  return (repository) =>
    new GitHubExportPullRequests((client ??= createGitHubClient({ token, logger })), repository);
}
