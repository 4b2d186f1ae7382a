/**
 * Reading Ferry's glob dialect: escapes, character classes (read the way git's wildmatch reads
 * them), brace alternatives, and the cut into '/'-separated segments. Everything here runs once per
 * rule; matching lives in glob-runtime.ts.
 */
import { ANY, CLASS, STAR } from './glob-runtime.js';

export class GlobSyntaxError extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
  }
}

/**
 * What a backslash may escape. Anything else is an error, because a backslash in a rule is far
 * more often a Windows separator (`app\core`) or a regex habit (`[\d]`) than an escape.
 */
const ESCAPABLE = '*?[]{}\\!#, -^';

/** Upper bound on a rule's brace expansions (`{a,b}{c,d}` is 4): a guard against 2^n blow-ups. */
export const MAX_BRACE_EXPANSIONS = 256;

const unbalancedClass = () =>
  new GlobSyntaxError("unbalanced '['", "close the character class with ']' or escape it as '\\['");

function checkEscape(p: string, i: number): void {
  if (i + 1 >= p.length)
    throw new GlobSyntaxError(
      'pattern ends with a lone backslash',
      "remove it, or write '\\\\' for a literal backslash",
    );
  const n = p[i + 1];
  if (!ESCAPABLE.includes(n))
    throw new GlobSyntaxError(
      `backslash before '${String.fromCodePoint(p.codePointAt(i + 1)!)}' (backslash only escapes glob characters)`,
      "use '/' as the path separator; write '\\*' to match a literal '*'",
    );
}

const cpLength = (cp: number) => (cp > 0xffff ? 2 : 1);

interface ParsedClass {
  /** Index of the closing ']'. */
  end: number;
  negated: boolean;
  /** Code point ranges as [lo, hi] pairs, sorted and merged. */
  ranges: number[];
}

/**
 * A character class starting at `p[open] === '['`, read as git's wildmatch reads it: `!` or `^`
 * negates; a `]` right after the opening (or the negation) is a member; `\x` is the member x (and
 * may start or end a range); `a-z` is a range, after which a `-` is a member again; `-` first or
 * last is a member; `[:` starts a POSIX class only when a `:]` closes it before the next `]`
 * (`[[:]ab]` is the class `[` `:` followed by `ab]`). Ferry refuses POSIX classes and reversed
 * ranges instead of matching nothing, which is what git does with them.
 */
export function parseClass(p: string, open: number): ParsedClass {
  let i = open + 1;
  const negated = p[i] === '!' || p[i] === '^';
  if (negated) i++;
  const pairs: number[] = [];
  let prev = -1; // the last single member, which a following '-' turns into a range start
  for (let first = true; ; first = false) {
    if (i >= p.length) throw unbalancedClass();
    const c = p.codePointAt(i)!;
    if (c === 0x5d /* ] */ && !first) return { end: i, negated, ranges: mergeRanges(pairs) };
    if (c === 0x5c /* \ */) {
      if (i + 1 >= p.length) throw unbalancedClass();
      checkEscape(p, i);
      const x = p.codePointAt(i + 1)!;
      pairs.push(x, x);
      prev = x;
      i += 1 + cpLength(x);
    } else if (c === 0x2d /* - */ && prev >= 0 && i + 1 < p.length && p[i + 1] !== ']') {
      let j = i + 1;
      if (p[j] === '\\') {
        if (j + 1 >= p.length) throw unbalancedClass();
        checkEscape(p, j);
        j++;
      }
      const hi = p.codePointAt(j)!;
      if (hi < prev)
        throw new GlobSyntaxError('invalid character class', "write ranges low to high, e.g. '[a-z]'");
      pairs[pairs.length - 1] = hi; // the pair [prev, prev] pushed last becomes [prev, hi]
      prev = -1;
      i = j + cpLength(hi);
    } else if (c === 0x5b /* [ */ && p[i + 1] === ':') {
      const close = p.indexOf(']', i + 2);
      if (close < 0) throw unbalancedClass();
      if (close > i + 2 && p[close - 1] === ':')
        throw new GlobSyntaxError(
          'POSIX character classes like [[:alpha:]] are not supported',
          "list the characters instead, e.g. '[a-zA-Z]', or escape the bracket as '\\['",
        );
      pairs.push(c, c);
      prev = c;
      i++;
    } else {
      pairs.push(c, c);
      prev = c;
      i += cpLength(c);
    }
  }
}

function mergeRanges(pairs: number[]): number[] {
  const rs: [number, number][] = [];
  for (let i = 0; i < pairs.length; i += 2) rs.push([pairs[i], pairs[i + 1]]);
  rs.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [lo, hi] of rs) {
    const n = out.length;
    if (n !== 0 && lo <= out[n - 1] + 1) out[n - 1] = Math.max(out[n - 1], hi);
    else out.push(lo, hi);
  }
  return out;
}

