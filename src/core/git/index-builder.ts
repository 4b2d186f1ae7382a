import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { GitCommandManager } from './git-command-manager.js';

/**
 * Tree and commit plumbing for building commits from blob ids that already exist (e.g. the
 * source repo's, seen through alternates), without a working tree: a temporary index file
 * (`GIT_INDEX_FILE`) fed by `update-index -z --index-info`, then `write-tree` and `commit-tree`.
 */
export interface IndexEntry {
  mode: string;
  oid: string;
  path: string;
}

export const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

let indexSeq = 0;

/** Write a tree object holding exactly `entries`. Returns the tree id. */
export async function writeTreeFromEntries(
  git: GitCommandManager,
  entries: Iterable<IndexEntry>,
  scratchDir: string,
): Promise<string> {
  const parts: string[] = [];
  for (const e of entries) {
    // "<mode> SP <type> SP <oid> TAB <path> NUL"; the type follows from the mode.
    const type = e.mode === '160000' ? 'commit' : 'blob';
    parts.push(`${e.mode} ${type} ${e.oid}\t${e.path}\0`);
  }
  if (!parts.length) return EMPTY_TREE;
  const indexFile = path.join(scratchDir, `index-${process.pid}-${++indexSeq}`);
  const env = { GIT_INDEX_FILE: indexFile };
  try {
    await git.execRaw(['update-index', '-z', '--index-info'], { input: parts.join(''), env });
    // Blobs may live only in an alternate store (still present); missing-ok is not used on purpose.
    return await git.exec(['write-tree'], { env });
  } finally {
    await fs.rm(indexFile, { force: true });
  }
}

/**
 * Write a tree that differs from `baseTree` by `changes` (oid '' deletes the path). The index is
 * seeded with `read-tree`, which primes the cache-tree, so write-tree rewrites only the
 * directories that changed: a small change to a large tree stays cheap.
 */
export async function writeTreeIncremental(
  git: GitCommandManager,
  baseTree: string,
  changes: Iterable<IndexEntry>,
  scratchDir: string,
): Promise<string> {
  const parts: string[] = [];
  for (const e of changes) {
    if (!e.oid) parts.push(`0 ${'0'.repeat(40)}\t${e.path}\0`);
    else parts.push(`${e.mode} ${e.mode === '160000' ? 'commit' : 'blob'} ${e.oid}\t${e.path}\0`);
  }
  if (!parts.length) return baseTree;
  const indexFile = path.join(scratchDir, `index-${process.pid}-${++indexSeq}`);
  const env = { GIT_INDEX_FILE: indexFile };
  try {
    await git.exec(['read-tree', baseTree], { env });
    await git.execRaw(['update-index', '-z', '--index-info'], { input: parts.join(''), env });
    return await git.exec(['write-tree'], { env });
  } finally {
    await fs.rm(indexFile, { force: true });
  }
}

export interface CommitIdentity {
  name: string;
  email: string;
  date?: string;
}

/** `commit-tree` with explicit identities (through the environment, never config). */
export async function commitTree(
  git: GitCommandManager,
  tree: string,
  parents: readonly string[],
  message: string,
  author: CommitIdentity,
  committer: CommitIdentity,
): Promise<string> {
  const env: Record<string, string> = {
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_COMMITTER_NAME: committer.name,
    GIT_COMMITTER_EMAIL: committer.email,
  };
  if (author.date) env.GIT_AUTHOR_DATE = author.date;
  if (committer.date) env.GIT_COMMITTER_DATE = committer.date;
  const args = ['commit-tree', tree];
  for (const p of parents) args.push('-p', p);
  // The message goes on stdin: it can be long and must not be parsed as options.
  return git.exec([...args, '-F', '-'], { input: message, env });
}

/** Write blobs (`hash-object -w --stdin`), one process per call; returns ids in input order. */
export async function writeBlobs(git: GitCommandManager, contents: readonly Buffer[]): Promise<string[]> {
  const ids: string[] = [];
  for (const c of contents) ids.push(await git.exec(['hash-object', '-w', '--stdin'], { input: c }));
  return ids;
}

/** Object sizes for many ids with one `cat-file --batch-check`. Missing ids are absent from the map. */
export async function objectSizes(
  git: GitCommandManager,
  oids: Iterable<string>,
): Promise<Map<string, number>> {
  const uniq = [...new Set(oids)];
  const sizes = new Map<string, number>();
  if (!uniq.length) return sizes;
  const out = await git.exec(['cat-file', '--batch-check=%(objectname) %(objectsize)'], {
    input: uniq.join('\n') + '\n',
  });
  for (const line of out.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp < 0 || line.endsWith(' missing')) continue;
    sizes.set(line.slice(0, sp), Number(line.slice(sp + 1)));
  }
  return sizes;
}
