import fc from 'fast-check';
import { parseAllowlistStrict } from '../../src/core/allowlist/parse.js';
import { compileAllowlist } from '../../src/core/allowlist/matcher.js';
import { sourceLinkFor, resolveSourceLink, wikiLinkFor } from '../../src/core/wiki/link-targets.js';
import { findLinks, rewriteLinks } from '../../src/core/wiki/markdown-links.js';
import { lastTrailer, withTrailers } from '../../src/core/git/trailers.js';
import { effectiveBase, mergeWiki, pendingBases, syncTrailers } from '../../src/core/wiki/merge.js';
import { buildPageMap, pageFileFor } from '../../src/core/wiki/page-map.js';
import { planWiki } from '../../src/core/wiki/plan.js';
import type { WikiTree } from '../../src/core/wiki/types.js';

const file = (p: string, oid = 'a'.repeat(40)) => ({ path: p, mode: '100644', oid });

describe('page mapping', () => {
  test.each([
    ['README.md', 'Home.md'],
    ['guides/setup/install.md', 'guides-setup-install.md'],
    ['guides/README.md', 'guides.md'],
    ['My Page.md', 'My-Page.md'],
    ['notes.markdown', 'notes.markdown'],
    ['_Sidebar.md', '_Sidebar.md'],
  ])('%s → %s', (src, wiki) => expect(pageFileFor(src)).toBe(wiki));

  test('a configured home file becomes Home.md; README.md is then an ordinary page', () => {
    expect(pageFileFor('index.md', 'index.md')).toBe('Home.md');
    expect(pageFileFor('README.md', 'index.md')).toBe('README.md');
  });

  test('two files on one page name are an error naming both (case-insensitive)', () => {
    const m = buildPageMap([file('a/b.md'), file('A-b.md'), file('c.md')], { sourceLabel: 'wiki' });
    expect(m.findings).toHaveLength(1);
    expect(m.findings[0]).toMatchObject({ severity: 'error', code: 'wiki-page-collision' });
    expect(m.findings[0].message).toContain('wiki/A-b.md');
    expect(m.findings[0].message).toContain('wiki/a/b.md');
  });

  test('folder README and sibling file of the same name collide', () => {
    const m = buildPageMap([file('guides.md'), file('guides/README.md')]);
    expect(m.findings.map((f) => f.code)).toEqual(['wiki-page-collision']);
  });

  test('assets keep their paths; dotfiles and conflict copies are not published; nested _Sidebar is an error', () => {
    const m = buildPageMap([
      file('img/a.png'),
      file('.gitkeep'),
      file('x.md.wiki-conflict.md'),
      file('sub/_Sidebar.md'),
      file('x.md'),
    ]);
    expect(m.assets.map((a) => a.wikiPath)).toEqual(['img/a.png']);
    expect(m.pages.map((p) => p.wikiPath)).toEqual(['x.md']);
    expect(m.findings.map((f) => [f.severity, f.code])).toEqual([
      ['error', 'wiki-nested-special-page'],
      ['warning', 'wiki-conflict-copy'],
    ]);
  });
});

describe('markdown links', () => {
  test('finds inline links, images, nested images, reference definitions and HTML, not code', () => {
    const md = [
      'A [x](a.md "t") and ![i](img/p.png) and [![b](b.png)](c.md).',
      '`[code](no.md)` <img src="d.png">',
      '```',
      '[fenced](no.md)',
      '```',
      '[ref]: e.md#top',
    ].join('\n');
    expect(findLinks(md).map((l) => [l.kind, l.target, l.line])).toEqual([
      ['inline', 'a.md', 1],
      ['image', 'img/p.png', 1],
      ['image', 'b.png', 1],
      ['inline', 'c.md', 1],
      ['html', 'd.png', 2],
      ['reference', 'e.md#top', 6],
    ]);
    expect(findLinks(md).some((l) => l.target === 'no.md')).toBe(false);
  });

  test('rewrites only targets, keeps titles and every other byte', () => {
    const md = 'See [a](a.md "Title") — ok\n[r]: <b c.md>\n';
    const out = rewriteLinks(md, (s) => s.target.toUpperCase());
    expect(out).toBe('See [a](A.MD "Title") — ok\n[r]: <B C.MD>\n');
  });

  test('null turns a link into its text and drops reference definitions with their uses', () => {
    const md = 'x [secret](s.md) y [S][sref] z [sref]\n\n[sref]: s.md\n';
    expect(rewriteLinks(md, () => null)).toBe('x secret y S z sref\n\n');
  });
});

