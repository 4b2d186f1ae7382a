/**
 * The allowlist matcher as it was before the linear-time matcher (session 4): globs compiled to
 * backtracking regular expressions, rules indexed in a trie of literal directories. Kept ONLY as a
 * reference: the property test compares the new matcher with it on patterns small enough for the
 * regexes not to blow up, and the allowlist bench measures "today's figure" with it in the same run.
 * Not used by Ferry itself. Brace expansion and literal detection, unchanged, come from the new
 * module (only the regex translation and the old trie live here). Its known bugs (escaped '-' in a
 * class read as a range, '[[:]' rejected, '**' not crossing a newline) are kept as they were: tests
 * steer clear of them. The trie is a copy of the old one, not an import of rule-index.ts: the bench's
 * baseline must stay the matcher as it was, whatever becomes of the new index.
 */
/**
 * Ferry's glob dialect, compiled to anchored regular expressions over '/'-separated paths.
 *
 * `*` and `?` stay within one segment, `**` as a whole segment spans any number of segments
 * (zero included), `[...]` is a character class, `{a,b}` picks alternatives, `\` escapes.
 * A pattern with no wildcard is a literal: it matches the path itself and everything below it.
 * A trailing `/` means the subtree below whatever the rest matches (`P/` is `P/**`).
 */
import { expandBraces, GlobSyntaxError, literalOf } from '../../src/core/allowlist/glob.js';

export interface CompiledGlob {
  /** The pattern as written, without the leading '/' */
  pattern: string;
  /** Set when the pattern has no wildcard: the unescaped path it names. */
  literal?: string;
  /** Full-path regex source (anchored by the caller). Also set for literals (subtree form). */
  regexSource: string;
  /** The directory part before the first wildcard, e.g. `app/core/` for `app/core/**\/*.py`. */
  literalDirPrefix: string;
  /** Set for `L/**` (L literal): matches exactly the paths below L. */
  subtreeOf?: string;
  /** The longest literal run every match must contain (a cheap prefilter before the regex). */
  requiredLiteral: string;
}

function escapeRegex(ch: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(ch) ? `\\${ch}` : ch;
}

export function compileGlob(rawPattern: string): CompiledGlob {
  let pattern = rawPattern.startsWith('/') ? rawPattern.slice(1) : rawPattern;
  let subtree = false;
  if (pattern.endsWith('/') && !pattern.endsWith('\\/')) {
    pattern = pattern.replace(/\/+$/, '');
    subtree = true;
  }
  if (pattern === '') throw new GlobSyntaxError('empty pattern', "write a path or glob, e.g. 'src/**'");
  validateBalance(pattern);
  // A trailing '/' means the subtree below whatever the rest matches: `P/` is `P/**`. So `README.md/`
  // does not select the file README.md (git agrees), and `app/**/` is everything below app.
  const effective = subtree ? `${pattern}/**` : pattern;
  const literal = literalOf(effective);
  if (literal !== undefined) {
    const src = [...literal].map(escapeRegex).join('');
    return {
      pattern,
      literal,
      regexSource: `${src}(?:/.*)?`,
      literalDirPrefix: literal.includes('/') ? literal.slice(0, literal.lastIndexOf('/') + 1) : '',
      requiredLiteral: literal,
    };
  }
  const regexSource = hasBraces(effective) ? braceRegexSource(effective) : translate(effective);
  try {
    globRegExp(regexSource);
  } catch {
    // Only a class can get here (e.g. the reversed range '[z-a]'): everything else is escaped.
    throw new GlobSyntaxError('invalid character class', "write ranges low to high, e.g. '[a-z]'");
  }
  const compiled: CompiledGlob = {
    pattern,
    regexSource,
    literalDirPrefix: literalDirPrefixOf(effective),
    // A brace pattern's expansions can join a `**` to its neighbours ('{**,a}*/x' has the
    // expansion '***/x', where the '/' is optional): no literal is safe to require there.
    requiredLiteral: hasBraces(effective) ? '' : longestLiteralRun(effective),
  };
  if (effective.endsWith('/**')) {
    const base = literalOf(effective.slice(0, -3));
    if (base !== undefined && base !== '') compiled.subtreeOf = base;
  }
  return compiled;
}

function hasBraces(p: string): boolean {
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '\\') i++;
    else if (p[i] === '{') return true;
  }
  return false;
}

/**
 * `{a,b}` is shorthand for two rules, so a brace pattern means exactly what its expansions mean
 * together: `{app,lib}` selects the directories app and lib with their subtrees (each expansion is a
 * literal), and `x{**,y}` is `x*` or `xy` (the `**` is not a whole segment once expanded).
 * Compiling each expansion on its own gives that for free.
 */
function braceRegexSource(p: string): string {
  const alternatives = expandBraces(p).filter((a) => a !== '' && a !== '/');
  if (alternatives.length === 0)
    throw new GlobSyntaxError('empty pattern', "write a path or glob, e.g. 'src/{a,b}/**'");
  return `(?:${alternatives.map((a) => compileGlob(a).regexSource).join('|')})`;
}

