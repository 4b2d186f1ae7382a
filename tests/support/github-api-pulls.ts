import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { TOKEN_USER, type ApiUser, type Issue } from './github-api-json.js';
import { NOT_FOUND, validationFailed } from './github-api-issues.js';
import {
  timestamp,
  type ApiCall,
  type ApiState,
  type Pull,
  type RepoState,
  type Reply,
} from './github-api-state.js';
import { pullJson } from './github-pulls-json.js';

/**
 * Pull requests of the loopback GitHub API, backed by the bare repositories the loopback git
 * server serves (`attach`). As on GitHub: a pull request is an issue too (comments and labels go
 * through the issues operations); `refs/pull/N/head` follows the head branch while the pull
 * request is open; deleting the head branch closes it; a head that reaches the base branch (a
 * fast-forward push) marks it merged. `merge()` is the maintainer pressing the button.
 */
export const PULL_OPERATIONS: [string, string][] = [
  ['GET', '/repos/{owner}/{repo}/pulls'],
  ['POST', '/repos/{owner}/{repo}/pulls'],
  ['GET', '/repos/{owner}/{repo}/pulls/{pull_number}'],
  ['PATCH', '/repos/{owner}/{repo}/pulls/{pull_number}'],
];

export interface OpenPull {
  title: string;
  body?: string;
  /** `branch`, or `owner:branch` for a branch of the fork `owner/<name>`. */
  head: string;
  base?: string;
  draft?: boolean;
  user?: ApiUser;
}

export type MergeMethod = 'merge' | 'squash' | 'fast-forward';

export class PullRequests {
  private gitRoot?: string;

  constructor(private readonly s: ApiState) {}

  /** Back pull requests by the bare repos under a loopback git server's root. */
  attach(gitRoot: string): void {
    this.gitRoot = gitRoot;
  }

  /** Open a pull request as `user` (a contributor, say) without going through the API. */
  open(full: string, o: OpenPull): Pull {
    const r = this.create(full, o, o.user ?? TOKEN_USER);
    if (!Array.isArray(r)) return r;
    throw new Error(`cannot open the pull request: ${JSON.stringify(r[1])}`);
  }

  get(full: string, n: number): Pull | undefined {
    this.sync(full);
    return this.s.repo(full).pulls.get(n);
  }

  all(full: string): { pull: Pull; issue: Issue }[] {
    this.sync(full);
    const repo = this.s.repo(full);
    return [...repo.pulls.values()].map((pull) => ({ pull, issue: this.issueOf(repo, pull.number) }));
  }

  /**
   * Merge an open pull request the way the merge button does: a merge commit, a squash commit
   * (message: title (#N), blank line, body) or a fast-forward of the base to the head.
   */
  merge(full: string, n: number, method: MergeMethod = 'squash', deleteBranch = false): string {
    this.sync(full);
    const repo = this.s.repo(full);
    const pr = repo.pulls.get(n);
    const issue = this.issueOf(repo, n);
    if (!pr || issue.state !== 'open') throw new Error(`pull request #${n} is not open`);
    const dir = this.dir(full);
    const baseRef = `refs/heads/${pr.baseRef}`;
    const baseTip = this.git(dir, ['rev-parse', baseRef]);
    let sha: string;
    if (method === 'fast-forward') {
      if (!this.isAncestor(dir, baseTip, pr.headSha)) throw new Error('not a fast-forward');
      sha = pr.headSha;
    } else {
      const tree = this.git(dir, ['merge-tree', '--write-tree', baseTip, pr.headSha]).split('\n')[0];
      const msg =
        method === 'squash'
          ? `${issue.title} (#${n})\n\n${issue.body ?? ''}`
          : `Merge pull request #${n} from ${pr.headRepo.split('/')[0]}/${pr.headRef}\n\n${issue.title}`;
      const parents = method === 'squash' ? [baseTip] : [baseTip, pr.headSha];
      sha = this.git(dir, ['commit-tree', tree, ...parents.flatMap((p) => ['-p', p]), '-m', msg]);
    }
    this.git(dir, ['update-ref', baseRef, sha, baseTip]);
    pr.mergedAt = timestamp();
    pr.mergeCommitSha = sha;
    this.closeIssue(issue, pr.mergedAt);
    if (deleteBranch) this.git(this.dir(pr.headRepo), ['update-ref', '-d', `refs/heads/${pr.headRef}`]);
    return sha;
  }

