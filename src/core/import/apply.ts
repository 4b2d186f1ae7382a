/**
 * The imported change as private commits: applied on R (where the public base came from, so it
 * always applies), then moved onto the private base branch with a three-way merge of trees
 * (`git merge-tree --write-tree`, no work tree). A conflict leaves the change on R.
 */
import type { GitCommandManager } from '../git/git-command-manager.js';
import { writeTreeIncremental } from '../git/index-builder.js';
import type { ObjectSource } from '../git/tree-reader.js';
import { treeChangesSupported, writeTreeChanges } from '../git/tree-writer.js';
import type { SourceChange } from './classify.js';

/** Tree `base` (R's) with `changes` applied. */
export async function applyOnRevision(
  git: GitCommandManager,
  base: string,
  changes: readonly SourceChange[],
  scratchDir: string,
  objects?: ObjectSource,
): Promise<string> {
  const edits = changes.map((c) => ({ path: c.sourcePath, mode: c.mode, oid: c.oid }));
  if (edits.length <= 5000 && treeChangesSupported(edits)) return writeTreeChanges(git, base, edits, objects);
  return writeTreeIncremental(git, base, edits, scratchDir);
}

export type MoveOutcome = { tree: string } | { conflict: string[] };

/**
 * Merge `change` (a commit on R) into `onto`: the tree of the result, or the conflicting paths.
 * git finds the merge base itself: R, when the base branch contains it.
 */
export async function moveOnto(git: GitCommandManager, onto: string, change: string): Promise<MoveOutcome> {
  const r = await git.execRaw(
    ['merge-tree', '--write-tree', '--name-only', '-z', '--no-messages', onto, change],
    {
      allowedExitCodes: [1],
    },
  );
  const fields = r.stdout.toString('utf8').split('\0');
  if (r.exitCode === 0) return { tree: fields[0].trim() };
  return { conflict: [...new Set(fields.slice(1).filter(Boolean))] };
}
