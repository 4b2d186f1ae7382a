/**
 * The base check, along the paths that matter: is the public base what an export of R gives at
 * every path the pull request changes? The import's result is R's tree with those paths' private
 * preimages set to the head's content, so it depends on the public base only there: a hand edit
 * anywhere else can neither enter the private repository nor change what is imported (and the next
 * export overwrites it). Checking only those paths costs two `ls-tree` calls restricted to them,
 * instead of listing and projecting R's whole tree (docs/import-pr.md, "The base check").
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
import type { GitCommandManager } from '../git/git-command-manager.js';
import { decodeGitPaths } from '../git/path-bytes.js';
import { parseLsTree, type TreeEntry } from '../git/tree.js';

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

/** Paths per ls-tree call: keeps the argument list far below the system's limit. */
const PATHS_PER_CALL = 1000;

export async function checkBaseAlongPaths(
  git: GitCommandManager,
  ctx: Pick<ExportBuildContext, 'select' | 'mapPath' | 'sourcesFor' | 'isPreserved' | 'settings'>,
  input: { baseCommit: string; originRev: string; publicPaths: readonly string[] },
): Promise<BaseCheck> {
  const publicPaths = input.publicPaths.filter((p) => !ctx.isPreserved(p));
  const sourcePaths = [...new Set(publicPaths.flatMap((p) => ctx.sourcesFor(p)))];
  const [atBase, atRev] = await Promise.all([
    filesAt(git, input.baseCommit, publicPaths),
    filesAt(git, input.originRev, sourcePaths),
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

/**
 * The files (blobs and gitlinks, not directories) at exactly `paths` in `rev`. `ls-tree -r` with
 * literal pathspecs: a path that names a directory lists what is under it, which is filtered out.
 */
async function filesAt(
  git: GitCommandManager,
  rev: string,
  paths: readonly string[],
): Promise<Map<string, TreeEntry>> {
  const want = new Set(paths);
  const out = new Map<string, TreeEntry>();
  for (let i = 0; i < paths.length; i += PATHS_PER_CALL) {
    const r = await git.execRaw(
      ['ls-tree', '-r', '-z', '--full-tree', rev, '--', ...paths.slice(i, i + PATHS_PER_CALL)],
      { env: { GIT_LITERAL_PATHSPECS: '1' } },
    );
    for (const e of parseLsTree(decodeGitPaths(r.stdout), false))
      if (e.type !== 'tree' && want.has(e.path)) out.set(e.path, e);
  }
  return out;
}
