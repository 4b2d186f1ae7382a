import { ConfigurationError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import {
  changedMarkdown,
  issueTitle,
  parseIssueMarker,
  resolvedMarkdown,
  sameKey,
  withMarker,
} from '../core/mirror/report.js';
import type {
  BranchAnalysis,
  DivergenceIssueSink,
  DivergenceReport,
  IssueRef,
  MirrorKey,
} from '../core/mirror/types.js';
import type { DivergenceIssueFactory } from '../core/runner/kinds/types.js';
import { createGitHubClient, explainApiError, type GitHubClient } from './client.js';

interface OpenIssue {
  number: number;
  body: string;
  html_url: string;
}

export interface DivergenceIssueOptions {
  /** `owner/name` of the repository the issues live in. */
  repository: string;
  /** Labels put on a new issue (created in the repo when missing). The first one filters the lookup. */
  labels: string[];
  logger: Logger;
}

const LABEL_COLORS: Record<string, string> = { 'sync-failure': 'd73a4a', urgent: 'b60205' };

/**
 * Divergence issues on GitHub. An issue is found again by the hidden marker in its body (repo pair +
 * branch), never by title. Its fingerprint (tips + merge base) sits in the same marker: a run
 * comments only when the fingerprint changed, and closes the issue when the branch is back in sync.
 * Open issues are listed once per run (one paginated request per 100 issues), then cached.
 */
export class GitHubDivergenceIssues implements DivergenceIssueSink {
  private readonly owner: string;
  private readonly repo: string;
  private open?: OpenIssue[];

  constructor(
    private readonly octokit: GitHubClient,
    private readonly opts: DivergenceIssueOptions,
  ) {
    const m = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(opts.repository.trim());
    if (!m)
      throw new ConfigurationError(
        `Invalid issue repository '${opts.repository}'. Expected format {owner}/{repo}.`,
      );
    [, this.owner, this.repo] = m;
  }

  async reportDivergence(report: DivergenceReport): Promise<IssueRef> {
    return this.api('Opening the divergence issue', async () => {
      const existing = await this.find(report.key);
      const body = withMarker(report.markdown, report.key, report.fingerprint);
      if (!existing) {
        await this.ensureLabels();
        const { data } = await this.octokit.rest.issues.create({
          owner: this.owner,
          repo: this.repo,
          title: issueTitle(report.key),
          body,
          labels: this.opts.labels,
        });
        this.open!.push({ number: data.number, body, html_url: data.html_url });
        this.opts.logger.info(`Opened issue #${data.number}: ${data.html_url}`);
        return { number: data.number, url: data.html_url, action: 'created' };
      }
      const ref = { number: existing.number, url: existing.html_url };
      if (parseIssueMarker(existing.body)?.fingerprint === report.fingerprint) {
        this.opts.logger.info(`Issue #${existing.number} already describes this divergence: not commenting.`);
        return { ...ref, action: 'unchanged' };
      }
      await this.octokit.rest.issues.createComment({
        owner: this.owner,
        repo: this.repo,
        issue_number: existing.number,
        body: changedMarkdown(report.markdown),
      });
      // The body always shows the current state, and its marker carries the new fingerprint.
      await this.octokit.rest.issues.update({
        owner: this.owner,
        repo: this.repo,
        issue_number: existing.number,
        body,
      });
      existing.body = body;
      this.opts.logger.info(`Commented on issue #${existing.number}: the divergence changed.`);
      return { ...ref, action: 'commented' };
    });
  }

  async reportInSync(key: MirrorKey, analysis: BranchAnalysis): Promise<IssueRef | undefined> {
    return this.api('Closing the divergence issue', async () => {
      const existing = await this.find(key);
      if (!existing) return undefined;
      await this.octokit.rest.issues.createComment({
        owner: this.owner,
        repo: this.repo,
        issue_number: existing.number,
        body: resolvedMarkdown(analysis),
      });
      await this.octokit.rest.issues.update({
        owner: this.owner,
        repo: this.repo,
        issue_number: existing.number,
        state: 'closed',
        state_reason: 'completed',
      });
      this.open = this.open!.filter((i) => i !== existing);
      this.opts.logger.info(`Closed issue #${existing.number}: ${key.branch} is in sync again.`);
      return { number: existing.number, url: existing.html_url, action: 'closed' };
    });
  }

  private async find(key: MirrorKey): Promise<OpenIssue | undefined> {
    if (!this.open) {
      const label = this.opts.labels[0];
      const items = await this.octokit.paginate(this.octokit.rest.issues.listForRepo, {
        owner: this.owner,
        repo: this.repo,
        state: 'open',
        ...(label ? { labels: label } : {}),
        per_page: 100,
      });
      this.open = items
        .filter((i) => !i.pull_request)
        .map((i) => ({ number: i.number, body: i.body ?? '', html_url: i.html_url }));
    }
    return this.open.find((i) => {
      const m = parseIssueMarker(i.body);
      return m !== null && sameKey(m, key);
    });
  }

  private async ensureLabels(): Promise<void> {
    if (this.opts.labels.length === 0) return;
    const existing = await this.octokit.paginate(this.octokit.rest.issues.listLabelsForRepo, {
      owner: this.owner,
      repo: this.repo,
      per_page: 100,
    });
    const have = new Set(existing.map((l) => l.name.toLowerCase()));
    for (const name of this.opts.labels) {
      if (have.has(name.toLowerCase())) continue;
      try {
        await this.octokit.rest.issues.createLabel({
          owner: this.owner,
          repo: this.repo,
          name,
          color: LABEL_COLORS[name] ?? 'ededed',
          description: 'Opened by Ferry when a mirrored branch diverges',
        });
      } catch (e) {
        // Another run created it meanwhile: fine.
        if ((e as { status?: number }).status !== 422) throw e;
      }
    }
  }

  private async api<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw explainApiError(e, what, `${this.owner}/${this.repo}`);
    }
  }
}

/**
 * The runner's divergence-issue sinks (`mirror` targets with `on_divergence: issue`) for an API
 * token: one client for the run, one sink per target. Undefined without a token.
 */
export function divergenceIssueFactory(
  token: string | undefined,
  logger: Logger,
): DivergenceIssueFactory | undefined {
  if (!token) return undefined;
  let client: GitHubClient | undefined;
  return (repository, labels) =>
    new GitHubDivergenceIssues((client ??= createGitHubClient({ token, logger })), {
      repository,
      labels,
      logger,
    });
}
