/**
 * Ferry's glob dialect, compiled to programs for the linear-time matcher (glob-runtime.ts).
 *
 * `*` and `?` stay within one segment, `**` as a whole segment spans any number of segments
 * (zero included), `[...]` is a character class, `{a,b}` picks alternatives, `\` escapes.
 * A pattern with no wildcard is a literal: it matches the path itself and everything below it.
 * A trailing `/` means the subtree below whatever the rest matches (`P/` is `P/**`).
 * Patterns and paths are compared in Unicode NFC, so NFC and NFD spellings of a name are equal.
 */
import {
  CLASS,
  globRuntime,
  SEGMENT_ANY,
  STAR,
  type Chunk,
  type PathProgram,
  type SegmentProgram,
} from './glob-runtime.js';
import {
  expandBraces,
  foldCase,
  GlobSyntaxError,
  hasBraces,
  tokenize,
  validateGlob,
  type SegmentTokens,
} from './glob-syntax.js';
import { RuleIndex } from './rule-index.js';

export { expandBraces, GlobSyntaxError } from './glob-syntax.js';
export type { PathProgram } from './glob-runtime.js';

/** One brace expansion of a glob, compiled. */
export interface GlobAlternative {
  /** A literal path (NFC): it and everything below it match. */
  literal?: string;
  /** `L/**` with L literal (NFC): everything strictly below L matches. */
  subtreeOf?: string;
  /** The literal directories the alternative starts with (`app/core` for `app/core/**\/*.py`), '' for none. */
  dir: string;
  /** The alternative matched from the start of a path. */
  program: PathProgram;
  /** The part after `dir`, matched from the segment after it. */
  rest: PathProgram;
}

export interface CompiledGlob {
  /** The pattern as written, without the leading '/' (and without a trailing '/'). */
  pattern: string;
  /** Set when the pattern has no wildcard and no braces: the path it names (NFC). */
  literal?: string;
  /** Set for `L/**` (L literal, NFC): matches exactly the paths below L. */
  subtreeOf?: string;
  /** Two globs with the same key match the same paths (`app/`, `/app/` and `app/**`). */
  key: string;
  /** The brace expansions (one when there are no braces). */
  alternatives: GlobAlternative[];
}

/** Returns the unescaped literal path when the pattern has no wildcard, else undefined. */
export function literalOf(pattern: string): string | undefined {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      out += pattern[++i] ?? '';
    } else if ('*?[{'.includes(c)) {
      return undefined;
    } else {
      out += c;
    }
  }
  return out;
}

/** Strip the trailing '/'s unless the last one is escaped (`a\/` is an error reported later). */
function trailingSlashes(p: string): number {
  let n = 0;
  while (n < p.length && p[p.length - 1 - n] === '/') n++;
  if (n === 0) return 0;
  let backslashes = 0;
  while (p[p.length - 1 - n - backslashes] === '\\') backslashes++;
  return backslashes % 2 === 0 ? n : n - 1;
}

export interface GlobOptions {
  /**
   * Match regardless of case: literal characters are lower-cased here, and paths must be folded
   * with `foldCase` before matching (globSetMatcher does it). Allowlists stay case-sensitive.
   */
  ignoreCase?: boolean;
}

export function compileGlob(rawPattern: string, options: GlobOptions = {}): CompiledGlob {
  const nfcPattern = rawPattern.normalize('NFC');
  let pattern = nfcPattern.startsWith('/') ? nfcPattern.slice(1) : nfcPattern;
  const cut = trailingSlashes(pattern);
  const subtree = cut > 0;
  pattern = pattern.slice(0, pattern.length - cut);
  if (pattern === '') throw new GlobSyntaxError('empty pattern', "write a path or glob, e.g. 'src/**'");
  validateGlob(pattern);
  // A trailing '/' means the subtree below whatever the rest matches: `P/` is `P/**`. So `README.md/`
  // does not select the file README.md (git agrees), and `app/**/` is everything below app.
  const effective = subtree ? `${pattern}/**` : pattern;
  const braces = hasBraces(effective);
  let alternatives: GlobAlternative[];
  if (braces) {
    // `{a,b}` is shorthand for two rules, so a brace pattern means exactly what its expansions mean
    // together: `{app,lib}` selects both directories' subtrees (each expansion is a literal), and
    // `x{**,y}` is `x*` or `xy` (the `**` is not a whole segment once expanded).
    alternatives = expandBraces(effective)
      .filter((a) => a !== '' && a !== '/')
      .flatMap((a) => compileGlob(a, options).alternatives);
    if (alternatives.length === 0)
      throw new GlobSyntaxError('empty pattern', "write a path or glob, e.g. 'src/{a,b}/**'");
  } else {
    alternatives = [compileAlternative(tokenize(effective, options.ignoreCase))];
  }
  const keys = [...new Set(alternatives.map((a) => JSON.stringify(a.program)))].sort();
  const compiled: CompiledGlob = { pattern, key: keys.join('\n'), alternatives };
  if (!braces) {
    const [only] = alternatives;
    if (only.literal !== undefined) compiled.literal = only.literal;
    if (only.subtreeOf !== undefined) compiled.subtreeOf = only.subtreeOf;
  }
  return compiled;
}

