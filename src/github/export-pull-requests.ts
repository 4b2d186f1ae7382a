/**
 * The export's pull request operations (core/export ExportPullRequestApi) over the GitHub REST
 * API (repo-pull-requests.ts): the rolling pull request of an export as a pull request, and
 * closing imported public pull requests once they landed.
 */
import type { Logger } from '../core/logger.js';
import type {
  ExportPullRequest,
  ExportPullRequestApi,
  ExportPullRequestApiFactory,
} from '../core/export/pull-request-api.js';
import { createGitHubClient, type GitHubClient } from './client.js';
import { RepoPullRequests, type PullData } from './repo-pull-requests.js';

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

function exportPullRequests(pulls: RepoPullRequests): ExportPullRequestApi {
  return {
    repository: pulls.repository,
    list: async (head, base) =>
      (await pulls.list(head, { base, state: 'all', perPage: 20 })).map((d) => toPull(d)),
    get: async (number) => toPull(await pulls.get(number)),
    create: async (p) => toPull(await pulls.create(p)),
    update: async (number, p) => toPull(await pulls.update(number, p)),
    addLabels: (number, labels) => pulls.addLabels(number, labels),
    commentOnce: (number, marker, body) => pulls.commentOnce(number, marker, body),
  };
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
    exportPullRequests(new RepoPullRequests((client ??= createGitHubClient({ token, logger })), repository));
}
