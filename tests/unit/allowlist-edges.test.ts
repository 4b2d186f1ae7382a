import {
  compileAllowlist,
  compileGlob,
  generateAllowlist,
  globSetMatcher,
  lintAllowlist,
  parseAllowlist,
  parseAllowlistStrict,
  parseManifest,
  resolveEdition,
} from '../../src/core/allowlist/index.js';
import { unifiedDiff } from '../../src/core/util/unified-diff.js';

const sel = (rules: string, paths: string[]) =>
  compileAllowlist(parseAllowlistStrict(rules, 'a.txt')).filter(paths);

describe('matching edges', () => {
  const tree = [
    '.env',
    '.github/workflows/ci.yml',
    'README.md',
    'app/.hidden/state.json',
    'app/a.py',
    'app/x/b.py',
    'app/x/y/c.py',
    'app/x/y/z/d.py',
    'docs/ü/naïve.md',
    'docs/日本/読む.md',
    'docs/😀.md',
    'sp ace/file name.txt',
    'trail /x',
  ];
  test('a literal that names a file selects just the file; one that names a directory, its subtree', () => {
    expect(sel('app/a.py', tree)).toEqual(['app/a.py']);
    expect(sel('app/x/y', tree)).toEqual(['app/x/y/c.py', 'app/x/y/z/d.py']);
    expect(sel('app/x/y/c', tree)).toEqual([]); // a prefix of a name is not a directory
  });
  test("a trailing '/' means strictly below: 'README.md/' does not select the file", () => {
    expect(sel('README.md/', tree)).toEqual([]);
    expect(sel('app/x/y/', tree)).toEqual(['app/x/y/c.py', 'app/x/y/z/d.py']);
    expect(sel('app/*/', tree)).toEqual([
      'app/.hidden/state.json',
      'app/x/b.py',
      'app/x/y/c.py',
      'app/x/y/z/d.py',
    ]);
    expect(sel('app/**/', tree)).toEqual(sel('app/**', tree));
    expect(sel('app/x/*/', tree)).toEqual(['app/x/y/c.py', 'app/x/y/z/d.py']);
  });
  test('** at the start, middle and end, and ** that is not a whole segment', () => {
    expect(sel('**/*.py', tree)).toEqual(['app/a.py', 'app/x/b.py', 'app/x/y/c.py', 'app/x/y/z/d.py']);
    expect(sel('**/y/**', tree)).toEqual(['app/x/y/c.py', 'app/x/y/z/d.py']);
    expect(sel('app/**/d.py', tree)).toEqual(['app/x/y/z/d.py']);
    expect(sel('app/**/a.py', tree)).toEqual(['app/a.py']); // ** spans zero segments
    expect(sel('app/x/**', tree)).toEqual(['app/x/b.py', 'app/x/y/c.py', 'app/x/y/z/d.py']);
    expect(sel('app/**.py', tree)).toEqual(['app/a.py']); // '**.py' is '*.py'
    expect(sel('app/x**', tree)).toEqual([]); // 'x**' is 'x*': the directory app/x is not a file
  });
  test('dotfiles match like any file', () => {
    expect(sel('.*', tree)).toEqual(['.env']);
    expect(sel('app/*/state.json', tree)).toEqual(['app/.hidden/state.json']);
    expect(sel('**/.hidden/**', tree)).toEqual(['app/.hidden/state.json']);
  });
  test('spaces inside names, and an escaped trailing space', () => {
    expect(sel('sp ace/file name.txt', tree)).toEqual(['sp ace/file name.txt']);
    expect(sel('sp ace', tree)).toEqual(['sp ace/file name.txt']);
    expect(sel('*/file?name.txt', tree)).toEqual(['sp ace/file name.txt']);
    expect(sel('trail\\ ', tree)).toEqual(['trail /x']);
    expect(sel('trail  ', tree)).toEqual([]); // unescaped trailing blanks are trimmed
  });
  test('unicode: literals, * and ? count characters', () => {
    expect(sel('docs/ü', tree)).toEqual(['docs/ü/naïve.md']);
    expect(sel('docs/*/na?ve.md', tree)).toEqual(['docs/ü/naïve.md']);
    expect(sel('docs/日本/*.md', tree)).toEqual(['docs/日本/読む.md']);
    expect(sel('docs/??/*', tree)).toEqual(['docs/日本/読む.md']);
    expect(sel('docs/?.md', tree)).toEqual(['docs/😀.md']); // one character, though two UTF-16 units
    expect(sel('docs/[😀].md', tree)).toEqual(['docs/😀.md']);
  });
  test('case-sensitive', () => {
    expect(sel('readme.md', tree)).toEqual([]);
    expect(sel('APP/**', tree)).toEqual([]);
  });
  test('veto: an exclude beats a more specific re-include, in any order', () => {
    expect(sel('app/**\n!app/x/\napp/x/y/c.py', tree)).toEqual(['app/.hidden/state.json', 'app/a.py']);
    expect(sel('app/x/y/c.py\n!app/x/\napp/**', tree)).toEqual(['app/.hidden/state.json', 'app/a.py']);
    expect(sel('!app/**', tree)).toEqual([]); // excludes alone select nothing
  });
  test('braces, nested braces, and ** inside braces', () => {
    expect(sel('app/{a.py,x/b.py}', tree)).toEqual(['app/a.py', 'app/x/b.py']);
    expect(sel('app/x/{b,y/{c,z/d}}.py', tree)).toEqual(['app/x/b.py', 'app/x/y/c.py', 'app/x/y/z/d.py']);
    expect(sel('{**/c.py,.github/**}', tree)).toEqual(['.github/workflows/ci.yml', 'app/x/y/c.py']);
    expect(sel('app/x/{y,q}/', tree)).toEqual(['app/x/y/c.py', 'app/x/y/z/d.py']);
    // braces are shorthand for several rules: literal alternatives name directories (subtrees)
    expect(sel('{.github,app/x/y}', tree)).toEqual([
      '.github/workflows/ci.yml',
      'app/x/y/c.py',
      'app/x/y/z/d.py',
    ]);
    // and a '**' that is not a whole segment once expanded is a plain '*'
    expect(sel('app/x{**,q}/b.py', tree)).toEqual(['app/x/b.py']);
    expect(sel('app/{**,q}/d.py', tree)).toEqual(['app/x/y/z/d.py']);
  });
  test('character classes: ranges, negation, never a slash', () => {
    expect(sel('app/[a-c].py', tree)).toEqual(['app/a.py']);
    expect(sel('app/x/[!b].py', tree)).toEqual([]);
    expect(sel('app/x[/]b.py', tree)).toEqual([]);
  });
  test('escapes make glob characters literal', () => {
    const t = ['a*b', 'axb', 'q?', 'qx', '[x]', 'x', '{a,b}', 'a', 'we*ird/f'];
    expect(sel('a\\*b', t)).toEqual(['a*b']);
    expect(sel('q\\?', t)).toEqual(['q?']);
    expect(sel('\\[x\\]', t)).toEqual(['[x]']);
    expect(sel('\\{a,b\\}', t)).toEqual(['{a,b}']);
    expect(sel('we\\*ird', t)).toEqual(['we*ird/f']); // an escaped literal still names a directory
  });
  test("a rule may start with an escaped '!' or '#'", () => {
    expect(sel('\\!important\n\\#tag', ['!important', '#tag', 'important'])).toEqual(['!important', '#tag']);
  });
  test('leading / and duplicate forms compile to the same program', () => {
    expect(compileGlob('/app/').key).toBe(compileGlob('app/**').key);
    expect(compileGlob('app').key).not.toBe(compileGlob('app/**').key);
    expect(compileGlob('app/**').subtreeOf).toBe('app');
    expect(compileGlob('app/x/').subtreeOf).toBe('app/x');
  });
  test('globSetMatcher (ignore/preserve lists) follows the same dialect', () => {
    const m = globSetMatcher(['LICENSE', '.github/', '**/*.md']);
    expect(['LICENSE', 'LICENSE/x', '.github/a.yml', 'a/b.md', 'a.txt'].map(m)).toEqual([
      true,
      true,
      true,
      true,
      false,
    ]);
    expect(globSetMatcher([])('x')).toBe(false);
  });
});