describe('link targets', () => {
  const map = buildPageMap([
    file('README.md'),
    file('guides/setup.md'),
    file('api/auth.md'),
    file('img/logo.png'),
  ]);
  test.each([
    ['guides/setup.md', '../api/auth.md#tokens', 'api-auth#tokens'],
    ['guides/setup.md', '../README.md', 'Home'],
    ['guides/setup.md', '../img/logo.png?raw=1', 'img/logo.png?raw=1'],
    ['README.md', './guides/setup.md', 'guides-setup'],
    ['README.md', 'https://example.com/x.md', undefined],
    ['README.md', '#local', undefined],
    ['README.md', '../outside.md', undefined],
  ])('in %s, %s → %s', (from, target, expected) => {
    expect(wikiLinkFor(resolveSourceLink(map, from, target))).toBe(expected);
  });

  test('a link to a missing markdown file is reported as missing', () => {
    expect(resolveSourceLink(map, 'README.md', 'gone.md')).toEqual({ kind: 'missing', path: 'gone.md' });
  });

  test('reverse: wiki links map back to relative source links, and forward gives them back', () => {
    expect(sourceLinkFor(map, 'guides/setup.md', 'api-auth#tokens')).toBe('../api/auth.md#tokens');
    expect(sourceLinkFor(map, 'README.md', 'img/logo.png')).toBe('img/logo.png');
    expect(sourceLinkFor(map, 'api/auth.md', 'Home')).toBe('../README.md');
    expect(sourceLinkFor(map, 'README.md', 'Unknown-Page')).toBeUndefined();
    // Not canonical (case differs): left alone so a round trip cannot change the page.
    expect(sourceLinkFor(map, 'README.md', 'API-Auth')).toBeUndefined();
  });
});

test('round trip: forward(reverse(wiki page)) is the wiki page, for random links', () => {
  const sources = ['README.md', 'a.md', 'dir/b.md', 'dir/sub/c d.md', 'img/x.png', 'dir/y.svg'];
  const map = buildPageMap(sources.map((p) => file(p)));
  const wikiTargets = [
    ...map.pages.map((p) => p.name),
    ...map.assets.map((a) => a.wikiPath),
    'Unknown',
    'https://x.y/z',
  ];
  fc.assert(
    fc.property(
      fc.constantFrom(...map.pages.map((p) => p.source)),
      fc.array(fc.tuple(fc.constantFrom(...wikiTargets), fc.constantFrom('', '#sec', '#a-b')), {
        maxLength: 6,
      }),
      (from, links) => {
        const wiki = links.map(([t, a], i) => `line ${i} [l${i}](${t}${a})`).join('\n');
        const back = rewriteLinks(wiki, (s) => sourceLinkFor(map, from, s.target));
        const forward = rewriteLinks(back, (s) => wikiLinkFor(resolveSourceLink(map, from, s.target)));
        expect(forward).toBe(wiki);
      },
    ),
    { numRuns: 200 },
  );
});

