/**
 * The wiki's own view of git objects: blob ids computed without git (to recognise an unchanged
 * wiki without writing anything) and a commit's tree as a WikiTree. Trees, blobs and commits are
 * written with git/index-builder.ts, like everything else Ferry builds.
 */
import { createHash } from 'node:crypto';
import type { GitCommandManager } from '../git/git-command-manager.js';
import { readTree } from '../git/tree.js';
import type { WikiTree } from './types.js';

/**
 * A blob's id without asking git (SHA-1 object format), so an unchanged wiki is recognised without
 * writing anything. The sync checks git agrees when it writes the blobs, before anything is committed.
 */
export function blobId(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

/** Blobs of a commit's tree as a WikiTree (no trees, no submodules). */
export async function readWikiTree(git: GitCommandManager, rev: string | undefined): Promise<WikiTree> {
  const tree: WikiTree = new Map();
  if (!rev) return tree;
  for (const e of await readTree(git, rev))
    if (e.type === 'blob') tree.set(e.path, { mode: e.mode, oid: e.oid });
  return tree;
}
