import { commentJson, labelJson, TOKEN_USER, type Comment, type Issue } from './github-api-json.js';
import { DOCS, type ApiCall, type ApiState, type Reply } from './github-api-state.js';

/**
 * Issues, issue comments and labels of the loopback GitHub API. Pull requests are issues too (one
 * number space), so comments and labels on a pull request go through these operations.
 */
export const ISSUE_OPERATIONS: [string, string][] = [
  ['GET', '/repos/{owner}/{repo}/issues'],
  ['POST', '/repos/{owner}/{repo}/issues'],
  ['GET', '/repos/{owner}/{repo}/issues/{issue_number}'],
  ['PATCH', '/repos/{owner}/{repo}/issues/{issue_number}'],
  ['GET', '/repos/{owner}/{repo}/issues/{issue_number}/comments'],
  ['POST', '/repos/{owner}/{repo}/issues/{issue_number}/comments'],
  ['POST', '/repos/{owner}/{repo}/issues/{issue_number}/labels'],
  ['GET', '/repos/{owner}/{repo}/labels'],
  ['POST', '/repos/{owner}/{repo}/labels'],
];

export const NOT_FOUND: Reply = [404, { message: 'Not Found', documentation_url: DOCS, status: '404' }];

export function validationFailed(errors: Record<string, unknown>[]): Reply {
  return [422, { message: 'Validation Failed', documentation_url: DOCS, errors }];
}

export function serveIssues(s: ApiState, opId: string, c: ApiCall): Reply | undefined {
  const { repo, full, body, u, now } = c;
  const issue = () => repo.issues.find((i) => i.number === Number(c.p.issue_number));
  switch (opId) {
    case 'issues/list-for-repo': {
      const state = u.searchParams.get('state') ?? 'open';
      const want = (u.searchParams.get('labels') ?? '')
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
      const items = repo.issues
        .filter((i) => state === 'all' || i.state === state)
        .filter((i) => want.every((l) => i.labels.some((x) => x.toLowerCase() === l.toLowerCase())))
        .sort((a, b) => b.number - a.number);
      return s.page(
        u,
        items.map((i) => s.issueJson(full, i)),
      );
    }
    case 'issues/create': {
      const names = labelNames(body.labels);
      for (const n of names) s.ensureLabel(repo, n);
      const i: Issue = {
        id: s.nextId(),
        number: repo.issues.length + 1,
        title: String(body.title),
        body: (body.body as string) ?? null,
        state: 'open',
        state_reason: null,
        labels: names,
        created_at: now,
        updated_at: now,
        closed_at: null,
        user: TOKEN_USER,
      };
      repo.issues.push(i);
      return [201, s.issueJson(full, i), { location: `${s.url}/repos/${full}/issues/${i.number}` }];
    }
    case 'issues/get': {
      const i = issue();
      return i ? [200, s.issueJson(full, i)] : NOT_FOUND;
    }
    case 'issues/update': {
      const i = issue();
      if (!i) return NOT_FOUND;
      if (typeof body.title === 'string') i.title = body.title;
      if ('body' in body) i.body = (body.body as string | null) ?? null;
      if (body.state === 'closed' && i.state === 'open') {
        i.state = 'closed';
        i.closed_at = now;
        i.state_reason = (body.state_reason as string) ?? 'completed';
      } else if (body.state === 'open' && i.state === 'closed') {
        i.state = 'open';
        i.closed_at = null;
        i.state_reason = 'reopened';
      }
      if (Array.isArray(body.labels)) i.labels = labelNames(body.labels);
      i.updated_at = now;
      return [200, s.issueJson(full, i)];
    }
    case 'issues/list-comments': {
      if (!issue()) return NOT_FOUND;
      return s.page(
        u,
        (repo.comments.get(Number(c.p.issue_number)) ?? []).map((x) =>
          commentJson(s.url, full, Number(c.p.issue_number), x),
        ),
      );
    }
    case 'issues/create-comment': {
      const i = issue();
      if (!i) return NOT_FOUND;
      const x: Comment = { id: s.nextId(), body: String(body.body), created_at: now };
      repo.comments.set(i.number, [...(repo.comments.get(i.number) ?? []), x]);
      i.updated_at = now;
      return [201, commentJson(s.url, full, i.number, x)];
    }
    case 'issues/add-labels': {
      const i = issue();
      if (!i) return NOT_FOUND;
      const names = labelNames(Array.isArray(body) ? body : body.labels);
      if (names.length === 0)
        return validationFailed([{ resource: 'Label', code: 'missing_field', field: 'labels' }]);
      for (const n of names) {
        s.ensureLabel(repo, n);
        if (!i.labels.some((l) => l.toLowerCase() === n.toLowerCase())) i.labels.push(n);
      }
      i.updated_at = now;
      return [
        200,
        i.labels.map((n) =>
          labelJson(
            s.url,
            full,
            repo.labels.find((l) => l.name.toLowerCase() === n.toLowerCase())!,
          ),
        ),
      ];
    }
    case 'issues/list-labels-for-repo':
      return s.page(
        u,
        repo.labels.map((l) => labelJson(s.url, full, l)),
      );
    case 'issues/create-label': {
      const name = String(body.name);
      if (repo.labels.some((l) => l.name.toLowerCase() === name.toLowerCase()))
        return validationFailed([{ resource: 'Label', code: 'already_exists', field: 'name' }]);
      const color = String(body.color ?? 'ededed').replace(/^#/, '');
      if (!/^[0-9a-fA-F]{6}$/.test(color))
        return validationFailed([{ resource: 'Label', code: 'invalid', field: 'color' }]);
      const l = { id: s.nextId(), name, color, description: (body.description as string) ?? null };
      repo.labels.push(l);
      return [201, labelJson(s.url, full, l)];
    }
  }
  return undefined;
}

/** Label names from a request: strings or `{name}` objects. */
function labelNames(v: unknown): string[] {
  return ((v as unknown[]) ?? []).map((l) =>
    typeof l === 'string' ? l : String((l as { name: string }).name),
  );
}