describe('parse errors name file:line and the fix', () => {
  const cases: [string, RegExp][] = [
    ['ok\n!   ', /a\.txt:2: empty exclude rule '!'\. Fix: /],
    ['src/[[:alpha:]]', /a\.txt:1: POSIX character classes .*Fix: list the characters/],
    ['~/x', /a\.txt:1: absolute OS path/],
    ['\\\\server\\share', /a\.txt:1: absolute OS path/],
    ['app//x', /a\.txt:1: empty or '\.' path segment/],
    ['./app', /a\.txt:1: empty or '\.' path segment/],
    ['app\\', /a\.txt:1: pattern ends with a lone backslash/],
    ['/', /a\.txt:1: empty pattern/],
    [
      'app/[z-a].py',
      /a\.txt:1: invalid character class in 'app\/\[z-a\]\.py'\. Fix: write ranges low to high/,
    ],
    ['# c\n\n{a,{b}', /a\.txt:3: unbalanced '\{'/],
  ];
  test.each(cases)('%j', (text, re) => {
    const { errors } = parseAllowlist(text, 'a.txt');
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(re)]);
    expect(errors[0].location).toMatchObject({ file: 'a.txt' });
  });
  test('every bad line is reported, good lines still parse', () => {
    const p = parseAllowlist('a\n!\nb\napp/../x\nc', 'a.txt');
    expect(p.errors.map((e) => e.location?.line)).toEqual([2, 4]);
    expect(p.rules.map((r) => r.line)).toEqual([1, 3, 5]);
    expect(() => parseAllowlistStrict('a\n!\nb\napp/../x', 'a.txt')).toThrow(/a\.txt:2:[\s\S]*a\.txt:4:/);
  });
});