function segmentProgram(s: SegmentTokens): SegmentProgram {
  if (s.literal) return String.fromCodePoint(...s.tokens);
  if (s.tokens.length === 1 && s.tokens[0] === STAR) return SEGMENT_ANY;
  // Chunks: what lies between stars (consecutive stars act as one, so `a**b` is `a*b`).
  const chunks: Chunk[] = [];
  let atoms: number[] = [];
  let plain = true;
  let width = 0;
  const flush = () => {
    chunks.push(plain ? String.fromCodePoint(...atoms) : { a: atoms, n: width });
    atoms = [];
    plain = true;
    width = 0;
  };
  const t = s.tokens;
  for (let i = 0; i < t.length;) {
    const x = t[i];
    if (x === STAR) {
      if (i === 0 || t[i - 1] !== STAR) flush();
      i++;
      continue;
    }
    width++;
    if (x === CLASS) {
      const end = i + 3 + 2 * t[i + 2];
      atoms.push(...t.slice(i, end));
      plain = false;
      i = end;
    } else {
      if (x < 0) plain = false;
      atoms.push(x);
      i++;
    }
  }
  flush();
  return { c: chunks };
}

function compileAlternative(tokens: SegmentTokens[]): GlobAlternative {
  const head: SegmentProgram[] = [];
  const groups: SegmentProgram[][] = [];
  let star = false;
  let current = head;
  let lastWasGlobstar = false;
  for (const s of tokens) {
    if (s.globstar) {
      // `**/**` is `**`: both cover any number of segments.
      if (!lastWasGlobstar) {
        star = true;
        current = [];
        groups.push(current);
      }
      lastWasGlobstar = true;
      continue;
    }
    lastWasGlobstar = false;
    current.push(segmentProgram(s));
  }
  const open = star && lastWasGlobstar;
  const tail = star ? (groups.pop() ?? []) : [];
  const mids = groups;
  const literalHead = head.every((x) => typeof x === 'string');
  const joined = () => (head as string[]).join('/');
  const below = !star && literalHead;
  const program: PathProgram = { head, mids, tail, star, open, below };
  // The literal directories in front (an empty one, as in 'a//b*' from braces, stays in the rest:
  // `dir` '' means the root).
  let dirSegments = 0;
  while (dirSegments < head.length && typeof head[dirSegments] === 'string' && head[dirSegments] !== '')
    dirSegments++;
  // A wildcard-free path is handled whole (literal or subtree): its last segment is not a directory.
  if (!star && dirSegments === head.length && dirSegments > 0) dirSegments--;
  const alt: GlobAlternative = {
    dir: head.slice(0, dirSegments).join('/'),
    program,
    rest: { ...program, head: head.slice(dirSegments) },
  };
  if (below) alt.literal = joined();
  else if (open && literalHead && mids.length === 0 && head.length > 0) alt.subtreeOf = joined();
  return alt;
}

/** A predicate for one glob (target names, single patterns). */
export function globMatcher(pattern: string, options: GlobOptions = {}): (path: string) => boolean {
  return globSetMatcher([pattern], options);
}

/** Compile a list of globs into one predicate (ignore, preserve and forbidden-path lists). */
export function globSetMatcher(
  patterns: readonly string[],
  options: GlobOptions = {},
): (path: string) => boolean {
  if (patterns.length === 0) return () => false;
  const index = new RuleIndex(patterns.flatMap((p) => compileGlob(p, options).alternatives));
  const { nfc } = globRuntime();
  if (options.ignoreCase) return (path: string) => index.matches(foldCase(nfc(path)));
  return (path: string) => index.matches(nfc(path));
}

/** The programs of a list of globs, as plain data (for a worker thread: see globRuntime). */
export function globPrograms(patterns: readonly string[]): PathProgram[] {
  return patterns.flatMap((p) => compileGlob(p).alternatives.map((a) => a.program));
}
