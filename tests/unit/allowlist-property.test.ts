import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { compileAllowlist, parseAllowlistStrict } from '../../src/core/allowlist/index.js';
import { git, GIT_ENV } from '../support/git-fixtures.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

/**
 * Property: for random trees × random allowlists (no braces), Ferry selects exactly what
 * `git ls-files -- ':(glob)inc'... ':(exclude,glob)exc'...` selects on a real index holding the
 * same tree. Git is the oracle; the few places where Ferry's documented meaning differs from git's
 * pathspec rules are mapped explicitly in `toPathspec` (each with the reason).
 *
 * Speed: every run writes its tree as a throwaway index (every entry points at one fixed blob, as
 * `update-index --index-info` would write it), then runs one `ls-files`. No work tree, no commits.
 */

/** Segment names for trees. ASCII only, because git's `?` and `[...]` match bytes and Ferry's match characters. */
const ASCII_SEGMENTS = [
  'a',
  'b',
  'ab',
  'Ab',
  'x.py',
  'y.md',
  '.hidden',
  '.env',
  'sp ace',
  'a.b.c',
  'st*r',
  '[x]',
  'q?',
  'd-1',
  'd_2',
  'ab.py',
];
/** Unicode names: tested with patterns that hold no `?` and no class (see above). */
const UNICODE_SEGMENTS = ['a', 'ab', 'é', 'ü-doc.md', '日本', 'naïve.py', '😀', 'Ä', 'x.py', 'sp ace'];

const GLOB_CHARS = /[*?[\]{}\\]/g;
const escapeGlob = (s: string) => s.replace(GLOB_CHARS, (c) => `\\${c}`);

interface GenRule {
  negated: boolean;
  /** Ferry rule text, without '!' */
  pattern: string;
}

/** Build a random tree (unique paths, no file that is also a directory). */
function genTree(g: fc.GeneratorValue, segs: readonly string[]): string[] {
  const n = g(fc.integer, { min: 1, max: 30 });
  const set = new Set<string>();
  for (let i = 0; i < n; i++) {
    const depth = g(fc.integer, { min: 1, max: 4 });
    const parts: string[] = [];
    for (let d = 0; d < depth; d++) parts.push(segs[g(fc.integer, { min: 0, max: segs.length - 1 })]);
    set.add(parts.join('/'));
  }
  const paths = [...set];
  return paths.filter((p) => !paths.some((q) => q.startsWith(p + '/')));
}

/** One pattern segment derived from a name: literal, `*`, `**`, partial star, `?` or a class. */
function genSegment(g: fc.GeneratorValue, name: string, wild: boolean): string {
  // Names holding glob characters ('q?', 'st*r', '[x]') only become an escaped literal, '*' or '**':
  // git compares a pathspec's raw text as a leading directory before globbing, so the wildcard
  // pattern 'q?' selects everything below a directory literally named 'q?'. Ferry matches a
  // wildcard pattern against the path only (the documented meaning); keep that quirk out of the oracle.
  const kinds = /[*?[\]]/.test(name) ? 4 : wild ? 8 : 5;
  switch (g(fc.integer, { min: 0, max: kinds - 1 })) {
    case 0:
    case 1:
      return escapeGlob(name);
    case 2:
      return '*';
    case 3:
      return '**';
    case 4: {
      // a partial star: 'a*', '*.py', 'a*c' (and a non-segment '**' now and then)
      const cut = g(fc.integer, { min: 0, max: name.length });
      const star = g(fc.boolean) ? '*' : '**';
      const chars = [...name];
      return escapeGlob(chars.slice(0, cut).join('')) + star + escapeGlob(chars.slice(cut + 1).join(''));
    }
    case 5: {
      const chars = [...name];
      const i = g(fc.integer, { min: 0, max: chars.length - 1 });
      return chars.map((c, j) => (j === i ? '?' : escapeGlob(c))).join('');
    }
    case 6: {
      const chars = [...name];
      const i = g(fc.integer, { min: 0, max: chars.length - 1 });
      const cls = g(fc.constantFrom, '[ab]', '[!ab]', '[^.]', '[a-c]', '[.x]', '[]a]', '[!]]', '[A-Z]');
      return chars.map((c, j) => (j === i ? cls : escapeGlob(c))).join('');
    }
    default:
      return `${escapeGlob([...name][0])}*`;
  }
}