  /** Bring every open pull request of `full` up to date with its branches. */
  sync(full: string): void {
    if (!this.gitRoot) return;
    const repo = this.s.repo(full);
    const dir = this.dir(full);
    for (const pr of repo.pulls.values()) {
      const issue = this.issueOf(repo, pr.number);
      if (issue.state !== 'open') continue;
      const head = this.tryRev(this.dir(pr.headRepo), `refs/heads/${pr.headRef}`);
      if (head && head !== pr.headSha) {
        pr.headSha = head;
        this.copyHead(full, pr);
      }
      const base = this.tryRev(dir, `refs/heads/${pr.baseRef}`);
      if (base) pr.baseSha = base;
      if (base && this.isAncestor(dir, pr.headSha, base)) {
        pr.mergedAt = timestamp();
        pr.mergeCommitSha = pr.headSha;
        this.closeIssue(issue, pr.mergedAt);
      } else if (!head) this.closeIssue(issue, timestamp());
    }
  }

  serve(opId: string, c: ApiCall): Reply | undefined {
    const { repo, full, body, u } = c;
    if (opId.startsWith('pulls/')) this.sync(full);
    const found = () => repo.pulls.get(Number(c.p.pull_number));
    switch (opId) {
      case 'pulls/list': {
        const state = u.searchParams.get('state') ?? 'open';
        // GitHub matches `head` only in the `owner:branch` form; a bare branch name filters nothing.
        const head = u.searchParams.get('head');
        const base = u.searchParams.get('base');
        const dir = u.searchParams.get('direction') ?? 'desc';
        const items = [...repo.pulls.values()]
          .filter((pr) => state === 'all' || this.issueOf(repo, pr.number).state === state)
          .filter((pr) => !head?.includes(':') || head === `${pr.headRepo.split('/')[0]}:${pr.headRef}`)
          .filter((pr) => !base || pr.baseRef === base)
          .sort((a, b) => (dir === 'asc' ? a.number - b.number : b.number - a.number));
        return this.s.page(
          u,
          items.map((pr) => this.json(full, pr, true)),
        );
      }
      case 'pulls/create': {
        const r = this.create(
          full,
          {
            title: String(body.title),
            body: body.body as string | undefined,
            head: String(body.head),
            base: String(body.base),
            draft: body.draft === true,
          },
          TOKEN_USER,
        );
        if (Array.isArray(r)) return r;
        return [
          201,
          this.json(full, r, false),
          { location: `${this.s.url}/repos/${full}/pulls/${r.number}` },
        ];
      }
      case 'pulls/get': {
        const pr = found();
        return pr ? [200, this.json(full, pr, false)] : NOT_FOUND;
      }
      case 'pulls/update': {
        const pr = found();
        if (!pr) return NOT_FOUND;
        const issue = this.issueOf(repo, pr.number);
        if (typeof body.title === 'string') issue.title = body.title;
        if (typeof body.body === 'string') issue.body = body.body;
        if (typeof body.maintainer_can_modify === 'boolean')
          pr.maintainerCanModify = body.maintainer_can_modify;
        if (typeof body.base === 'string') {
          if (!this.tryRev(this.dir(full), `refs/heads/${body.base}`))
            return validationFailed([{ resource: 'PullRequest', field: 'base', code: 'invalid' }]);
          pr.baseRef = body.base;
        }
        if (body.state === 'closed' && issue.state === 'open') this.closeIssue(issue, timestamp());
        else if (body.state === 'open' && issue.state === 'closed') {
          if (pr.mergedAt)
            return validationFailed([
              { resource: 'PullRequest', code: 'custom', message: 'Cannot reopen a merged pull request' },
            ]);
          if (!this.tryRev(this.dir(pr.headRepo), `refs/heads/${pr.headRef}`))
            return validationFailed([
              {
                resource: 'PullRequest',
                code: 'custom',
                message: 'state cannot be changed. The head branch was deleted.',
              },
            ]);
          issue.state = 'open';
          issue.closed_at = null;
          issue.state_reason = 'reopened';
        }
        issue.updated_at = timestamp();
        return [200, this.json(full, pr, false)];
      }
    }
    return undefined;
  }

