import * as vm from 'node:vm';
import {
  compileAllowlist,
  globMatcher,
  globPrograms,
  globSetMatcher,
  parseAllowlist,
  parseAllowlistStrict,
} from '../../src/core/allowlist/index.js';
import { globRuntime, type GlobRuntime } from '../../src/core/allowlist/glob-runtime.js';

const sel = (rules: string, paths: string[]) =>
  compileAllowlist(parseAllowlistStrict(rules, 'a.txt')).filter(paths);

describe('classes read the way git reads them', () => {
  test("an escaped '-' is a member, not a range", () => {
    const m = globMatcher('[a\\-z]');
    expect(['a', '-', 'z', 'b', 'y'].map(m)).toEqual([true, true, true, false, false]);
    expect(['-', '_', 'a'].map(globMatcher('[\\-_]'))).toEqual([true, true, false]);
    // an escaped character can still start or end a range
    expect(['^', '['].map(globMatcher('[\\]-a]'))).toEqual([true, false]);
    expect(['\\', '-'].map(globMatcher('[\\[-\\]]'))).toEqual([true, false]);
  });
  test("'[:' starts a POSIX class only when ':]' closes it before the next ']'", () => {
    expect(['[ab]', ':ab]', 'xab]'].map(globMatcher('[[:]ab]'))).toEqual([true, true, false]);
    expect(['[ab]', 'dab]', 'xab]'].map(globMatcher('[[:digit]ab]'))).toEqual([true, true, false]);
    expect(['[ab]', ':ab]'].map(globMatcher('[\\[:]ab]'))).toEqual([true, true]);
    expect(parseAllowlist('x/[[:digit:]]', 'a.txt').errors[0]?.message).toMatch(/POSIX character classes/);
  });
  test("']' first is a member; '-' first, last or after a range is a member", () => {
    expect([']', 'a', 'b'].map(globMatcher('[]a]'))).toEqual([true, true, false]);
    expect(['-', 'b', 'j'].map(globMatcher('[a-e-n]'))).toEqual([true, true, false]);
    expect(['-', 'a'].map(globMatcher('[a-]'))).toEqual([true, true]);
  });
  test("'\\^' and '\\-' are escapes; a backslash before an ordinary character is still an error", () => {
    expect(['^', 'a'].map(globMatcher('[\\^]'))).toEqual([true, false]);
    expect(parseAllowlist('a\\-b\nx/[\\d]', 'a.txt').errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^a\.txt:2: backslash before 'd'/),
    ]);
  });
  test('classes and ? count characters, not UTF-16 units', () => {
    expect(globMatcher('[😀é]')('😀')).toBe(true);
    expect(globMatcher('[!😀]')('😀')).toBe(false);
    expect(globMatcher('??')('😀')).toBe(false);
    expect(globMatcher('x*?')('x😀')).toBe(true);
  });
});

describe('escapes at the end of a rule', () => {
  test("an exclude ending in an escaped space ('!name\\ ') is accepted", () => {
    expect(sel('**\n!name\\ ', ['name ', 'name', 'name /x'])).toEqual(['name']);
  });
  test('a trailing space after an escaped backslash is trimmed; after an escape it is kept', () => {
    const p = parseAllowlistStrict('a\\\\ \nb\\ ', 'a.txt');
    expect(p.map((r) => r.pattern)).toEqual(['a\\\\', 'b\\ ']);
  });
  test("a trailing '/' after an escaped backslash ('bs\\\\/') means the subtree", () => {
    expect(sel('bs\\\\/', ['bs\\', 'bs\\/x', 'bs/x'])).toEqual(['bs\\/x']);
  });
});

describe('names holding a newline', () => {
  // Git allows any byte but NUL and '/' in a name; '.' in a regex does not match a newline.
  const tree = ['app/x\ny/key.pem', 'app/x\ny/a.md', 'app/a.md', 'line\nbreak'];
  test('** spans them and * stays within them', () => {
    expect(sel('**', tree)).toEqual(tree);
    expect(sel('app/**/*.md', tree)).toEqual(['app/x\ny/a.md', 'app/a.md']);
    expect(sel('line*', tree)).toEqual(['line\nbreak']);
  });
  test('an exclude vetoes them (the regex matcher published app/x\\ny/key.pem)', () => {
    expect(sel('app/\n!app/**/*.pem', tree)).toEqual(['app/x\ny/a.md', 'app/a.md']);
    expect(globSetMatcher(['**/*.pem'])('app/x\ny/key.pem')).toBe(true);
  });
});