/** Escapes, classes and brace balance, left to right: the first mistake is the one reported. */
export function validateGlob(p: string): void {
  let braces = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') {
      checkEscape(p, i);
      i++;
    } else if (c === '{') braces++;
    else if (c === '}') {
      if (--braces < 0)
        throw new GlobSyntaxError("unbalanced '}'", "remove it or add the matching '{', e.g. '{a,b}'");
    } else if (c === '[') i = parseClass(p, i).end;
  }
  if (braces > 0)
    throw new GlobSyntaxError(
      "unbalanced '{'",
      "close the alternatives with '}', e.g. 'src/{a,b}/**', or escape it as '\\{'",
    );
}

export function hasBraces(p: string): boolean {
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '\\') i++;
    else if (p[i] === '[') i = parseClass(p, i).end;
    else if (p[i] === '{') return true;
  }
  return false;
}

/** All expansions of the balanced brace groups in a valid `p` (escapes are kept as written). */
export function expandBraces(p: string): string[] {
  let open = -1;
  let depth = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') i++;
    else if (c === '[') i = parseClass(p, i).end;
    else if (c === '{') {
      if (depth++ === 0) open = i;
    } else if (c === '}' && --depth === 0) {
      const alternatives: string[] = [];
      let d = 0;
      let from = open + 1;
      for (let j = open + 1; j < i; j++) {
        const cj = p[j];
        if (cj === '\\') j++;
        else if (cj === '[') j = parseClass(p, j).end;
        else if (cj === '{') d++;
        else if (cj === '}') d--;
        else if (cj === ',' && d === 0) {
          alternatives.push(p.slice(from, j));
          from = j + 1;
        }
      }
      alternatives.push(p.slice(from, i));
      const head = p.slice(0, open);
      const tails = expandBraces(p.slice(i + 1));
      const out = new Set<string>();
      for (const a of alternatives)
        for (const mid of expandBraces(a))
          for (const t of tails) {
            out.add(head + mid + t);
            if (out.size > MAX_BRACE_EXPANSIONS)
              throw new GlobSyntaxError(
                `more than ${MAX_BRACE_EXPANSIONS} brace alternatives`,
                'split the rule into several lines',
              );
          }
      return [...out];
    }
  }
  return [p];
}

/**
 * One segment of a brace-free pattern, as tokens: a code point (>= 0), `ANY` for `?`, `STAR` for
 * `*`, or `CLASS, negated, count, lo, hi, ...` for a class (the runtime's atom encoding).
 */
export interface SegmentTokens {
  tokens: number[];
  /** No wildcard: the segment is the literal text of its code points. */
  literal: boolean;
  /** The whole segment is a run of two or more unescaped stars. */
  globstar: boolean;
}

/**
 * A caseless form, one code point at a time: upper then lower case, so 'ς' and 'σ' both give 'σ'
 * and the result never depends on the neighbours (as toLowerCase's final sigma does). The same
 * function folds patterns and paths.
 */
export function foldCase(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(s)) return s.toLowerCase();
  let out = '';
  for (const ch of s) out += ch.toUpperCase().toLowerCase();
  return out;
}

/**
 * Cut a valid, brace-free pattern into segments (a '/' inside a class does not cut). With `fold`,
 * literal characters are lower-cased and classes marked to try the upper case of a (lower-cased)
 * character too: paths are then folded with `foldCase` before matching.
 */
export function tokenize(p: string, fold = false): SegmentTokens[] {
  const segments: SegmentTokens[] = [];
  let tokens: number[] = [];
  let literal = true;
  let stars = 0; // unescaped stars in this segment
  const pushLiteral = (cp: number) => {
    if (!fold) tokens.push(cp);
    else for (const ch of foldCase(String.fromCodePoint(cp))) tokens.push(ch.codePointAt(0)!);
  };
  const close = () => {
    segments.push({ tokens, literal, globstar: stars >= 2 && stars === tokens.length });
    tokens = [];
    literal = true;
    stars = 0;
  };
  for (let i = 0; i < p.length;) {
    const c = p.codePointAt(i)!;
    if (c === 0x2f /* / */) {
      close();
      i++;
    } else if (c === 0x5c /* \ */) {
      const x = p.codePointAt(i + 1)!;
      pushLiteral(x);
      i += 1 + cpLength(x);
    } else if (c === 0x2a /* * */) {
      tokens.push(STAR);
      literal = false;
      stars++;
      i++;
    } else if (c === 0x3f /* ? */) {
      tokens.push(ANY);
      literal = false;
      i++;
    } else if (c === 0x5b /* [ */) {
      const cls = parseClass(p, i);
      tokens.push(CLASS, (cls.negated ? 1 : 0) | (fold ? 2 : 0), cls.ranges.length / 2, ...cls.ranges);
      literal = false;
      i = cls.end + 1;
    } else {
      pushLiteral(c);
      i += cpLength(c);
    }
  }
  close();
  return segments;
}
