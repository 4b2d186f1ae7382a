import { globMatcher } from '../allowlist/glob.js';
import type { FerryConfig, TargetConfig } from '../config/types.js';
import { ConfigurationError } from '../errors.js';
import type { Direction } from '../report/result.js';
import { didYouMean } from '../config/suggest.js';

export interface Selection {
  /** Target names or globs (`oca_*`); comma-separated lists are split. Empty: every enabled target. */
  targets?: readonly string[];
  direction?: Direction;
}

/**
 * The targets a run covers, each with the direction it runs in. `--direction pull` selects pull
 * targets and runs bidirectional targets in their pull direction only; disabled targets run only
 * when named exactly. A pattern that matches no target is a mistake, reported with a suggestion.
 */
export function selectTargets(cfg: FerryConfig, sel: Selection = {}): TargetConfig[] {
  const patterns = (sel.targets ?? [])
    .flatMap((t) => t.split(','))
    .map((t) => t.trim())
    .filter(Boolean);
  const names = cfg.targets.map((t) => t.name);
  let picked: TargetConfig[];
  if (!patterns.length) picked = cfg.targets.filter((t) => t.enabled);
  else {
    const chosen = new Set<string>();
    for (const p of patterns) {
      const matches = globMatcher(p);
      const hits = cfg.targets.filter((t) => t.name === p || (matches(t.name) && t.enabled));
      if (!hits.length)
        throw new ConfigurationError(
          `no target in ${cfg.file} matches '${p}'.${didYouMean(p, names)} Targets: ${names.join(', ')}.`,
        );
      hits.forEach((t) => chosen.add(t.name));
    }
    picked = cfg.targets.filter((t) => chosen.has(t.name));
  }
  if (!sel.direction) return picked;
  return picked
    .filter((t) => t.direction === sel.direction || t.direction === 'bidirectional')
    .map((t) => (t.direction === sel.direction ? t : { ...t, direction: sel.direction! }));
}
