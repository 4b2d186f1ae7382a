/**
 * The base check, along the paths that matter: is the public base what an export of R gives at
 * every path the pull request changes? The import's result is R's tree with those paths' private
 * preimages set to the head's content, so it depends on the public base only there: a hand edit
 * anywhere else can neither enter the private repository nor change what is imported (and the next
 * export overwrites it). Checking only those paths costs two `ls-tree` calls restricted to them,
 * instead of listing and projecting R's whole tree (docs/import-pr.md, "The base check").
 *
 * The answer per public path p is the export's own rule, asked of R's entries at p's preimages:
 * the one preimage that exists in R, is selected by the allowlist and is not a skipped submodule
 * gives p's entry (mode and blob); none gives no entry; two would be a map collision, which no
 * export of R can produce, so the base cannot be one. Preserved paths are the public side's own
 * (the classification refuses them), so they are not compared.
 */
import type { ExportBuildContext, ProjectedTree, TargetEntry, TargetTree } from '../export/types.js';
import type { GitCommandManager } from '../git/git-command-manager.js';
import type { TreeEntry } from '../git/tree.js';
import { parseLsTree } from '../git/tree.js';
import type { MapRule } from '../export/path-map.js';
import { preimagesOf } from './inverse-map.js';

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
  ctx: Pick<ExportBuildContext, 'select' | 'isPreserved' | 'settings'>,
  rules: readonly MapRule[],
  input: { baseCommit: string; originRev: string; publicPaths: readonly string[] },
): Promise<BaseCheck> {
  const publicPaths = input.publicPaths.filter((p) => !ctx.isPreserved(p));
  const candidates = new Map(publicPaths.map((p) => [p, preimagesOf(p, rules)]));
  const sourcePaths = [...new Set([...candidates.values()].flat())];
  const [atBase, atRev] = await Promise.all([
    filesAt(git, input.baseCommit, publicPaths),
    filesAt(git, input.originRev, sourcePaths),
  ]);
  const keepGitlinks = (ctx.settings.submodules ?? 'skip') === 'keep';
  const tree: TargetTree = new Map();
  const drift: BaseDrift[] = [];
  for (const p of publicPaths) {
    const exported = candidates
      .get(p)!
      .filter((c) => atRev.has(c) && ctx.select(c) && (keepGitlinks || atRev.get(c)!.type !== 'commit'));
    if (exported.length > 1) {
      drift.push({ path: p, kind: 'ambiguous' });
      continue;
    }
    const source = exported.length ? atRev.get(exported[0])! : undefined;
    if (source) tree.set(p, entryOf(source, exported[0]));
    const base = atBase.get(p);
    if (!source && !base) continue;
    if (!source) drift.push({ path: p, kind: 'extra' });
    else if (!base) drift.push({ path: p, kind: 'missing' });
    else if (base.mode !== source.mode || base.oid !== source.oid) drift.push({ path: p, kind: 'content' });
  }
  const projected: ProjectedTree = {
    tree,
    rev: input.originRev,
    exportedSourcePaths: new Set([...tree.values()].map((e) => e.sourcePath!)),
    // Only the preimages asked about: all the classification asks (does a new path's preimage exist?).
    sourcePaths: new Set(atRev.keys()),
    findings: [],
  };
  return { projected, drift };
}

function entryOf(e: TreeEntry, sourcePath: string): TargetEntry {
  return { mode: e.mode, oid: e.oid, size: -1, sourcePath, origin: 'source' };
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
    for (const e of parseLsTree(r.stdout.toString('utf8'), false))
      if (e.type !== 'tree' && want.has(e.path)) out.set(e.path, e);
  }
  return out;
}
