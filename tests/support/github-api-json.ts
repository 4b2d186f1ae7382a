/**
 * Response bodies of the loopback GitHub API, with every property the OpenAPI description requires
 * (the server validates them against it on every response).
 */
export interface Label {
  id: number;
  name: string;
  color: string;
  description: string | null;
}
/** Who opened an issue or pull request (the API token's user unless a test says otherwise). */
export interface ApiUser {
  login: string;
  id: number;
  type?: 'User' | 'Bot';
}
export const TOKEN_USER: ApiUser = { login: 'ferry-bot', id: 1, type: 'Bot' };

export interface Issue {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  state_reason: string | null;
  labels: string[];
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  user?: ApiUser;
  /** Set when this issue number is a pull request (GitHub shares the number space). */
  pull?: boolean;
}
export interface Comment {
  id: number;
  body: string;
  created_at: string;
}

export function userJson(server: string, user: ApiUser = TOKEN_USER) {
  const base = `${server}/users/${user.login}`;
  return {
    login: user.login,
    id: user.id,
    node_id: `U_${user.id}`,
    avatar_url: `${server}/avatars/${user.id}`,
    gravatar_id: '',
    url: base,
    html_url: `${server}/${user.login}`,
    followers_url: `${base}/followers`,
    following_url: `${base}/following{/other_user}`,
    gists_url: `${base}/gists{/gist_id}`,
    starred_url: `${base}/starred{/owner}{/repo}`,
    subscriptions_url: `${base}/subscriptions`,
    organizations_url: `${base}/orgs`,
    repos_url: `${base}/repos`,
    events_url: `${base}/events{/privacy}`,
    received_events_url: `${base}/received_events`,
    type: user.type ?? 'User',
    site_admin: false,
  };
}

export function labelJson(base: string, full: string, l: Label) {
  return {
    id: l.id,
    node_id: `LA_${l.id}`,
    url: `${base}/repos/${full}/labels/${encodeURIComponent(l.name)}`,
    name: l.name,
    description: l.description,
    color: l.color,
    default: false,
  };
}

export function issueJson(
  base: string,
  full: string,
  i: Issue,
  labels: Label[],
  comments: number,
  mergedAt: string | null = null,
) {
  const api = `${base}/repos/${full}/issues/${i.number}`;
  return {
    id: i.id,
    node_id: `I_${i.id}`,
    url: api,
    repository_url: `${base}/repos/${full}`,
    labels_url: `${api}/labels{/name}`,
    comments_url: `${api}/comments`,
    events_url: `${api}/events`,
    html_url: `${base}/${full}/issues/${i.number}`,
    number: i.number,
    state: i.state,
    state_reason: i.state_reason,
    title: i.title,
    body: i.body,
    user: userJson(base, i.user),
    labels: i.labels.map((n) =>
      labelJson(
        base,
        full,
        labels.find((l) => l.name === n) ?? { id: 0, name: n, color: 'ededed', description: null },
      ),
    ),
    assignee: null,
    assignees: [],
    milestone: null,
    locked: false,
    active_lock_reason: null,
    comments,
    closed_at: i.closed_at,
    created_at: i.created_at,
    updated_at: i.updated_at,
    author_association: 'NONE',
    ...(i.pull
      ? {
          pull_request: {
            url: `${base}/repos/${full}/pulls/${i.number}`,
            html_url: `${base}/${full}/pull/${i.number}`,
            diff_url: `${base}/${full}/pull/${i.number}.diff`,
            patch_url: `${base}/${full}/pull/${i.number}.patch`,
            merged_at: mergedAt,
          },
        }
      : {}),
  };
}

export function commentJson(base: string, full: string, n: number, c: Comment) {
  return {
    id: c.id,
    node_id: `IC_${c.id}`,
    url: `${base}/repos/${full}/issues/comments/${c.id}`,
    html_url: `${base}/${full}/issues/${n}#issuecomment-${c.id}`,
    issue_url: `${base}/repos/${full}/issues/${n}`,
    body: c.body,
    user: userJson(base),
    created_at: c.created_at,
    updated_at: c.created_at,
    author_association: 'NONE',
  };
}