describe('NFC and NFD spellings are the same name', () => {
  const nfc = 'caf\u00e9';
  const nfd = 'cafe\u0301';
  test('an exclude typed in NFC vetoes a directory committed in NFD, and the reverse', () => {
    const tree = [`docs/${nfd}/menu.md`, 'docs/a.md', `docs/${nfc}/x.md`];
    expect(sel(`docs/\n!docs/${nfc}/`, tree)).toEqual(['docs/a.md']);
    expect(sel(`docs/\n!docs/${nfd}/`, tree)).toEqual(['docs/a.md']);
  });
  test('includes, wildcards and classes too; the paths come back as they were', () => {
    const tree = [`${nfd}/a`, `${nfc}/b`, 'cafe/c'];
    expect(sel(nfc, tree)).toEqual([`${nfd}/a`, `${nfc}/b`]);
    expect(sel('caf?/*', tree)).toEqual(tree); // 'é' is one character in either spelling
    expect(sel('caf[!e]/*', tree)).toEqual([`${nfd}/a`, `${nfc}/b`]);
    expect(sel(`caf[${nfd}]/*`, tree)).toEqual([`${nfd}/a`, `${nfc}/b`]);
    expect(sel(`{${nfd},x}/**`, tree)).toEqual([`${nfd}/a`, `${nfc}/b`]);
    expect(sel(nfc, tree)[0]).toBe(`${nfd}/a`); // the NFD bytes, not a normalised copy
  });
  test('explain, per-rule matching and glob lists agree', () => {
    const m = compileAllowlist(parseAllowlistStrict(`**\n!**/${nfc}.md`, 'a.txt'));
    expect(m.explain(`x/${nfd}.md`)).toMatchObject({ selected: false, rule: { line: 2 } });
    expect(m.ruleMatches(1, `x/${nfd}.md`)).toBe(true);
    expect(globSetMatcher([`**/${nfc}.md`])(`x/${nfd}.md`)).toBe(true);
  });
  test('a string of characters below U+0300 is already NFC (the fast path skips normalize)', () => {
    // Every composition has a second character at or above U+0300: check all pairs below it.
    const rt = globRuntime();
    const bad: string[] = [];
    for (let a = 1; a < 0x300; a++)
      for (let b = 1; b < 0x300; b++) {
        const s = String.fromCharCode(a, b);
        if (s.normalize('NFC') !== s) bad.push(s);
      }
    expect(bad).toEqual([]);
    expect(rt.nfc(nfd)).toBe(nfc);
    const ascii = 'app/x.py';
    expect(rt.nfc(ascii)).toBe(ascii);
  });
});

describe('the runtime is self-contained (dirsync scan threads run its source text)', () => {
  test('its source runs in an empty context and decides like the index', () => {
    const fromSource = vm.runInNewContext(`(${globRuntime.toString()})()`, {}) as GlobRuntime;
    const patterns = ['**/*.pem', 'build/', 'a/**/b/*.{js,ts}', '[!x]?/c*d', `caf\u00e9/`];
    const programs = JSON.parse(JSON.stringify(globPrograms(patterns))) as ReturnType<typeof globPrograms>;
    const index = globSetMatcher(patterns);
    for (const p of [
      'k.pem',
      'a/k.pem',
      'build',
      'build/x',
      'a/q/b/z.ts',
      'a/b/z.js',
      'yz/cxd',
      'cafe\u0301/m',
    ])
      expect({ p, got: fromSource.anyMatches(programs, p) }).toEqual({ p, got: index(p) });
  });
});

describe('ignoreCase (for lists such as forbidden paths; allowlists stay case-sensitive)', () => {
  test('literals, stars and classes ignore case; paths keep theirs', () => {
    const m = globSetMatcher(['**/.npmrc', '**/*.PEM', 'Keys/[A-C]*.txt'], { ignoreCase: true });
    expect(['.NPMRC', 'a/.Npmrc', 'x/key.pem', 'KEYS/B.TXT', 'keys/b.txt', 'keys/d.txt'].map(m)).toEqual([
      true,
      true,
      true,
      true,
      true,
      false,
    ]);
    expect(globSetMatcher(['**/.npmrc'])('.NPMRC')).toBe(false);
  });
  test('a class range is not lower-cased as text: [Z-a] keeps its members', () => {
    // Z [ \ ] ^ _ ` a: 'z' and 'A' are in it by case; 'b' is not.
    expect(['z', 'A', '_', 'b'].map(globMatcher('[Z-a]', { ignoreCase: true }))).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });
  test('non-ASCII letters fold one character at a time, in NFC', () => {
    const m = globMatcher('ΟΔΟΣ/CAFÉ', { ignoreCase: true });
    expect(['οδος/café', 'ΟΔΟΣ/cafe\u0301', 'οδοσ/CAFÉ', 'odos/cafe'].map(m)).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });
});