describe('public plan', () => {
  const files = [
    file('README.md', '1'.repeat(40)),
    file('pub.md', '2'.repeat(40)),
    file('priv.md', '3'.repeat(40)),
    file('img/pub.png'),
    file('img/priv.png'),
  ];
  const texts = new Map([
    ['README.md', '[pub](pub.md) [priv](priv.md)\n'],
    ['pub.md', '![p](img/pub.png)\n'],
    ['priv.md', '![q](img/priv.png)\n'],
  ]);
  const allowlist = compileAllowlist(parseAllowlistStrict('README.md\npub.md\n'));
  test('fail mode: an error at file:line for the link to the private page', () => {
    const plan = planWiki(buildPageMap(files), texts, {
      audience: 'public',
      allowlist,
      unpublishedLinks: 'fail',
      sourceLabel: 'wiki',
    });
    expect(plan.findings).toEqual([
      expect.objectContaining({
        severity: 'error',
        code: 'wiki-unpublished-link',
        file: 'wiki/README.md',
        line: 1,
        column: 15,
      }),
    ]);
  });
  test('text mode: plain text; only assets referenced by published pages go public', () => {
    const plan = planWiki(buildPageMap(files), texts, {
      audience: 'public',
      allowlist,
      unpublishedLinks: 'text',
    });
    expect(plan.pages.map((p) => p.page)).toEqual(['Home.md', 'pub.md']);
    expect(plan.assets).toEqual(['img/pub.png']);
    expect(plan.files.find((f) => f.wikiPath === 'Home.md')!.content!.toString()).toBe('[pub](pub) priv\n');
  });
  test('the private wiki gets everything', () => {
    const plan = planWiki(buildPageMap(files), texts, { audience: 'private', unpublishedLinks: 'fail' });
    expect(plan.pages).toHaveLength(3);
    expect(plan.assets.sort()).toEqual(['img/priv.png', 'img/pub.png']);
    expect(plan.findings).toEqual([]);
  });
});

describe('three-way merge', () => {
  const t = (o: Record<string, string>): WikiTree =>
    new Map(Object.entries(o).map(([p, oid]) => [p, { mode: '100644', oid }]));
  test('push: ours wins, wiki edits are reported as overwritten', () => {
    const m = mergeWiki(t({ a: '1' }), t({ a: '2' }), t({ a: '3', b: '9' }), 'push');
    expect([...m.tree]).toEqual([...t({ a: '2' })]);
    expect(m.overwritten).toEqual(['a', 'b']);
  });
  test('bidirectional: wiki edits stay and are pending; conflicts keep the wiki version', () => {
    const base = t({ same: '1', web: '1', src: '1', both: '1', gone: '1' });
    const ours = t({ same: '1', web: '1', src: '2', both: '2', gone: '1' });
    const theirs = t({ same: '1', web: '3', src: '1', both: '3', fresh: '4' });
    const m = mergeWiki(base, ours, theirs, 'bidirectional');
    expect(Object.fromEntries([...m.tree].map(([p, e]) => [p, e.oid]))).toEqual({
      same: '1',
      web: '3',
      src: '2',
      both: '3',
      fresh: '4',
    });
    expect(m.wikiEdits.map((e) => [e.path, e.change, e.conflict])).toEqual([
      ['both', 'modified', true],
      ['fresh', 'added', false],
      ['gone', 'deleted', false],
      ['web', 'modified', false],
    ]);
    expect(Object.fromEntries(m.pending)).toEqual({ both: '1', fresh: '-', gone: '1', web: '1' });
  });
  test('pending bases survive a commit through the trailers', () => {
    const msg = withTrailers(
      'Sync',
      syncTrailers(
        'c'.repeat(40),
        new Map([
          ['x y.md', '1'.repeat(40)],
          ['new.md', '-'],
        ]),
      ),
    );
    expect(lastTrailer(msg, 'originRev')).toBe('c'.repeat(40));
    const base = effectiveBase(t({ 'x y.md': '9'.repeat(40), 'new.md': '8'.repeat(40) }), pendingBases(msg));
    expect(Object.fromEntries([...base].map(([p, e]) => [p, e.oid]))).toEqual({ 'x y.md': '1'.repeat(40) });
  });
});
