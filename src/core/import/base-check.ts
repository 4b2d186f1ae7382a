/**
 * The base check, along the paths that matter: is the public base what an export of R gives at
 * every path the pull request changes? The import's result is R's tree with those paths' private
 * preimages set to the head's content, so it depends on the public base only there: a hand edit
 * anywhere else can neither enter the private repository nor change what is imported (and the next
 * export overwrites it). Checking only those paths reads the tree objects along them in both trees
 * (through the import's one object reader), instead of listing and projecting R's whole tree
 * (docs/import-pr.md, "The base check").
 *
 * The answer per public path p is the export's own: R's entries at p's preimages under the map
 * (ctx.sourcesFor, the export's inverse) go through the export's projector (export/project.ts:
 * allowlist, submodule policy, map collisions). The one it keeps gives p's entry (mode and blob);
 * none gives no entry; two are a map collision, which no export of R can produce, so the base
 * cannot be one. Preserved paths are the public side's own (the classification refuses them), so
 * they are not compared.
 */
import { Projector } from '../export/project.js';
import type { ExportBuildContext, ProjectedTree } from '../export/types.js';
import type { ObjectSource } from '../git/tree-reader.js';
import { filesAt } from './objects.js';

/** One path where the public base is not what the export of R gives. */
export interface BaseDrift {
  path: string;
  /**
   * `missing`: the export has it, the base does not; `extra`: the reverse; `content`: both,
   * different; `ambiguous`: two private paths map onto it (no export of R gives that).
   */
  kind: 'missing' | 'extra' | 'content' | 'ambiguous';
}

export interface BaseCheck {
  /** The export of R restricted to the checked paths (public path → entry with its source path). */
  projected: ProjectedTree;
  drift: BaseDrift[];
}

export async function checkBaseAlongPaths(
  objects: ObjectSource,
  ctx: Pick<ExportBuildContext, 'select' | 'mapPath' | 'sourcesFor' | 'isPreserved' | 'settings'>,
  input: { baseTree: string; originRev: string; originTree: string; publicPaths: readonly string[] },
): Promise<BaseCheck> {
  const publicPaths = input.publicPaths.filter((p) => !ctx.isPreserved(p));
  const sourcePaths = [...new Set(publicPaths.flatMap((p) => ctx.sourcesFor(p)))];
  const [atBase, atRev] = await Promise.all([
    filesAt(objects, input.baseTree, publicPaths),
    filesAt(objects, input.originTree, sourcePaths),
  ]);
  // mapped: false: a file/directory clash among a few paths is no question the check asks.
  const projector = new Projector({
    select: ctx.select,
    mapPath: ctx.mapPath,
    submodules: ctx.settings.submodules ?? 'skip',
    mapped: false,
  });
  for (const e of atRev.values()) projector.add(e);
  const projected = projector.finish();
  projected.rev = input.originRev;
  const collisions = new Set(
    projected.findings.filter((f) => f.code === 'map-collision').map((f) => ctx.mapPath(f.file!)),
  );
  const drift: BaseDrift[] = [];
  for (const p of publicPaths) {
    if (collisions.has(p)) {
      drift.push({ path: p, kind: 'ambiguous' });
      continue;
    }
    const source = projected.tree.get(p);
    const base = atBase.get(p);
    if (!source && !base) continue;
    if (!source) drift.push({ path: p, kind: 'extra' });
    else if (!base) drift.push({ path: p, kind: 'missing' });
    else if (base.mode !== source.mode || base.oid !== source.oid) drift.push({ path: p, kind: 'content' });
  }
  return { projected, drift };
}
