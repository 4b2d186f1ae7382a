import type { NameChecker, NameInfo } from '../git/batch-check.js';
import type { SourcePathProbe } from '../safety/types.js';

/**
 * Source paths that exist at `rev` (files, symlinks, gitlinks; not directories), asked on demand
 * through one `cat-file --batch-check` and cached: the incremental paths (snapshot re-export,
 * history quick start) answer the import-closure gate without listing the source tree.
 */
export function sourceProbe(
  names: NameChecker,
  rev: string,
): SourcePathProbe & { known: Map<string, NameInfo | undefined> } {
  const known = new Map<string, NameInfo | undefined>();
  return {
    known,
    async existing(paths) {
      const ask = [...new Set(paths.filter((p) => !known.has(p) && !/[\n\r]/.test(p)))];
      const infos = await names.check(ask.map((p) => `${rev}:${p}`));
      ask.forEach((p, i) => known.set(p, infos[i]));
      const found = new Set<string>();
      for (const p of paths) {
        const t = known.get(p)?.type;
        if (t === 'blob' || t === 'commit') found.add(p);
      }
      return found;
    },
  };
}
