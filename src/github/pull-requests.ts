/**
 * The import engine's pull request operations (core/import PullRequestHost) over the GitHub REST
 * API: the public repository's pull request is read and commented on, the private repository's
 * pull request is found by its head branch, opened or updated. One Octokit (client.ts) for both.
 */
import { ConfigurationError } from '../core/errors.js';
import type { PrivatePullRequest, PublicPullRequest, PullRequestHost } from '../core/import/types.js';
import type { Logger } from '../core/logger.js';
import { createGitHubClient, explainApiError, type GitHubClient } from './client.js';

interface Repo {
  owner: string;
  repo: string;
}

function repoOf(slug: string): Repo {
  const [owner, repo] = slug.split('/');
  return { owner, repo };
}

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
  private readonly pub: Repo;
  private readonly priv?: Repo;

  constructor(
    private readonly octokit: GitHubClient,
    private readonly o: PullRequestHostOptions,
  ) {
    this.pub = repoOf(o.publicRepo);
    this.priv = o.privateRepo ? repoOf(o.privateRepo) : undefined;
  }

  getPublic(n: number): Promise<PublicPullRequest> {
    return this.api(`Reading pull request #${n}`, this.o.publicRepo, async () => {
      const { data } = await this.octokit.rest.pulls.get({ ...this.pub, pull_number: n });
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
    });
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
    return this.api(`Listing pull requests labelled '${label}'`, this.o.publicRepo, async () => {
      const items = await this.octokit.paginate(this.octokit.rest.issues.listForRepo, {
        ...this.pub,
        state: 'open',
        labels: label,
        per_page: 100,
      });
      return items.filter((i) => i.pull_request).map((i) => i.number);
    });
  }

  commentPublic(n: number, marker: string, body: string): Promise<boolean> {
    return this.commentOnce(this.pub, this.o.publicRepo, n, marker, body);
  }

  findPrivate(head: string): Promise<PrivatePullRequest | undefined> {
    const priv = this.privateRepo();
    return this.api('Finding the private pull request', this.o.privateRepo!, async () => {
      const { data } = await this.octokit.rest.pulls.list({
        ...priv,
        state: 'open',
        head: `${priv.owner}:${head}`,
        per_page: 10,
      });
      const pr = data.find((p) => p.head.ref === head);
      return pr && { number: pr.number, url: pr.html_url };
    });
  }

  openPrivate(p: { head: string; base: string; title: string; body: string }): Promise<PrivatePullRequest> {
    const priv = this.privateRepo();
    return this.api('Opening the private pull request', this.o.privateRepo!, async () => {
      const { data } = await this.octokit.rest.pulls.create({ ...priv, ...p });
      return { number: data.number, url: data.html_url };
    });
  }

  async updatePrivate(n: number, p: { title: string; body: string }): Promise<void> {
    const priv = this.privateRepo();
    await this.api('Updating the private pull request', this.o.privateRepo!, () =>
      this.octokit.rest.pulls.update({ ...priv, pull_number: n, ...p }),
    );
  }

  commentPrivate(n: number, marker: string, body: string): Promise<boolean> {
    return this.commentOnce(this.privateRepo(), this.o.privateRepo!, n, marker, body);
  }

  private commentOnce(repo: Repo, slug: string, n: number, marker: string, body: string): Promise<boolean> {
    return this.api(`Commenting on ${slug}#${n}`, slug, async () => {
      const comments = await this.octokit.paginate(this.octokit.rest.issues.listComments, {
        ...repo,
        issue_number: n,
        per_page: 100,
      });
      if (comments.some((c) => c.body?.includes(marker))) return false;
      const text = body.includes(marker) ? body : `${marker}\n${body}`;
      await this.octokit.rest.issues.createComment({ ...repo, issue_number: n, body: text });
      return true;
    });
  }

  private privateRepo(): Repo {
    if (!this.priv)
      throw new ConfigurationError(
        'Opening a private pull request needs the private repository as owner/name (private-repo), or open-pull-request: false.',
      );
    return this.priv;
  }

  private async api<T>(what: string, slug: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw explainApiError(e, what, slug);
    }
  }
}