/** The longest run of literal characters outside wildcards, classes and braces. */
function longestLiteralRun(p: string): string {
  let best = '';
  let cur = '';
  let depth = 0;
  const flush = () => {
    if (cur.length > best.length) best = cur;
    cur = '';
  };
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') {
      if (depth === 0) cur += p[i + 1] ?? '';
      i++;
    } else if (c === '{') {
      // An alternative may be '**' (zero segments), so a '/' next to a brace group is optional.
      if (depth === 0) cur = cur.replace(/\/$/, '');
      flush();
      depth++;
    } else if (c === '}') {
      if (--depth === 0 && p[i + 1] === '/') i++;
    } else if (depth > 0) {
      continue;
    } else if (c === '*' && p[i + 1] === '*') {
      // The slashes around ** are optional in a match ('**/x' matches 'x'): keep them out.
      cur = cur.replace(/\/$/, '');
      flush();
      while (p[i + 1] === '*') i++;
      if (p[i + 1] === '/') i++;
    } else if (c === '*' || c === '?') {
      flush();
    } else if (c === '[') {
      flush();
      i = findClassEnd(p, i);
    } else {
      cur += c;
    }
  }
  flush();
  return best;
}

function literalDirPrefixOf(pattern: string): string {
  let lit = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      lit += pattern[++i] ?? '';
      continue;
    }
    if ('*?[{'.includes(c)) break;
    lit += c;
  }
  const cut = lit.lastIndexOf('/');
  return cut < 0 ? '' : lit.slice(0, cut + 1);
}

function validateBalance(p: string): void {
  let braces = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') {
      if (i + 1 >= p.length)
        throw new GlobSyntaxError(
          'pattern ends with a lone backslash',
          "remove it, or write '\\\\' for a literal backslash",
        );
      const n = p[i + 1];
      if (!'*?[]{}\\!#, '.includes(n)) {
        throw new GlobSyntaxError(
          `backslash before '${n}' (backslash only escapes glob characters)`,
          "use '/' as the path separator; write '\\*' to match a literal '*'",
        );
      }
      i++;
    } else if (c === '{') braces++;
    else if (c === '}') {
      if (--braces < 0)
        throw new GlobSyntaxError("unbalanced '}'", "remove it or add the matching '{', e.g. '{a,b}'");
    } else if (c === '[') {
      const close = findClassEnd(p, i);
      if (close < 0)
        throw new GlobSyntaxError(
          "unbalanced '['",
          "close the character class with ']' or escape it as '\\['",
        );
      if (p.slice(i, close).includes('[:'))
        throw new GlobSyntaxError(
          'POSIX character classes like [[:alpha:]] are not supported',
          "list the characters instead, e.g. '[a-zA-Z]', or escape the bracket as '\\['",
        );
      i = close;
    }
  }
  if (braces > 0)
    throw new GlobSyntaxError(
      "unbalanced '{'",
      "close the alternatives with '}', e.g. 'src/{a,b}/**', or escape it as '\\{'",
    );
}

function findClassEnd(p: string, open: number): number {
  let i = open + 1;
  if (p[i] === '!' || p[i] === '^') i++;
  if (p[i] === ']') i++;
  for (; i < p.length; i++) {
    if (p[i] === '\\') i++;
    else if (p[i] === ']') return i;
  }
  return -1;
}

/** Translate a balanced pattern without braces (see `braceRegexSource`) to a regex body. */
function translate(p: string): string {
  let out = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') {
      out += escapeRegex(p[++i]);
    } else if (c === '*') {
      if (p[i + 1] === '*') {
        let j = i;
        while (p[j] === '*') j++;
        const atSegStart = i === 0 || p[i - 1] === '/';
        const atSegEnd = j === p.length || p[j] === '/';
        if (atSegStart && atSegEnd) {
          if (p[j] === '/') {
            out += '(?:.*/)?';
            i = j; // consume the slash too
          } else {
            out += '.*';
            i = j - 1;
          }
          continue;
        }
        out += '[^/]*';
        i = j - 1;
      } else {
        out += '[^/]*';
      }
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const end = findClassEnd(p, i);
      let body = p.slice(i + 1, end);
      let neg = false;
      if (body[0] === '!' || body[0] === '^') {
        neg = true;
        body = body.slice(1);
      }
      const cls = body.replace(/\\(.)/g, '$1').replace(/[\\\]^]/g, (m) => `\\${m}`);
      out += neg ? `(?!/)[^${cls}]` : `(?!/)[${cls}]`;
      i = end;
    } else {
      out += escapeRegex(c);
    }
  }
  return out;
}

/**
 * The anchored regex for a compiled glob's source. The `u` flag makes `?` and classes match one
 * character, not one UTF-16 unit (an emoji is two units).
 */
export function globRegExp(regexSource: string): RegExp {
  return new RegExp(`^(?:${regexSource})$`, 'u');
}

/** The part of a rule the reference needs: the pattern as written after '!' (leading '/' allowed). */
export interface ReferenceRule {
  negated: boolean;
  glob: CompiledGlob;
}

export function referenceRule(text: string): ReferenceRule {
  const negated = text.startsWith('!');
  return { negated, glob: compileGlob(negated ? text.slice(1) : text) };
}

