import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { issueJson, type Comment, type Issue } from './github-api-json.js';
import { ISSUE_OPERATIONS, NOT_FOUND, serveIssues } from './github-api-issues.js';
import { PULL_OPERATIONS, PullRequests } from './github-api-pulls.js';
import { USER_OPERATIONS, Users } from './github-api-users.js';
import { DOCS, timestamp, type ApiState, type RepoState, type Reply } from './github-api-state.js';
import { GitHubOpenApi, type CompiledOperation } from './github-openapi.js';

/**
 * A loopback GitHub REST API: a stateful subset (issues, issue comments, labels, pull requests,
 * user profiles; github-api-issues.ts, github-api-pulls.ts, github-api-users.ts) on 127.0.0.1 that
 * requires the token and sends rate-limit headers like api.github.com. Every request and every
 * response is checked against GitHub's official OpenAPI description; problems are collected in
 * `violations` (a request the real API would reject also gets the 4xx the real API would send).
 * Tests assert `violations` is empty after each scenario.
 *
 * Fault switches: 500s, dropped connections, a 403 secondary rate limit and a 429 primary rate
 * limit, each with `retry-after`. `pathPrefix: '/api/v3'` serves the API the way GitHub Enterprise
 * Server does (under a path on the web host). Pull requests need the loopback git server's bare
 * repositories: `pulls.attach(gitServer.root)` (the `loopbackGitHub` fixture does it).
 */
export const SERVED_OPERATIONS: [string, string][] = [
  ...ISSUE_OPERATIONS,
  ...PULL_OPERATIONS,
  ...USER_OPERATIONS,
];

export interface ApiFault {
  kind: '500' | 'drop' | '403-secondary' | '429';
  /** 'read' = GET, 'write' = anything else. */
  on?: 'any' | 'read' | 'write';
  times?: number;
}

export interface ApiRequestLog {
  method: string;
  path: string;
  operationId?: string;
  status: number;
  body?: unknown;
}

export class GitHubApiServer implements ApiState {
  /** The API base URL, GITHUB_API_URL for the code under test (prefix included). */
  url = '';
  readonly pulls = new PullRequests(this);
  /** Users with a profile (display name): github-api-users.ts. */
  readonly users = new Users(() => this.url);
  readonly violations: string[] = [];
  readonly requests: ApiRequestLog[] = [];
  private readonly repos = new Map<string, RepoState>();
  private readonly openapi = GitHubOpenApi.get(SERVED_OPERATIONS);
  private faults: (ApiFault & { left: number })[] = [];
  private server?: http.Server;
  private nextIdValue = 1000;
  private remaining = 5000;

  private readonly prefix: string;

