/**
 * The loopback GitHub API's users: `GET /users/{username}` (the public profile, whose `name` is the
 * display name GitHub shows). Users are known once a test registers them, or as the authors of
 * pull requests and issues (login and id; no display name).
 */
import { userJson, type ApiUser } from './github-api-json.js';
import { DOCS, type Reply } from './github-api-state.js';

export const USER_OPERATIONS: [string, string][] = [['GET', '/users/{username}']];

export class Users {
  private readonly known = new Map<string, ApiUser & { name?: string }>();

  constructor(private readonly server: () => string) {}

  /** A user with a display name (`name` on their profile). */
  add(user: ApiUser & { name?: string }): void {
    this.known.set(user.login.toLowerCase(), user);
  }

  serve(opId: string, p: Record<string, string>): Reply | undefined {
    if (opId !== 'users/get-by-username') return undefined;
    const u = this.known.get((p.username ?? '').toLowerCase());
    if (!u) return [404, { message: 'Not Found', documentation_url: DOCS, status: '404' }];
    return [
      200,
      {
        ...userJson(this.server(), u),
        name: u.name ?? null,
        company: null,
        blog: null,
        location: null,
        email: null,
        hireable: null,
        bio: null,
        public_repos: 0,
        public_gists: 0,
        followers: 0,
        following: 0,
        created_at: '2020-01-01T00:00:00Z',
        updated_at: '2020-01-01T00:00:00Z',
      },
    ];
  }
}
