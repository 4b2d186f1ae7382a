import fc from 'fast-check';
import {
  compileAllowlist,
  globPrograms,
  globSetMatcher,
  parseAllowlistStrict,
} from '../../src/core/allowlist/index.js';
import { globRuntime } from '../../src/core/allowlist/glob-runtime.js';
import {
  compileGlob as compileRegexGlob,
  globRegExp,
  referenceRule,
  RegexAllowlistMatcher,
} from '../support/regex-allowlist.js';

/**
 * Property: the linear-time matcher decides like the regex compiler it replaced (kept in
 * tests/support as the reference), on random patterns small enough for the regexes not to blow
 * up, over random paths. Three ways are compared: the rule index with its fast paths (the
 * allowlist, forbidden and preserve lists), the plain runtime loop (dirsync's scan threads), and
 * the old regex (and, with `ignoreCase`, the old regex with its `i` flag). The generators stay clear of the old compiler's known bugs, which the new one
 * fixes (tests in allowlist-glob.test.ts): escaped '-' in a class, '[:' that is not a POSIX
 * class, a '{' inside a class, names holding a newline, NFD names, and 'x\\\\/'.
 */

/** Path characters: glob specials included, so escapes get exercised. */
const PATH_CHARS = [
  'a',
  'b',
  'A',
  '.',
  '-',
  ' ',
  'é',
  'É',
  '😀',
  '*',
  '?',
  '[',
  ']',
  '{',
  '}',
  ',',
  '\\',
  '!',
];
const ESCAPED: Record<string, string> = {
  '*': '\\*',
  '?': '\\?',
  '[': '\\[',
  ']': '\\]',
  '{': '\\{',
  '}': '\\}',
  ',': '\\,',
  '\\': '\\\\',
};
const CLASSES = [
  '[ab]',
  '[!a]',
  '[^.]',
  '[a-c]',
  '[]a]',
  '[!]]',
  '[-a]',
  '[a-]',
  '[é😀]',
  '[ --]',
  '[*?]',
  '[\\]]',
  '[A-Z]',
  '[Z-a]',
];
/** Pieces that both compilers refuse (an unclosed '[' comes last only: see patternArb). */
const INVALID = ['[z-a]', '[[:alpha:]]', '\\q'];

const pathArb = fc
  .array(fc.array(fc.constantFrom(...PATH_CHARS), { minLength: 1, maxLength: 5 }), {
    minLength: 1,
    maxLength: 4,
  })
  .map((segs) => segs.map((s) => s.join('')).join('/'));

const literalPiece = fc.constantFrom(...PATH_CHARS).map((c) => ESCAPED[c] ?? c);
const piece: fc.Arbitrary<string> = fc.oneof(
  { weight: 18, arbitrary: literalPiece },
  { weight: 9, arbitrary: fc.constant('*') },
  { weight: 6, arbitrary: fc.constant('?') },
  { weight: 6, arbitrary: fc.constantFrom(...CLASSES) },
  { weight: 3, arbitrary: fc.constant('**') },
  {
    weight: 3,
    arbitrary: fc
      .array(
        fc.array(fc.oneof(literalPiece, fc.constantFrom('*', '?', '/', '**/', '[ab]')), { maxLength: 3 }),
        {
          minLength: 1,
          maxLength: 3,
        },
      )
      .map((alts) => `{${alts.map((a) => a.join('')).join(',')}}`),
  },
  { weight: 1, arbitrary: fc.constantFrom(...INVALID) },
);
const segmentArb = fc.oneof(
  { weight: 5, arbitrary: fc.array(piece, { minLength: 1, maxLength: 4 }).map((xs) => xs.join('')) },
  { weight: 1, arbitrary: fc.constant('**') },
);
const patternArb = fc
  .tuple(
    fc.boolean(),
    fc.array(segmentArb, { minLength: 1, maxLength: 4 }),
    fc.constantFrom('', '', '', '/', '/', '[a'),
  )
  // An unclosed '[' only at the end: a later ']' would close it into a class holding '{', which
  // sent the old compiler into endless recursion.
  .map(([lead, segs, end]) => (lead ? '/' : '') + segs.join('/') + end)
  // Few stars, so the regexes stay fast; not the old compiler's 'x\\/' bug (which braces can
  // produce from any escaped backslash before a '/').
  .filter((p) => (p.match(/\*/g) ?? []).length <= 5 && !p.includes('\\\\/'));