describe('lint', () => {
  const tree = ['README.md', 'app/a.py', 'app/x/b.py', 'secret/key.pem'];
  const lint = (text: string) => lintAllowlist(parseAllowlist(text, 'al.txt'), tree);
  test('a clean allowlist has no findings and counts what it selects', () => {
    const r = lint('README.md\napp/**\n!app/x/');
    expect(r.findings).toEqual([]);
    expect(r).toMatchObject({ selectedCount: 2, pathCount: 4 });
    expect(r.stats.map((s) => [s.rule.line, s.matched, s.selected])).toEqual([
      [1, 1, 1],
      [2, 2, 1],
      [3, 1, 0],
    ]);
  });
  test('unused, vetoed, duplicate and malformed rules, each at file:line, sorted by line', () => {
    const r = lint('README.md\nnope/**\napp/x/b.py\n!app/x/\n/README.md\n!gone\n{bad\n');
    expect(r.findings.map((f) => [f.code, f.file, f.line, f.severity])).toEqual([
      ['unused-rule', 'al.txt', 2, 'warning'],
      ['vetoed-rule', 'al.txt', 3, 'warning'],
      ['duplicate-rule', 'al.txt', 5, 'warning'],
      ['unused-rule', 'al.txt', 6, 'warning'],
      ['malformed-rule', 'al.txt', 7, 'error'],
    ]);
    expect(r.findings[2].message).toMatch(/duplicates line 1/);
    expect(r.findings[4].message).toMatch(/^unbalanced '\{' in '\{bad'\. Fix: /);
  });
  test('forms that mean the same thing are duplicates', () => {
    const r = lint('app/\napp/**\n');
    expect(r.findings.map((f) => [f.code, f.line])).toEqual([['duplicate-rule', 2]]);
  });
});

describe('explain', () => {
  const m = compileAllowlist(
    parseAllowlistStrict('docs/**\n!docs/internal/\ndocs/internal/ok.md\n!**/*.pem', 'al.txt'),
  );
  test('names the exclude that vetoed, else the first include that matched', () => {
    expect(m.explain('docs/internal/ok.md')).toMatchObject({
      selected: false,
      rule: { line: 2, negated: true },
    });
    expect(m.explain('docs/a.md')).toMatchObject({ selected: true, rule: { line: 1 } });
    expect(m.explain('docs/k.pem')).toMatchObject({ selected: false, rule: { line: 4 } });
    expect(m.explain('src/x')).toEqual({ selected: false, rule: undefined });
  });
  test('explain and selects agree', () => {
    for (const p of ['docs/internal/ok.md', 'docs/a.md', 'docs/k.pem', 'src/x', 'docs'])
      expect(m.explain(p).selected).toBe(m.selects(p));
  });
});

