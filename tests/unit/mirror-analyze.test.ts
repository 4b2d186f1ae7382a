import {
  branchUnion,
  classifyBranch,
  divergenceFingerprint,
  parseTagMode,
  planTags,
  pushFor,
  refNameMatcher,
  selectTags,
} from '../../src/core/mirror/analyze.js';
import {
  divergenceMarkdown,
  issueMarker,
  parseIssueMarker,
  withMarker,
} from '../../src/core/mirror/report.js';
import { mirrorSettings } from '../../src/core/mirror/settings.js';
import { ConfigurationError } from '../../src/core/errors.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

describe('classifyBranch', () => {
  test.each([
    [{ a: A, b: A }, 'equal'],
    [{ a: A, b: null }, 'missing-in-b'],
    [{ a: null, b: B }, 'missing-in-a'],
    [{ a: A, b: B, bInA: true }, 'a-ahead'],
    [{ a: A, b: B, aInB: true }, 'b-ahead'],
    [{ a: A, b: B }, 'diverged'],
  ])('%j → %s', (facts, state) => {
    expect(classifyBranch(facts)).toBe(state);
  });

  test('pushes go to the side that is behind, never on divergence', () => {
    expect(pushFor('a-ahead')).toEqual({ to: 'b', from: 'a' });
    expect(pushFor('missing-in-a')).toEqual({ to: 'a', from: 'b' });
    expect(pushFor('diverged')).toBeUndefined();
    expect(pushFor('equal')).toBeUndefined();
  });
});

describe('branch and tag selection', () => {
  test('a literal branch name means exactly that branch; globs stay within a segment', () => {
    const m = refNameMatcher(['main', 'release/*']);
    expect(m('main')).toBe(true);
    expect(m('main/experiment')).toBe(false);
    expect(m('release/1.0')).toBe(true);
    expect(m('release/1.0/hotfix')).toBe(false);
    expect(m('feature')).toBe(false);
  });

  test('union of matching branches on both sides', () => {
    const a = new Map([
      ['refs/heads/main', A],
      ['refs/heads/dev', A],
      ['refs/tags/v1', A],
    ]);
    const b = new Map([
      ['refs/heads/release/2', B],
      ['refs/heads/main', B],
    ]);
    expect(branchUnion(a, b, ['main', 'release/*'])).toEqual(['main', 'release/2']);
  });

  test('tag modes and the tag plan: missing tags pushed, different tags are conflicts', () => {
    expect(parseTagMode('none')).toEqual({ kind: 'none' });
    expect(parseTagMode('all')).toEqual({ kind: 'all' });
    expect(parseTagMode('v*, rel-*')).toEqual({ kind: 'pattern', globs: ['v*', 'rel-*'] });
    const a = selectTags(
      new Map([
        ['refs/tags/v1', A],
        ['refs/tags/v1^{}', B],
        ['refs/tags/v2', A],
        ['refs/tags/x', A],
        ['refs/tags/v3', A],
      ]),
      parseTagMode('v*'),
    );
    const b = selectTags(
      new Map([
        ['refs/tags/v1', A],
        ['refs/tags/v3', B],
        ['refs/tags/v4', B],
      ]),
      parseTagMode('v*'),
    );
    expect([...a.keys()].sort()).toEqual(['v1', 'v2', 'v3']);
    expect(planTags(a, b)).toEqual({
      toB: ['v2'],
      toA: ['v4'],
      conflicts: [{ tag: 'v3', a: A, b: B }],
      equal: 1,
    });
  });
});

describe('divergence report and marker', () => {
  const key = { a: 'acme/public', b: 'https://git.example.com/acme private.git', branch: 'release/1' };

  test('the marker round-trips, with a fingerprint, and survives a body rewrite', () => {
    const m = issueMarker(key, 'abc123');
    expect(m).toMatch(/^<!-- ferry:mirror a=acme%2Fpublic b=\S+ branch=release%2F1 fingerprint=abc123 -->$/);
    expect(parseIssueMarker(`hello\n${m}\nbye`)).toEqual({ ...key, fingerprint: 'abc123' });
    expect(parseIssueMarker('no marker')).toBeNull();
    const body = withMarker(`${m}\nold`, key, 'def');
    expect(parseIssueMarker(body)?.fingerprint).toBe('def');
    expect(body.match(/ferry:mirror/g)).toHaveLength(1);
  });

  test('the fingerprint changes exactly when a tip or the merge base changes', () => {
    const f = divergenceFingerprint(A, B, null);
    expect(divergenceFingerprint(A, B, null)).toBe(f);
    expect(divergenceFingerprint(A, A, null)).not.toBe(f);
    expect(divergenceFingerprint(A, B, A)).not.toBe(f);
  });

  test('the report lists commits, caps them with a count, and gives resolution commands', () => {
    const md = divergenceMarkdown(
      key,
      {
        branch: 'release/1',
        state: 'diverged',
        a: A,
        b: B,
        mergeBase: null,
        onlyInA: { count: 5, commits: [{ sha: A, subject: 'fix | pipe', author: 'Ann <a@x>' }] },
        onlyInB: { count: 0, commits: [] },
      },
      { a: 'https://github.com/acme/public.git', b: 'https://git.example.com/acme private.git' },
    );
    expect(md).toContain('…and 4 more.');
    expect(md).toContain('fix \\| pipe');
    expect(md).toContain('unrelated');
    expect(md).toContain("git remote add b 'https://git.example.com/acme private.git'");
    expect(md).toContain('git push b release/1');
  });
});

describe('mirrorSettings', () => {
  const base = {
    repoA: 'acme/a',
    repoB: 'acme/b',
    branches: ['main'],
    serverUrl: 'https://ghes.example.com',
  };
  test('resolves owner/name against the server and scopes each token to it', () => {
    const s = mirrorSettings({ ...base, tokenA: 'tokA', tokenB: 'tokB' });
    expect(s.a.url).toBe('https://ghes.example.com/acme/a.git');
    expect(s.a.auth).toMatchObject({ token: 'tokA', serverUrl: 'https://ghes.example.com' });
    expect(s.b.auth.token).toBe('tokB');
    expect(s.onDivergence).toBe('issue');
  });
  test.each([
    [{ onDivergence: 'explode' }, /on-divergence/],
    [{ branches: [] }, /branches/],
    [{ repoB: 'acme/a' }, /same repository/],
    [{ repoA: '' }, /repo-a/],
  ])('rejects %j with a message that says what to do', (over, re) => {
    expect(() => mirrorSettings({ ...base, ...over })).toThrow(ConfigurationError);
    expect(() => mirrorSettings({ ...base, ...over })).toThrow(re);
  });
});
