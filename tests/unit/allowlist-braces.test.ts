import fc from 'fast-check';
import { compileAllowlist, parseAllowlistStrict } from '../../src/core/allowlist/index.js';

/**
 * Git has no braces, so the git oracle (allowlist-property.test.ts) cannot judge them. The
 * property here: a rule with `{a,b}` selects exactly what its expansions select as separate
 * rules (for an exclude: vetoes what any expansion vetoes), nesting and `**` inside included.
 */

/** Expand the first top-level-or-nested brace group, recursively. Escapes are kept as written. */
function expandBraces(p: string): string[] {
  let open = -1;
  let depth = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') i++;
    else if (c === '{') {
      if (depth++ === 0) open = i;
    } else if (c === '}' && --depth === 0) {
      const alts: string[] = [];
      let d = 0;
      let from = open + 1;
      for (let j = open + 1; j < i; j++) {
        if (p[j] === '\\') j++;
        else if (p[j] === '{') d++;
        else if (p[j] === '}') d--;
        else if (p[j] === ',' && d === 0) {
          alts.push(p.slice(from, j));
          from = j + 1;
        }
      }
      alts.push(p.slice(from, i));
      return alts.flatMap((a) => expandBraces(p.slice(0, open) + a + p.slice(i + 1)));
    }
  }
  return [p];
}

const SEGS = ['a', 'b', 'ab', 'x.py', '.h', 'c'];
const PIECES = ['a', 'b', 'ab', '*', '**', '?', 'x.py', '.h', '*.py', 'c'];

const tree = fc
  .uniqueArray(
    fc.array(fc.constantFrom(...SEGS), { minLength: 1, maxLength: 4 }).map((s) => s.join('/')),
    { minLength: 1, maxLength: 25 },
  )
  .map((ps) => ps.filter((p) => !ps.some((q) => q.startsWith(p + '/'))));

/** A pattern: segments of pieces, where a piece may be a brace group of 1-3 alternatives (nested once). */
const piece: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...PIECES) },
  {
    weight: 2,
    arbitrary: fc
      .array(
        fc.oneof(
          fc.constantFrom(...PIECES, '', 'a/b', '**/c', 'a/**'),
          fc
            .array(fc.constantFrom(...PIECES, 'b/c'), { minLength: 1, maxLength: 3 })
            .map((xs) => `{${xs.join(',')}}`),
        ),
        { minLength: 1, maxLength: 3 },
      )
      .map((xs) => `{${xs.join(',')}}`),
  },
);
const segment = fc.array(piece, { minLength: 1, maxLength: 2 }).map((xs) => xs.join(''));
const pattern = fc
  .tuple(fc.array(segment, { minLength: 1, maxLength: 3 }), fc.boolean())
  .map(([segs, slash]) => segs.join('/') + (slash ? '/' : ''));

const select = (rules: string[], paths: string[]) =>
  compileAllowlist(parseAllowlistStrict(rules.join('\n'), 'b.txt')).filter(paths);

/** Expansions can hold an empty or '.' segment ('a//b'); drop those, as Ferry rejects them as rules. */
const usable = (p: string) => {
  const s = p.replace(/^\/+/, '').replace(/\/$/, '');
  return s !== '' && !s.split('/').some((x) => x === '' || x === '.');
};

describe('braces select what their expansions select', () => {
  test('too many alternatives is an error at file:line', () => {
    expect(() => parseAllowlistStrict('ok\n{a,b,c,d}{a,b,c,d}{a,b,c,d}{a,b,c,d}{a,b}', 'b.txt')).toThrow(
      /^b\.txt:2: more than 256 brace alternatives .*Fix: split the rule into several lines/,
    );
  });
  test('expandBraces itself', () => {
    expect(expandBraces('a/{b,{c,d}e}/f')).toEqual(['a/b/f', 'a/ce/f', 'a/de/f']);
    expect(expandBraces('\\{a,b\\}')).toEqual(['\\{a,b\\}']);
  });
  test('include rules', () => {
    fc.assert(
      fc.property(tree, pattern, (paths, p) => {
        const exp = expandBraces(p);
        fc.pre(new Set(exp).size <= 256 && exp.every(usable));
        expect({ p, sel: select([p], paths) }).toEqual({ p, sel: select(exp, paths) });
      }),
      { numRuns: 600 },
    );
  });
  test('exclude rules veto what any expansion vetoes', () => {
    fc.assert(
      fc.property(tree, pattern, (paths, p) => {
        const exp = expandBraces(p);
        fc.pre(new Set(exp).size <= 256 && exp.every(usable));
        expect({ p, sel: select(['**', `!${p}`], paths) }).toEqual({
          p,
          sel: select(['**', ...exp.map((x) => `!${x}`)], paths),
        });
      }),
      { numRuns: 400 },
    );
  });
});
