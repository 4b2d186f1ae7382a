import { formatLocation } from '../errors.js';
import type { Finding } from '../report/result.js';
import type { ParsedAllowlist, Rule } from './parse.js';
import { AllowlistMatcher } from './matcher.js';

export interface RuleStats {
  rule: Rule;
  /** Paths the rule matches on its own. */
  matched: number;
  /** For includes: matched paths that no exclude vetoes. */
  selected: number;
}

export interface LintReport {
  findings: Finding[];
  stats: RuleStats[];
  selectedCount: number;
  pathCount: number;
}

/**
 * Lint an allowlist against the paths of a tree: malformed rules, rules that match nothing,
 * includes whose every match is vetoed, duplicates. Every finding points at file:line.
 */
export function lintAllowlist(parsed: ParsedAllowlist, paths: readonly string[]): LintReport {
  const findings: Finding[] = parsed.errors.map((e) => ({
    severity: 'error' as const,
    code: 'malformed-rule',
    message: e.location ? e.message.slice(formatLocation(e.location).length + 2) : e.message,
    file: e.location?.file,
    line: e.location?.line,
  }));
  const rules = parsed.rules;
  const matcher = new AllowlistMatcher(rules);
  const stats: RuleStats[] = rules.map((rule) => ({ rule, matched: 0, selected: 0 }));
  const excludeIdx = rules.map((r, i) => (r.negated ? i : -1)).filter((i) => i >= 0);
  let selectedCount = 0;
  for (const p of paths) {
    let vetoed = false;
    for (const i of excludeIdx) {
      if (matcher.ruleMatches(i, p)) {
        stats[i].matched++;
        vetoed = true;
      }
    }
    let any = false;
    for (let i = 0; i < rules.length; i++) {
      if (rules[i].negated || !matcher.ruleMatches(i, p)) continue;
      stats[i].matched++;
      any = true;
      if (!vetoed) stats[i].selected++;
    }
    if (any && !vetoed) selectedCount++;
  }
  const seen = new Map<string, Rule>();
  for (const s of stats) {
    const r = s.rule;
    const key = `${r.negated ? '!' : ''}${r.glob.key}`;
    const first = seen.get(key);
    if (first) {
      findings.push({
        severity: 'warning',
        code: 'duplicate-rule',
        message: `'${r.text}' duplicates line ${first.line} ('${first.text}'). Fix: delete one of them.`,
        file: r.file,
        line: r.line,
      });
    } else {
      seen.set(key, r);
    }
    if (s.matched === 0) {
      findings.push({
        severity: 'warning',
        code: 'unused-rule',
        message: `'${r.text}' matches nothing in the tree. Fix: correct the path or delete the rule.`,
        file: r.file,
        line: r.line,
      });
    } else if (!r.negated && s.selected === 0) {
      findings.push({
        severity: 'warning',
        code: 'vetoed-rule',
        message: `'${r.text}' matches ${s.matched} path(s) but exclude rules veto all of them. Fix: narrow the excludes or delete the rule.`,
        file: r.file,
        line: r.line,
      });
    }
  }
  findings.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return { findings, stats, selectedCount, pathCount: paths.length };
}