  private create(full: string, o: OpenPull, user: ApiUser): Pull | Reply {
    const repo = this.s.repo(full);
    const [headOwner, headRef] = o.head.includes(':') ? o.head.split(':', 2) : [full.split('/')[0], o.head];
    const headRepo = `${headOwner}/${full.split('/')[1]}`;
    const baseRef = o.base ?? 'main';
    const head = this.tryRev(this.dir(headRepo), `refs/heads/${headRef}`);
    const base = this.tryRev(this.dir(full), `refs/heads/${baseRef}`);
    if (!head) return validationFailed([{ resource: 'PullRequest', field: 'head', code: 'invalid' }]);
    if (!base) return validationFailed([{ resource: 'PullRequest', field: 'base', code: 'invalid' }]);
    this.sync(full);
    const label = `${headOwner}:${headRef}`;
    for (const pr of repo.pulls.values())
      if (
        pr.headRepo === headRepo &&
        pr.headRef === headRef &&
        pr.baseRef === baseRef &&
        this.issueOf(repo, pr.number).state === 'open'
      )
        return validationFailed([
          { resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${label}.` },
        ]);
    const pr: Pull = {
      number: repo.issues.length + 1,
      id: this.s.nextId(),
      draft: o.draft === true,
      headRef,
      headRepo,
      headSha: head,
      baseRef,
      baseSha: base,
      mergedAt: null,
      mergeCommitSha: null,
      maintainerCanModify: false,
      user,
    };
    this.copyHead(full, pr);
    if (this.isAncestor(this.dir(full), head, base)) {
      this.git(this.dir(full), ['update-ref', '-d', `refs/pull/${pr.number}/head`]);
      return validationFailed([
        { resource: 'PullRequest', code: 'custom', message: `No commits between ${baseRef} and ${headRef}` },
      ]);
    }
    const now = timestamp();
    repo.issues.push({
      id: pr.id,
      number: pr.number,
      title: o.title,
      body: o.body ?? null,
      state: 'open',
      state_reason: null,
      labels: [],
      created_at: now,
      updated_at: now,
      closed_at: null,
      user,
      pull: true,
    });
    repo.pulls.set(pr.number, pr);
    return pr;
  }

  private json(full: string, pr: Pull, simple: boolean) {
    const repo = this.s.repo(full);
    const issue = this.issueOf(repo, pr.number);
    return pullJson(
      this.s.url,
      full,
      pr,
      issue,
      repo.labels,
      (repo.comments.get(pr.number) ?? []).length,
      simple,
    );
  }

  private issueOf(repo: RepoState, n: number): Issue {
    return repo.issues.find((i) => i.number === n)!;
  }

  private closeIssue(issue: Issue, at: string): void {
    issue.state = 'closed';
    issue.closed_at = at;
    issue.updated_at = at;
    issue.state_reason = null;
  }

  /** `refs/pull/N/head` in the base repository: the head's commits, fetched from a fork if need be. */
  private copyHead(full: string, pr: Pull): void {
    const dir = this.dir(full);
    if (pr.headRepo !== full)
      this.git(dir, [
        'fetch',
        '-q',
        '--no-tags',
        this.dir(pr.headRepo),
        `+refs/heads/${pr.headRef}:refs/pull/${pr.number}/head`,
      ]);
    else this.git(dir, ['update-ref', `refs/pull/${pr.number}/head`, pr.headSha]);
  }

  private dir(full: string): string {
    if (!this.gitRoot) throw new Error('pull requests need a git server: call attach(gitServer.root)');
    return path.join(this.gitRoot, `${full}.git`);
  }

  private tryRev(dir: string, ref: string): string | undefined {
    try {
      return this.git(dir, ['rev-parse', '--verify', '-q', `${ref}^{commit}`]);
    } catch {
      return undefined;
    }
  }

  private isAncestor(dir: string, a: string, b: string): boolean {
    try {
      this.git(dir, ['merge-base', '--is-ancestor', a, b]);
      return true;
    } catch {
      return false;
    }
  }

  private git(dir: string, args: string[]): string {
    return execFileSync('git', ['--git-dir', dir, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        GIT_CONFIG_NOSYSTEM: '1',
        HOME: process.env.HOME,
        GIT_AUTHOR_NAME: 'GitHub',
        GIT_AUTHOR_EMAIL: 'noreply@github.com',
        GIT_COMMITTER_NAME: 'GitHub',
        GIT_COMMITTER_EMAIL: 'noreply@github.com',
      },
    }).trim();
  }
}
