/**
 * The import engine's pull request operations (core/import PullRequestHost) over the GitHub REST
 * API (repo-pull-requests.ts): the public repository's pull request is read and commented on, the
 * private repository's pull request is found by its head branch, opened or updated. One Octokit
 * (client.ts) for both.
 */
import { ConfigurationError } from '../core/errors.js';
import type { PrivatePullRequest, PublicPullRequest, PullRequestHost } from '../core/import/types.js';
import type { Logger } from '../core/logger.js';
import { createGitHubClient, type GitHubClient } from './client.js';
import { RepoPullRequests } from './repo-pull-requests.js';

export interface PullRequestHostOptions {
  token: string;
  /** `owner/name` of the public repository. */
  publicRepo: string;
  /** `owner/name` of the private repository; absent: private pull requests cannot be opened. */
  privateRepo?: string;
  logger: Logger;
}

export function createPullRequestHost(o: PullRequestHostOptions): PullRequestHost {
  return new GitHubPullRequests(createGitHubClient({ token: o.token, logger: o.logger }), o);
}

class GitHubPullRequests implements PullRequestHost {
  private readonly pub: RepoPullRequests;
  private readonly priv?: RepoPullRequests;

  constructor(
    private readonly octokit: GitHubClient,
    o: PullRequestHostOptions,
  ) {
    this.pub = new RepoPullRequests(octokit, o.publicRepo);
    this.priv = o.privateRepo ? new RepoPullRequests(octokit, o.privateRepo) : undefined;
  }

  async getPublic(n: number): Promise<PublicPullRequest> {
    const data = await this.pub.get(n);
    const login = data.user?.login ?? 'ghost';
    return {
      number: data.number,
      title: data.title,
      body: data.body ?? '',
      state: data.state === 'open' ? 'open' : 'closed',
      headSha: data.head.sha,
      url: data.html_url,
      author: { login, id: data.user?.id ?? 0, name: await this.displayName(login) },
    };
  }

  /** The name GitHub shows for a user; undefined when unset or unreadable (the login is used). */
  private async displayName(login: string): Promise<string | undefined> {
    try {
      const { data } = await this.octokit.rest.users.getByUsername({ username: login });
      return data.name ?? undefined;
    } catch {
      return undefined;
    }
  }

  listPublicByLabel(label: string): Promise<number[]> {
    return this.pub.openWithLabel(label);
  }

  commentPublic(n: number, marker: string, body: string): Promise<boolean> {
    return this.pub.commentOnce(n, marker, body);
  }

  async findPrivate(head: string): Promise<PrivatePullRequest | undefined> {
    const open = await this.private().list(head, { state: 'open', perPage: 10 });
    const pr = open.find((p) => p.head.ref === head);
    return pr && { number: pr.number, url: pr.html_url };
  }

  async openPrivate(p: {
    head: string;
    base: string;
    title: string;
    body: string;
  }): Promise<PrivatePullRequest> {
    const data = await this.private().create(p);
    return { number: data.number, url: data.html_url };
  }

  async updatePrivate(n: number, p: { title: string; body: string }): Promise<void> {
    await this.private().update(n, p);
  }

  commentPrivate(n: number, marker: string, body: string): Promise<boolean> {
    return this.private().commentOnce(n, marker, body);
  }

  private private(): RepoPullRequests {
    if (!this.priv)
      throw new ConfigurationError(
        'Opening a private pull request needs the private repository as owner/name (private-repo), or open-pull-request: false.',
      );
    return this.priv;
  }
}
