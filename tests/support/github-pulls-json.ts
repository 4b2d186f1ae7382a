import { labelJson, userJson, type Issue, type Label } from './github-api-json.js';
import type { Pull } from './github-api-state.js';

/**
 * Pull request bodies of the loopback GitHub API (`pull-request` for get/create/update,
 * `pull-request-simple` for list), with every property the OpenAPI description requires.
 */
export function repoJson(base: string, full: string, defaultBranch = 'main') {
  const [owner, name] = full.split('/');
  const api = `${base}/repos/${full}`;
  const stamp = '2024-01-01T00:00:00Z';
  const urls = Object.fromEntries(
    (
      [
        ['archive', '/{archive_format}{/ref}'],
        ['assignees', '/assignees{/user}'],
        ['blobs', '/git/blobs{/sha}'],
        ['branches', '/branches{/branch}'],
        ['collaborators', '/collaborators{/collaborator}'],
        ['comments', '/comments{/number}'],
        ['commits', '/commits{/sha}'],
        ['compare', '/compare/{base}...{head}'],
        ['contents', '/contents/{+path}'],
        ['contributors', '/contributors'],
        ['deployments', '/deployments'],
        ['downloads', '/downloads'],
        ['events', '/events'],
        ['forks', '/forks'],
        ['git_commits', '/git/commits{/sha}'],
        ['git_refs', '/git/refs{/sha}'],
        ['git_tags', '/git/tags{/sha}'],
        ['hooks', '/hooks'],
        ['issue_comment', '/issues/comments{/number}'],
        ['issue_events', '/issues/events{/number}'],
        ['issues', '/issues{/number}'],
        ['keys', '/keys{/key_id}'],
        ['labels', '/labels{/name}'],
        ['languages', '/languages'],
        ['merges', '/merges'],
        ['milestones', '/milestones{/number}'],
        ['notifications', '/notifications{?since,all,participating}'],
        ['pulls', '/pulls{/number}'],
        ['releases', '/releases{/id}'],
        ['stargazers', '/stargazers'],
        ['statuses', '/statuses/{sha}'],
        ['subscribers', '/subscribers'],
        ['subscription', '/subscription'],
        ['tags', '/tags'],
        ['teams', '/teams'],
        ['trees', '/git/trees{/sha}'],
      ] as const
    ).map(([k, suffix]) => [`${k}_url`, api + suffix]),
  );
  return {
    id: hash(full),
    node_id: `R_${hash(full)}`,
    name,
    full_name: full,
    owner: userJson(base, { login: owner, id: hash(owner), type: 'User' }),
    private: false,
    html_url: `${base}/${full}`,
    description: null,
    fork: false,
    url: api,
    ...urls,
    clone_url: `${base}/${full}.git`,
    git_url: `git://127.0.0.1/${full}.git`,
    ssh_url: `git@127.0.0.1:${full}.git`,
    svn_url: `${base}/${full}`,
    mirror_url: null,
    homepage: null,
    language: null,
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers: 0,
    watchers_count: 0,
    size: 0,
    default_branch: defaultBranch,
    open_issues: 0,
    open_issues_count: 0,
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: false,
    archived: false,
    disabled: false,
    license: null,
    pushed_at: stamp,
    created_at: stamp,
    updated_at: stamp,
  };
}

export function pullJson(
  base: string,
  full: string,
  pr: Pull,
  i: Issue,
  labels: Label[],
  comments: number,
  simple: boolean,
) {
  const api = `${base}/repos/${full}/pulls/${pr.number}`;
  const html = `${base}/${full}/pull/${pr.number}`;
  const issueApi = `${base}/repos/${full}/issues/${pr.number}`;
  const side = (repo: string, ref: string, sha: string) => ({
    label: `${repo.split('/')[0]}:${ref}`,
    ref,
    sha,
    user: userJson(base, { login: repo.split('/')[0], id: hash(repo.split('/')[0]), type: 'User' }),
    repo: repoJson(base, repo),
  });
  const out = {
    url: api,
    id: pr.id,
    node_id: `PR_${pr.id}`,
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issueApi,
    commits_url: `${api}/commits`,
    review_comments_url: `${api}/comments`,
    review_comment_url: `${base}/repos/${full}/pulls/comments{/number}`,
    comments_url: `${issueApi}/comments`,
    statuses_url: `${base}/repos/${full}/statuses/${pr.headSha}`,
    number: pr.number,
    state: i.state,
    locked: false,
    title: i.title,
    user: userJson(base, pr.user),
    body: i.body,
    // A pull request's labels carry a string description (never null) in the description.
    labels: i.labels.map((n) => {
      const l = labels.find((x) => x.name === n) ?? { id: 0, name: n, color: 'ededed', description: null };
      return labelJson(base, full, { ...l, description: l.description ?? '' });
    }),
    milestone: null,
    active_lock_reason: null,
    created_at: i.created_at,
    updated_at: i.updated_at,
    closed_at: i.closed_at,
    merged_at: pr.mergedAt,
    merge_commit_sha: pr.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: side(pr.headRepo, pr.headRef, pr.headSha),
    base: side(full, pr.baseRef, pr.baseSha),
    _links: Object.fromEntries(
      (
        [
          ['self', api],
          ['html', html],
          ['issue', issueApi],
          ['comments', `${issueApi}/comments`],
          ['review_comments', `${api}/comments`],
          ['review_comment', `${base}/repos/${full}/pulls/comments{/number}`],
          ['commits', `${api}/commits`],
          ['statuses', `${base}/repos/${full}/statuses/${pr.headSha}`],
        ] as const
      ).map(([k, href]) => [k, { href }]),
    ),
    author_association: 'NONE',
    auto_merge: null,
    draft: pr.draft,
  };
  if (simple) return out;
  return {
    ...out,
    merged: pr.mergedAt !== null,
    mergeable: i.state === 'open' ? true : null,
    rebaseable: i.state === 'open' ? true : null,
    mergeable_state: i.state === 'open' ? 'clean' : 'unknown',
    merged_by: pr.mergedAt !== null ? userJson(base) : null,
    comments,
    review_comments: 0,
    maintainer_can_modify: pr.maintainerCanModify,
    commits: 1,
    additions: 0,
    deletions: 0,
    changed_files: 0,
  };
}

/** A stable small id for a name. */
function hash(s: string): number {
  let h = 7;
  for (const ch of s) h = (h * 31 + ch.charCodeAt(0)) % 1_000_000;
  return h + 100;
}