interface WildRule {
  literal: string;
  re: RegExp;
}

/** One directory level of the rule trie. */
interface TrieNode {
  name: string;
  children: Map<string, TrieNode>;
  /** The same children, bucketed by `shapeKey` of their name, for lookups that allocate nothing. */
  byShape: Map<number, TrieNode[]>;
  /** A literal rule names this path: it and everything below it match. */
  literal: boolean;
  /** An `L/**` rule names this path: everything below it matches. */
  subtree: boolean;
  /** Wildcard rules whose literal directory prefix is this path. */
  rules: WildRule[];
}

const newNode = (name: string): TrieNode => ({
  name,
  children: new Map(),
  byShape: new Map(),
  literal: false,
  subtree: false,
  rules: [],
});

/**
 * A small integer from a segment's first UTF-16 unit and its length (capped at 255). Looking a
 * segment up by this key and confirming with `startsWith` at its offset avoids cutting a substring
 * and hashing it for every segment of every path, which was most of the matcher's time.
 */
const shapeKey = (firstUnit: number, length: number): number =>
  firstUnit * 256 + (length < 255 ? length : 255);

class RuleIndex {
  private readonly trie = newNode('');
  /** Wildcard rules with no literal directory prefix (e.g. `**\/*.pem`): tried on every path. */
  private readonly rootRules: WildRule[] = [];

  constructor(rules: readonly ReferenceRule[]) {
    for (const r of rules) {
      const g = r.glob;
      if (g.literal !== undefined) this.node(g.literal).literal = true;
      else if (g.subtreeOf !== undefined) this.node(g.subtreeOf).subtree = true;
      else {
        const w = { literal: g.requiredLiteral, re: globRegExp(g.regexSource) };
        if (g.literalDirPrefix === '') this.rootRules.push(w);
        else this.node(g.literalDirPrefix.slice(0, -1)).rules.push(w);
      }
    }
  }

  private node(path: string): TrieNode {
    let n = this.trie;
    for (const seg of path.split('/')) {
      let c = n.children.get(seg);
      if (!c) {
        n.children.set(seg, (c = newNode(seg)));
        const key = shapeKey(seg.charCodeAt(0), seg.length);
        const bucket = n.byShape.get(key);
        if (bucket) bucket.push(c);
        else n.byShape.set(key, [c]);
      }
      n = c;
    }
    return n;
  }

  /** The child of `n` named path[start, end), found without allocating. */
  private static child(n: TrieNode, path: string, start: number, end: number): TrieNode | undefined {
    const len = end - start;
    const bucket = n.byShape.get(shapeKey(path.charCodeAt(start), len));
    if (bucket === undefined) return undefined;
    for (let i = 0; i < bucket.length; i++) {
      const c = bucket[i];
      if (c.name.length === len && path.startsWith(c.name, start)) return c;
    }
    return undefined;
  }

  private static test(rules: readonly WildRule[], path: string): boolean {
    for (let i = 0; i < rules.length; i++)
      if (path.includes(rules[i].literal) && rules[i].re.test(path)) return true;
    return false;
  }

  /** Walk the path's segments down the trie; stop as soon as no rule lives further down. */
  matches(path: string): boolean {
    if (this.rootRules.length !== 0 && RuleIndex.test(this.rootRules, path)) return true;
    let n = this.trie;
    let start = 0;
    for (;;) {
      if (n.byShape.size === 0) return false;
      const slash = path.indexOf('/', start);
      const child = RuleIndex.child(n, path, start, slash < 0 ? path.length : slash);
      if (child === undefined) return false;
      if (slash < 0) return child.literal;
      if (child.literal || child.subtree) return true;
      if (child.rules.length !== 0 && RuleIndex.test(child.rules, path)) return true;
      n = child;
      start = slash + 1;
    }
  }
}

/**
 * All rules compiled once into a matcher. Veto semantics: a path is selected when some include
 * matches it and no exclude does; order does not matter.
 *
 * Speed: rules live in a trie of path segments. Literal and `L/**` rules are flags on a node;
 * each wildcard rule hangs on the node of its literal directory prefix (`app/core/` for
 * `app/core/**\/*.py`). A path walks down the trie one segment at a time (no substring cut: see
 * `shapeKey`) and stops where no rule lives further down, so most decisions cost a few small-integer
 * Map lookups. A wildcard rule runs a cheap `includes` of its required literal before its regex.
 */
export class RegexAllowlistMatcher {
  private readonly includes: RuleIndex;
  private readonly excludes: RuleIndex;

  constructor(rules: readonly ReferenceRule[]) {
    this.includes = new RuleIndex(rules.filter((r) => !r.negated));
    this.excludes = new RuleIndex(rules.filter((r) => r.negated));
  }

  selects(path: string): boolean {
    return this.includes.matches(path) && !this.excludes.matches(path);
  }
}

/** One rule alone, as the old `ruleMatches` did: the whole-path regex. */
export function regexGlobMatches(pattern: string, path: string): boolean {
  return globRegExp(compileGlob(pattern).regexSource).test(path);
}