describe('manifest and generate', () => {
  const manifest = [
    'components:', //  1
    '  core:', //  2
    "    - 'src/core/**'", //  3
    '    - README.md', //  4
    '  web:', //  5
    '    - src/web/**', //  6
    "    - 'README.md'", //  7
    '  ml: [src/ml/**]', //  8
    'editions:', //  9
    '  free:', // 10
    '    components: [web, core]', // 11
    '    exclude: [src/core/internal/]', // 12
    '  premium:', // 13
    '    extends: free', // 14
    '    components: [ml]', // 15
    '    exclude: ["!**/*.secret"]', // 16
  ].join('\n');
  test('generate: header, components sorted by name, globs sorted and deduplicated, then excludes', () => {
    const m = parseManifest(manifest, 'tiers.yml');
    expect(generateAllowlist(m, 'premium', 'tiers.yml')).toBe(
      [
        "# Generated from tiers.yml (edition 'premium') by ferry allowlist generate. Do not edit:",
        '# change the manifest and run: ferry allowlist generate --manifest tiers.yml --edition premium --write FILE',
        '',
        '# component: core',
        'README.md',
        'src/core/**',
        '',
        '# component: ml',
        'src/ml/**',
        '',
        '# component: web',
        'src/web/**',
        '',
        '# excluded from this edition',
        '!**/*.secret',
        '!src/core/internal/',
        '',
      ].join('\n'),
    );
    expect(resolveEdition(m, 'free')).toEqual({
      components: ['web', 'core'],
      exclude: ['src/core/internal/'],
    });
  });
  test('the generated allowlist parses cleanly', () => {
    const text = generateAllowlist(parseManifest(manifest, 'tiers.yml'), 'premium', 'tiers.yml');
    expect(parseAllowlist(text, 'out.txt').errors).toEqual([]);
  });
  const bad: [string, string, RegExp][] = [
    [
      'unknown component',
      manifest.replace('[web, core]', '[web, cor]'),
      /^tiers\.yml:11:\d+: edition 'free' names unknown component 'cor'/,
    ],
    [
      'unknown extends',
      manifest.replace('extends: free', 'extends: fre'),
      /^tiers\.yml:14:\d+: edition 'premium' extends unknown edition 'fre'/,
    ],
    [
      'malformed glob',
      manifest.replace('src/web/**', 'src/{web/**'),
      /^tiers\.yml:6:\d+: component 'web': unbalanced '\{'/,
    ],
    [
      'malformed exclude',
      manifest.replace('src/core/internal/', 'src/../x'),
      /^tiers\.yml:12:\d+: edition 'free' exclude: '\.\.' segment/,
    ],
    [
      'unknown key',
      manifest.replace('    exclude: [src', '    excludes: [src'),
      /^tiers\.yml:12:\d+: unknown key 'excludes' in edition 'free'/,
    ],
    ['unknown top-level key', manifest + '\nextra: 1', /^tiers\.yml:17:\d+: unknown top-level key 'extra'/],
    [
      'not a list',
      manifest.replace('  ml: [src/ml/**]', '  ml: {a: 1}'),
      /^tiers\.yml:8:\d+: component 'ml' must be a list of strings/,
    ],
    ['invalid YAML', manifest.replace('  web:', '  web: [oops'), /^tiers\.yml:\d+:\d+: invalid YAML/],
    ['not a mapping', '- a\n- b', /^tiers\.yml:1:\d+: the manifest must be a mapping/],
  ];
  test.each(bad)('manifest error: %s, at file:line', (_name, text, re) => {
    expect(() => parseManifest(text, 'tiers.yml')).toThrow(re);
  });
  test('extends cycles are found, at the edition line', () => {
    const cyc = manifest.replace('  free:\n', '  free:\n    extends: [premium]\n');
    const m = parseManifest(cyc, 'tiers.yml');
    expect(() => resolveEdition(m, 'premium')).toThrow(
      /^tiers\.yml:14:\d+: edition 'premium' extends itself through premium → free → premium/,
    );
    const self = parseManifest(manifest.replace('extends: free', 'extends: premium'), 'tiers.yml');
    expect(() => resolveEdition(self, 'premium')).toThrow(/extends itself through premium → premium/);
  });
  test('an unknown edition names the known ones', () => {
    expect(() => generateAllowlist(parseManifest(manifest, 'tiers.yml'), 'gold', 'tiers.yml')).toThrow(
      /unknown edition 'gold' in tiers\.yml\. Known: free, premium/,
    );
  });
});

describe('unifiedDiff (generate --check)', () => {
  test('hunks with line numbers and three lines of context', () => {
    const a = ['h', '1', '2', '3', '4', '5', '6', '7', '8', 'b', 'c', ''].join('\n');
    const b = ['h', '1', '2', '3', '4', '5', '6', '7', '8', 'c', 'd', ''].join('\n');
    expect(unifiedDiff(a, b, 'al.txt').split('\n')).toEqual([
      '--- al.txt (checked in)',
      '+++ al.txt (generated)',
      '@@ -7,6 +7,6 @@',
      ' 6',
      ' 7',
      ' 8',
      '-b',
      ' c',
      '+d',
      ' ',
    ]);
  });
  test('a changed line shows the old line before the new one', () => {
    expect(unifiedDiff('a\nb\nc\n', 'a\nx\nc\n', 'f').split('\n')).toEqual([
      '--- f (checked in)',
      '+++ f (generated)',
      '@@ -1,4 +1,4 @@',
      ' a',
      '-b',
      '+x',
      ' c',
      ' ',
    ]);
  });
  test('identical input has no hunks', () => {
    expect(unifiedDiff('a\n', 'a\n', 'f')).toBe('--- f (checked in)\n+++ f (generated)');
  });
});
