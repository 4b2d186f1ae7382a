import { globRuntime } from './glob-runtime.js';
import type { Rule } from './parse.js';
import { RuleIndex } from './rule-index.js';

/**
 * All rules compiled once into a matcher. Veto semantics: a path is selected when some include
 * matches it and no exclude does; order does not matter. Includes and excludes each live in a
 * RuleIndex (see rule-index.ts). Paths are compared in NFC, like the rules: a directory committed
 * in NFD (as macOS writes names) is excluded by an exclude typed in NFC. Only the decision is
 * normalised; callers keep and export the path as it was.
 */
export interface Decision {
  selected: boolean;
  /** The rule that decided: the matching exclude, else the first matching include. */
  rule?: Rule;
}

const rt = globRuntime();

export class AllowlistMatcher {
  readonly rules: readonly Rule[];
  private readonly includes: RuleIndex;
  private readonly excludes: RuleIndex;

  constructor(rules: readonly Rule[]) {
    this.rules = rules;
    this.includes = new RuleIndex(rules.filter((r) => !r.negated).flatMap((r) => r.glob.alternatives));
    this.excludes = new RuleIndex(rules.filter((r) => r.negated).flatMap((r) => r.glob.alternatives));
  }

  /** The hot path: is this file path selected? */
  selects(path: string): boolean {
    const p = rt.nfc(path);
    return this.includes.matches(p) && !this.excludes.matches(p, this.includes.lastBase);
  }

  /** Does this one rule match the path (ignoring the others)? */
  ruleMatches(index: number, path: string): boolean {
    const alternatives = this.rules[index].glob.alternatives;
    const p = rt.nfc(path);
    for (let i = 0; i < alternatives.length; i++)
      if (rt.matchFrom(alternatives[i].program, p, 0)) return true;
    return false;
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