  constructor(
    public token: string,
    opts: { pathPrefix?: string } = {},
  ) {
    this.prefix = (opts.pathPrefix ?? '').replace(/\/$/, '');
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${this.prefix}`;
    return this.url;
  }

  nextId(): number {
    return this.nextIdValue++;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections?.();
    await new Promise<void>((r) => this.server!.close(() => r()));
    this.server = undefined;
  }

  inject(f: ApiFault): void {
    this.faults.push({ ...f, left: f.times ?? 1 });
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** The state of one repository (created empty on first use, like a repo that exists). */
  repo(full: string): RepoState {
    let r = this.repos.get(full);
    if (!r) this.repos.set(full, (r = { issues: [], comments: new Map(), labels: [], pulls: new Map() }));
    return r;
  }

  /** Issues of a repository (pull requests excluded; see `pulls.all`). */
  issues(full: string): Issue[] {
    return this.repo(full).issues.filter((i) => !i.pull);
  }

  comments(full: string, n: number): Comment[] {
    return this.repo(full).comments.get(n) ?? [];
  }

  labels(full: string): string[] {
    return this.repo(full).labels.map((l) => l.name);
  }

  /** Requests that reached an operation (faults and auth failures excluded). */
  calls(operationId: string): ApiRequestLog[] {
    return this.requests.filter((r) => r.operationId === operationId && r.status < 500 && r.status !== 401);
  }

  private takeFault(method: string): ApiFault | undefined {
    const kind = method === 'GET' ? 'read' : 'write';
    const f = this.faults.find((x) => x.left > 0 && (!x.on || x.on === 'any' || x.on === kind));
    if (f) f.left--;
    return f;
  }

  private rateHeaders(): Record<string, string> {
    this.remaining = Math.max(1, this.remaining - 1);
    return {
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': String(this.remaining),
      'x-ratelimit-used': String(5000 - this.remaining),
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-resource': 'core',
      'x-github-api-version-selected': '2022-11-28',
    };
  }

  private authorized(req: http.IncomingMessage): boolean {
    const m = /^(?:token|bearer)\s+(.+)$/i.exec(req.headers.authorization ?? '');
    return !!m && m[1] === this.token;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const u = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    const log: ApiRequestLog = { method, path: u.pathname + u.search, status: 0 };
    this.requests.push(log);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      log.status = status;
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        ...this.rateHeaders(),
        ...headers,
      });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    // Authentication comes first, as on GitHub (401 is not in the per-operation descriptions).
    if (!this.authorized(req))
      return send(401, { message: 'Bad credentials', documentation_url: DOCS, status: '401' });

    const fault = this.takeFault(method);
    if (fault?.kind === 'drop') {
      log.status = -1;
      req.socket.destroy();
      return;
    }
    if (fault?.kind === '500') return send(500, { message: 'Server Error' });
    if (fault?.kind === '403-secondary')
      return send(
        403,
        {
          message:
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
          documentation_url: DOCS,
        },
        { 'retry-after': '1' },
      );
    if (fault?.kind === '429')
      return send(
        429,
        { message: 'API rate limit exceeded for installation.', documentation_url: DOCS },
        {
          'retry-after': '1',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 1),
        },
      );

    const inPrefix = u.pathname.startsWith(`${this.prefix}/`);
    const matched = inPrefix ? this.openapi.match(method, u.pathname.slice(this.prefix.length)) : undefined;
    if (!matched) {
      this.violations.push(`${method} ${u.pathname}: not an operation this server serves`);
      return send(404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
    }
    const { op, pathParams } = matched;
    log.operationId = op.operationId;
    let body: unknown;
    if (raw !== '') {
      try {
        body = JSON.parse(raw);
      } catch {
        this.violations.push(`${op.operationId}: request body is not JSON`);
        return send(400, { message: 'Problems parsing JSON', documentation_url: DOCS });
      }
    }
    log.body = body;
    const bad = this.openapi.checkRequest(op, pathParams, u.searchParams, body);
    if (bad.length) {
      this.violations.push(...bad);
      return this.reply(op, send, 422, { message: 'Invalid request.', documentation_url: DOCS, errors: bad });
    }
    const user = this.users.serve(op.operationId, pathParams);
    if (user) return this.reply(op, send, ...user);
    const full = `${pathParams.owner}/${pathParams.repo}`;
    const [status, payload, headers] = this.serve(
      op.operationId,
      full,
      pathParams,
      u,
      body as Record<string, unknown>,
    );
    this.reply(op, send, status, payload, headers);
  }

  private reply(
    op: CompiledOperation,
    send: (s: number, b: unknown, h?: Record<string, string>) => void,
    status: number,
    payload: unknown,
    headers?: Record<string, string>,
  ): void {
    this.violations.push(...this.openapi.checkResponse(op, status, payload));
    send(status, payload, headers);
  }

  private serve(
    opId: string,
    full: string,
    p: Record<string, string>,
    u: URL,
    body: Record<string, unknown>,
  ): Reply {
    const call = { full, p, u, body: body ?? {}, now: timestamp(), repo: this.repo(full) };
    return serveIssues(this, opId, call) ?? this.pulls.serve(opId, call) ?? NOT_FOUND;
  }

  ensureLabel(repo: RepoState, name: string): void {
    if (!repo.labels.some((l) => l.name.toLowerCase() === name.toLowerCase()))
      repo.labels.push({ id: this.nextId(), name, color: 'ededed', description: null });
  }

  /** per_page/page pagination with a Link header, as GitHub does. */
  page(u: URL, items: unknown[]): Reply {
    const per = Math.min(100, Math.max(1, Number(u.searchParams.get('per_page') ?? 30)));
    const page = Math.max(1, Number(u.searchParams.get('page') ?? 1));
    const last = Math.max(1, Math.ceil(items.length / per));
    const link = (n: number, rel: string) => {
      const q = new URL(u.toString());
      q.searchParams.set('page', String(n));
      return `<${q.toString()}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
    if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
    return [200, items.slice((page - 1) * per, page * per), links.length ? { link: links.join(', ') } : {}];
  }

  issueJson(full: string, i: Issue): unknown {
    const repo = this.repo(full);
    const merged = i.pull ? (repo.pulls.get(i.number)?.mergedAt ?? null) : null;
    return issueJson(this.url, full, i, repo.labels, (repo.comments.get(i.number) ?? []).length, merged);
  }
}
