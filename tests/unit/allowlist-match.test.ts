import { compileAllowlist, parseAllowlist, parseAllowlistStrict } from '../../src/core/allowlist/index.js';

const sel = (rules: string, paths: string[]) =>
  compileAllowlist(parseAllowlistStrict(rules, 'a.txt')).filter(paths);

describe('allowlist matching', () => {
  const tree = [
    'README.md',
    '.env',
    '.github/workflows/ci.yml',
    'app/a.py',
    'app/.hidden',
    'app/x/b.py',
    'app/x/y/c.py',
    'app/z/d',
    'app/sp ace.md',
    'docs/ü-unicode.md',
    'Docs/upper.md',
  ];

  test('literal file and literal directory (subtree)', () => {
    expect(sel('README.md\napp/x', tree)).toEqual(['README.md', 'app/x/b.py', 'app/x/y/c.py']);
  });
  test('trailing slash means subtree; leading slash is the root', () => {
    expect(sel('/app/x/', tree)).toEqual(['app/x/b.py', 'app/x/y/c.py']);
  });
  test('* and ? stay within a segment', () => {
    expect(sel('app/*', tree)).toEqual(['app/a.py', 'app/.hidden', 'app/sp ace.md']);
    expect(sel('app/?.py', tree)).toEqual(['app/a.py']);
    expect(sel('*.md', tree)).toEqual(['README.md']);
  });
  test('** at start, middle and end', () => {
    expect(sel('**/c.py', tree)).toEqual(['app/x/y/c.py']);
    expect(sel('app/**/c.py', tree)).toEqual(['app/x/y/c.py']);
    expect(sel('app/**/b.py', tree)).toEqual(['app/x/b.py']);
    expect(sel('app/**', tree)).toEqual(tree.filter((p) => p.startsWith('app/')));
    expect(sel('**', tree)).toEqual(tree);
  });
  test('braces', () => {
    expect(sel('{README.md,app/z/**}', tree)).toEqual(['README.md', 'app/z/d']);
    expect(sel('app/{x,z}/*', tree)).toEqual(['app/x/b.py', 'app/z/d']);
  });
  test('dotfiles are not special', () => {
    expect(sel('*', tree)).toEqual(['README.md', '.env']);
    expect(sel('.github/', tree)).toEqual(['.github/workflows/ci.yml']);
  });
  test('veto: an exclude wins whatever the order', () => {
    expect(sel('!app/x/**\napp/**', tree)).toEqual(['app/a.py', 'app/.hidden', 'app/z/d', 'app/sp ace.md']);
    expect(sel('app/**\n!app/x/**\napp/x/b.py', tree)).toEqual([
      'app/a.py',
      'app/.hidden',
      'app/z/d',
      'app/sp ace.md',
    ]);
  });
  test('case-sensitive, spaces and unicode', () => {
    expect(sel('docs/**', tree)).toEqual(['docs/ü-unicode.md']);
    expect(sel('app/sp ace.md', tree)).toEqual(['app/sp ace.md']);
    expect(sel('docs/ü-*.md', tree)).toEqual(['docs/ü-unicode.md']);
  });
  test('character classes and escapes', () => {
    expect(sel('app/[xz]/*', tree)).toEqual(['app/x/b.py', 'app/z/d']);
    expect(sel('app/[!x]/*', tree)).toEqual(['app/z/d']);
    expect(sel('weird\\*name', ['weird*name', 'weirdXname'])).toEqual(['weird*name']);
  });
  test('explain names the deciding rule', () => {
    const m = compileAllowlist(parseAllowlistStrict('app/**\n!app/x/**\n', 'a.txt'));
    expect(m.explain('app/x/b.py')).toMatchObject({ selected: false, rule: { line: 2 } });
    expect(m.explain('app/a.py')).toMatchObject({ selected: true, rule: { line: 1 } });
    expect(m.explain('README.md')).toEqual({ selected: false, rule: undefined });
  });
});

describe('allowlist parse errors carry file:line and a fix', () => {
  const cases: [string, RegExp][] = [
    ['!', /a\.txt:1: empty exclude rule/],
    ['app/{a,b', /a\.txt:1: unbalanced '\{'/],
    ['app/a,b}', /a\.txt:1: unbalanced '\}'/],
    ['app/../secret', /a\.txt:1: '\.\.' segment/],
    ['C:\\repo\\x', /a\.txt:1: absolute OS path/],
    ['ok\nbad\0line', /a\.txt:2: NUL byte/],
    ['app\\core', /a\.txt:1: backslash before 'c'/],
    ['app/[ab', /a\.txt:1: unbalanced '\['/],
  ];
  test.each(cases)('%j', (text, re) => {
    const { errors } = parseAllowlist(text, 'a.txt');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(re);
    expect(errors[0].message).toMatch(/Fix: /);
  });
  test('comments, blanks and CRLF are fine', () => {
    expect(parseAllowlist('# c\r\n\r\napp/**\r\n  !app/x  \r\n', 'a.txt')).toMatchObject({
      errors: [],
      rules: [{ line: 3 }, { line: 4, negated: true }],
    });
  });
});
