import { globRegExp } from './glob.js';
import type { Rule } from './parse.js';

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
export interface Decision {
  selected: boolean;
  /** The rule that decided: the matching exclude, else the first matching include. */
  rule?: Rule;
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

  constructor(rules: readonly Rule[]) {
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

export class AllowlistMatcher {
  readonly rules: readonly Rule[];
  private readonly includes: RuleIndex;
  private readonly excludes: RuleIndex;
  private perRule: RegExp[] | undefined;

  constructor(rules: readonly Rule[]) {
    this.rules = rules;
    this.includes = new RuleIndex(rules.filter((r) => !r.negated));
    this.excludes = new RuleIndex(rules.filter((r) => r.negated));
  }

  /** The hot path: is this file path selected? */
  selects(path: string): boolean {
    return this.includes.matches(path) && !this.excludes.matches(path);
  }

  /** Does this one rule match the path (ignoring the others)? */
  ruleMatches(index: number, path: string): boolean {
    this.perRule ??= this.rules.map((r) => globRegExp(r.glob.regexSource));
    return this.perRule[index].test(path);
  }

  /** Which rule decided, for `explain` and lint. Slower than `selects`. */
  explain(path: string): Decision {
    let include: Rule | undefined;
    for (let i = 0; i < this.rules.length; i++) {
      const r = this.rules[i];
      if (!this.ruleMatches(i, path)) continue;
      if (r.negated) return { selected: false, rule: r };
      include ??= r;
    }
    return { selected: include !== undefined, rule: include };
  }

  filter(paths: Iterable<string>): string[] {
    const out: string[] = [];
    for (const p of paths) if (this.selects(p)) out.push(p);
    return out;
  }
}

export function compileAllowlist(rules: readonly Rule[]): AllowlistMatcher {
  return new AllowlistMatcher(rules);
}
