/**
 * The export's path map, run backwards: which private path a public path came from. A public path
 * has a preimage when some source path maps onto it (export/path-map.ts: the longest `from` wins,
 * unmapped paths stay). Map rules whose target sides overlap can send two private paths onto one
 * public path for any tree: those are refused when the import is configured. A public path that
 * an unmapped private path and a mapped one could both give is settled by the private tree
 * (classify.ts): the one that exists, else the mapped one; both existing is refused (ambiguous).
 */
import { ConfigurationError } from '../errors.js';
import { mapPath, type MapRule } from '../export/path-map.js';
import { settingName } from '../settings/surface.js';

/** Throws when two rules' target sides overlap (equal, or one a directory holding the other). */
export function assertOneToOne(rules: readonly MapRule[]): void {
  for (let i = 0; i < rules.length; i++)
    for (let j = i + 1; j < rules.length; j++) {
      const [a, b] = [rules[i], rules[j]];
      const covers = (dir: string, p: string) =>
        dir === p || (dir.endsWith('/') && p.startsWith(dir)) || dir === '';
      if (covers(a.to, b.to) || covers(b.to, a.to))
        throw new ConfigurationError(
          `The ${settingName('map')} is not one-to-one: '${a.from}=${a.to}' and '${b.from}=${b.to}' map onto the same public paths, ` +
            `so an imported change could not be put back in one place. Give each rule its own target directory.`,
        );
    }
}

/**
 * Every source path that maps to `publicPath` (round trip checked), the mapped ones first (longest
 * target prefix first), the unmapped name last. Empty: no private path can give it.
 */
export function preimagesOf(publicPath: string, rules: readonly MapRule[]): string[] {
  const candidates: { path: string; rank: number }[] = [];
  for (const r of rules) {
    if (r.to === '' || (r.to.endsWith('/') ? publicPath.startsWith(r.to) : publicPath === r.to))
      candidates.push({ path: r.from + publicPath.slice(r.to.length), rank: r.to.length });
  }
  // An unmapped path keeps its name.
  candidates.push({ path: publicPath, rank: -1 });
  const seen = new Set<string>();
  return candidates
    .sort((a, b) => b.rank - a.rank)
    .map((c) => c.path)
    .filter((c) => !seen.has(c) && seen.add(c) && mapPath(c, rules) === publicPath);
}