function genRules(
  g: fc.GeneratorValue,
  tree: readonly string[],
  segs: readonly string[],
  wild: boolean,
): GenRule[] {
  const n = g(fc.integer, { min: 1, max: 6 });
  const rules: GenRule[] = [];
  for (let i = 0; i < n; i++) {
    // Most rules start from a path of the tree (so they match something); some are random.
    const base = g(fc.boolean)
      ? tree[g(fc.integer, { min: 0, max: tree.length - 1 })].split('/')
      : Array.from(
          { length: g(fc.integer, { min: 1, max: 3 }) },
          () => segs[g(fc.integer, { min: 0, max: segs.length - 1 })],
        );
    // Cut it short now and then: a directory literal or a wildcard directory.
    const keep = g(fc.integer, { min: 1, max: base.length });
    let pattern = base
      .slice(0, keep)
      .map((s) => genSegment(g, s, wild))
      .join('/');
    if (g(fc.integer, { min: 0, max: 4 }) === 0) pattern += '/';
    if (g(fc.integer, { min: 0, max: 4 }) === 0) pattern = '/' + pattern;
    rules.push({ negated: g(fc.integer, { min: 0, max: 3 }) === 0, pattern });
  }
  return rules;
}

/** Is the pattern free of wildcards (after escapes)? Then Ferry treats it as a literal path. */
function isLiteral(p: string): boolean {
  return !/(^|[^\\])(\\\\)*[*?[]/.test(p);
}

/**
 * Translate one Ferry rule to the git pathspec that means the same thing.
 * - A leading '/' anchors at the root in Ferry; git would read it as an absolute OS path. Strip it.
 * - A trailing '/' means "the subtree below whatever the rest matches" in Ferry (`app/*\/` = every
 *   file below each directory of app). Git's wildmatch never matches a trailing slash against a
 *   file, so `app/*\/` selects nothing in git. Map `P/` to `P/**`, which is what Ferry documents.
 * - A wildcard-free pattern is a literal path in Ferry, even with escapes (`we\*ird` names the
 *   directory `we*ird` and its subtree). Git only treats *unescaped* glob text as a leading
 *   directory, so give git the unescaped path with `:(literal)`, which matches the path and below.
 * - `**` that is not a whole segment (`a**`, `x**\/y`) acts as `*` in Ferry, as gitignore documents;
 *   git's pathspec glob lets it span '/' in some positions. Map it to `*`.
 */
function toPathspec(rule: GenRule): string {
  let p = rule.pattern.replace(/^\/+/, '');
  const magic = rule.negated ? 'exclude,' : '';
  if (p.endsWith('/')) p = p.slice(0, -1) + '/**';
  if (isLiteral(p)) return `:(${magic}literal)${p.replace(/\\(.)/g, '$1')}`;
  p = p
    .split('/')
    .map((seg) => (seg === '**' ? seg : seg.replace(/(^|[^\\])\*\*+/g, '$1*')))
    .join('/');
  return `:(${magic}glob)${p}`;
}

let repo: string;
let blob: string;
let runNo = 0;

/**
 * The index git would write for `update-index --index-info` with every path at one blob (format
 * v2, see git's Documentation/gitformat-index.txt). Writing it here saves a git process per run,
 * which halves the test's time; a wrong byte fails loudly (git checks the trailing SHA-1).
 */
function writeIndex(file: string, tree: readonly string[]): void {
  const names = tree.map((p) => Buffer.from(p, 'utf8')).sort(Buffer.compare);
  const parts: Buffer[] = [Buffer.from('DIRC'), u32(2), u32(names.length)];
  const sha = Buffer.from(blob, 'hex');
  for (const name of names) {
    const head = Buffer.alloc(62);
    head.writeUInt32BE(0o100644, 24); // ctime, mtime, dev, ino stay 0; then mode
    sha.copy(head, 40);
    head.writeUInt16BE(Math.min(name.length, 0xfff), 60);
    const pad = 8 - ((62 + name.length) % 8); // 1..8 NULs
    parts.push(head, name, Buffer.alloc(pad));
  }
  const body = Buffer.concat(parts);
  writeFileSync(file, Buffer.concat([body, createHash('sha1').update(body).digest()]));
}
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

function gitSelects(tree: readonly string[], rules: readonly GenRule[]): string[] {
  // Ferry selects nothing without an include; git reads a pathspec of only excludes as
  // "everything except", so the oracle answers that case itself.
  if (!rules.some((r) => !r.negated)) return [];
  const index = path.join(repo, '.git', `index-${runNo++}`);
  writeIndex(index, tree);
  const env = { ...GIT_ENV, GIT_INDEX_FILE: index };
  // The extra include matches nothing. It is there because git strips the includes' common
  // leading directory before matching excludes too: with `:(glob)x/**` and `:(exclude,glob)**\/x/**`,
  // git 2.39 keeps `x/y/z`, which its exclude (alone) does match. No common prefix, no quirk.
  const specs = [...rules.map(toPathspec), ':(literal)=no-such-path='];
  const out = execFileSync('git', ['ls-files', '-z', '--', ...specs], { cwd: repo, env }).toString('utf8');
  return out.split('\0').filter(Boolean);
}

function ferrySelects(tree: readonly string[], rules: readonly GenRule[]): string[] {
  const text = rules.map((r) => (r.negated ? '!' : '') + r.pattern).join('\n');
  return compileAllowlist(parseAllowlistStrict(text, 'prop.txt')).filter(tree);
}

const sorted = (xs: string[]) => [...xs].sort();

function checkAgainstGit(segs: readonly string[], wild: boolean, numRuns: number, seed?: number) {
  fc.assert(
    fc.property(fc.gen(), (g) => {
      const tree = genTree(g, segs);
      const rules = genRules(g, tree, segs, wild);
      const want = sorted(gitSelects(tree, rules));
      const got = sorted(ferrySelects(tree, rules));
      // tree and rules ride along so a failure prints the whole counterexample
      const text = rules.map((r) => (r.negated ? '!' : '') + r.pattern);
      expect({ tree, rules: text, selected: got }).toEqual({ tree, rules: text, selected: want });
    }),
    { numRuns, seed },
  );
}

beforeAll(async () => {
  repo = await tmpDir('ferry-allowlist-prop-');
  git(repo, ['init', '-q', '.']);
  blob = git(repo, ['hash-object', '-w', '--stdin'], 'x\n');
});
afterAll(cleanupTmp);

describe('allowlist matches git pathspecs (git is the oracle)', () => {
  test('ASCII trees: literals, *, ?, **, classes, escapes, dotfiles, spaces, / anchors, veto', () => {
    checkAgainstGit(ASCII_SEGMENTS, true, 400);
  });
  test('unicode trees: literals, *, ** (no ? or classes: git matches bytes there)', () => {
    checkAgainstGit(UNICODE_SEGMENTS, false, 250);
  });
  test('the oracle itself can fail: a wrong answer is caught', () => {
    // Guards the harness: if git and Ferry were compared wrongly, this would pass silently.
    const tree = ['app/a.py', 'app/x/b.py', 'README.md'];
    expect(gitSelects(tree, [{ negated: false, pattern: 'app/*' }])).toEqual(['app/a.py']);
    expect(gitSelects(tree, [{ negated: false, pattern: 'app/*/' }])).toEqual(['app/x/b.py']);
    expect(gitSelects(tree, [{ negated: true, pattern: 'app/' }])).toEqual([]);
    expect(
      ferrySelects(tree, [
        { negated: false, pattern: 'app' },
        { negated: true, pattern: 'app/x' },
      ]),
    ).toEqual(['app/a.py']);
  });
});
