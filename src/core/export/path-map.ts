/**
 * Path mapping for exports: `from=to` prefix rules, e.g. `lobster/=lobster_custom_{package}/lobster/`.
 * `{package}` is substituted. The longest matching `from` wins; unmapped paths stay as they are.
 * An empty `from` maps the whole tree under a prefix (`=vendor/{package}/`).
 */
import { ConfigurationError } from '../errors.js';
import { renderTemplate } from '../util/placeholders.js';

export interface MapRule {
  from: string;
  to: string;
}

export function parseMapRules(specs: readonly string[], vars: Record<string, string> = {}): MapRule[] {
  const rules = specs.map((spec) => {
    const eq = spec.indexOf('=');
    if (eq < 0)
      throw new ConfigurationError(
        `Invalid map rule '${spec}'. Expected FROM=TO, e.g. 'lobster/=lobster_custom_{package}/lobster/'.`,
      );
    const render = (side: string) => renderTemplate(side.trim().replace(/^\/+/, ''), vars, 'the map rule');
    const from = render(spec.slice(0, eq));
    const to = render(spec.slice(eq + 1));
    for (const p of [from, to]) {
      const bad = badTargetSegment(p);
      if (bad) throw new ConfigurationError(`Invalid map rule '${spec}': ${bad}`);
    }
    if ((from === '' || from.endsWith('/')) !== (to === '' || to.endsWith('/'))) {
      throw new ConfigurationError(
        `Invalid map rule '${spec}': map a directory to a directory (both end in '/') or a file to a file.`,
      );
    }
    return { from, to };
  });
  return rules.sort((a, b) => b.from.length - a.from.length);
}

/**
 * Why a path (a map side, a template file) cannot be written into a git tree, or undefined: an
 * empty segment (`a//b/`), `.` or `..`, or a `.git` segment in any case (git refuses such a tree on
 * checkout, so every clone of the target would fail). A trailing `/` (a directory rule) is fine.
 */
export function badTargetSegment(path: string): string | undefined {
  const segs = path.replace(/\/$/, '').split('/');
  if (path === '' || path === '/') return undefined;
  for (const seg of segs) {
    if (seg === '')
      return `empty path segment in '${path}' (two '/' in a row). Fix: write each directory once, e.g. 'a/b/'.`;
    if (seg === '.' || seg === '..')
      return `'${seg}' is not allowed in '${path}'. Fix: write the path from the repository root.`;
    if (seg.toLowerCase() === '.git')
      return `'${seg}' in '${path}' names git's own directory: git refuses such a tree, so every clone of the target would fail. Fix: choose another directory name.`;
  }
  return undefined;
}

/** Map one source path to its target path. */
export function mapPath(path: string, rules: readonly MapRule[]): string {
  for (const r of rules) {
    if (r.from === '') return r.to + path;
    if (r.from.endsWith('/') ? path.startsWith(r.from) : path === r.from)
      return r.to + path.slice(r.from.length);
  }
  return path;
}

/**
 * Every source path that mapPath sends to `target` (the inverse of the map, at most one candidate
 * per rule plus the unmapped path itself): the incremental export asks which other source files
 * land on a target path without listing the source tree.
 */
export function sourcesFor(target: string, rules: readonly MapRule[]): string[] {
  const out = new Set<string>();
  for (const r of rules) {
    if (r.to === '' || r.to.endsWith('/')) {
      if (target.startsWith(r.to) && target.length > r.to.length) out.add(r.from + target.slice(r.to.length));
    } else if (target === r.to) out.add(r.from);
  }
  out.add(target);
  return [...out].filter((q) => q !== '' && mapPath(q, rules) === target);
}