/** A path the pattern likely matches: its wildcards filled in, picks from `g`. Random paths mostly miss. */
function fill(p: string, g: (n: number) => number): string {
  return p
    .replace(/^\//, '')
    .replace(/\\(.)/g, '$1')
    .replace(/\{([^{}]*)\}/g, (_m, body: string) => body.split(',')[g(body.split(',').length)] ?? '')
    .replace(/\[[^\]]*\]|\*\*|\*|\?/g, () => 'ab'.slice(g(2)))
    .replace(/\/+$/, '/x');
}

const picks = (seeds: number[]) => {
  let k = 0;
  return (n: number) => seeds[k++ % seeds.length] % n;
};

type Outcome = 'error' | boolean[];

function newOutcome(
  pattern: string,
  paths: string[],
  ignoreCase = false,
): { index: Outcome; plain: Outcome } {
  try {
    const index = globSetMatcher([pattern], { ignoreCase });
    if (ignoreCase) return { index: paths.map(index), plain: 'error' }; // the plain loop serves dirsync only
    const programs = globPrograms([pattern]);
    const rt = globRuntime();
    return { index: paths.map(index), plain: paths.map((p) => rt.anyMatches(programs, p)) };
  } catch {
    return { index: 'error', plain: 'error' };
  }
}

function regexOutcome(pattern: string, paths: string[], ignoreCase = false): Outcome {
  let re: RegExp;
  try {
    re = globRegExp(compileRegexGlob(pattern).regexSource);
  } catch {
    return 'error';
  }
  if (ignoreCase) re = new RegExp(re.source, 'iu');
  return paths.map((p) => re.test(p));
}

describe('the linear-time matcher decides like the regex compiler it replaced', () => {
  test('one glob: rule index, plain runtime and regex agree (errors included)', () => {
    fc.assert(
      fc.property(patternArb, fc.array(pathArb, { minLength: 1, maxLength: 12 }), (pattern, paths) => {
        const got = newOutcome(pattern, paths);
        const want = regexOutcome(pattern, paths);
        expect({ pattern, paths, ...got }).toEqual({ pattern, paths, index: want, plain: want });
      }),
      { numRuns: 3000 },
    );
  });

  test('paths that match: generated from the pattern, so most cases are positive', () => {
    fc.assert(
      fc.property(patternArb, fc.array(fc.nat(), { minLength: 8, maxLength: 8 }), (pattern, seeds) => {
        const g = picks(seeds);
        const paths = [fill(pattern, g), fill(pattern, g)].filter((p) => p !== '');
        const got = newOutcome(pattern, paths);
        const want = regexOutcome(pattern, paths);
        expect({ pattern, paths, ...got }).toEqual({ pattern, paths, index: want, plain: want });
      }),
      { numRuns: 2000 },
    );
  });

  test('ignoreCase: like the regex with its i flag', () => {
    fc.assert(
      fc.property(patternArb, fc.array(pathArb, { minLength: 1, maxLength: 12 }), (pattern, paths) => {
        const got = newOutcome(pattern, paths, true).index;
        const want = regexOutcome(pattern, paths, true);
        expect({ pattern, paths, got }).toEqual({ pattern, paths, got: want });
      }),
      { numRuns: 1500 },
    );
  });

  test('allowlists: includes and excludes with veto, over the same paths', () => {
    const rules = fc.array(
      fc.tuple(fc.boolean(), patternArb).map(([neg, p]) => (neg ? '!' : '') + p),
      { minLength: 1, maxLength: 6 },
    );
    fc.assert(
      fc.property(
        rules,
        fc.array(pathArb, { maxLength: 10 }),
        fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
        (lines, random, seeds) => {
          const g = picks(seeds);
          const paths = [...random, ...lines.map((l) => fill(l.replace(/^!/, ''), g))];
          let parsed;
          let reference;
          try {
            parsed = parseAllowlistStrict(lines.join('\n'), 'p.txt');
            // The reference compiles globs only: give it each rule's text as the parser read it.
            reference = parsed.map((r) =>
              referenceRule((r.negated ? '!' : '') + r.text.replace(/^!/, '').trimStart()),
            );
          } catch {
            return; // a malformed rule: the single-glob property compares the errors
          }
          const ferry = compileAllowlist(parsed);
          const before = new RegexAllowlistMatcher(reference);
          expect({ lines, paths, selected: paths.map((p) => ferry.selects(p)) }).toEqual({
            lines,
            paths,
            selected: paths.map((p) => before.selects(p)),
          });
        },
      ),
      { numRuns: 1500 },
    );
  });
});
