/**
 * The one writer of trees, blobs and commits for building commits without a working tree (export,
 * wiki, sync-back): blobs through one `fast-import`, trees through a temporary index file
 * (`GIT_INDEX_FILE` fed by `update-index -z --index-info`, then `write-tree`), commits through
 * `commit-tree` with explicit identities. Entries may name blobs that exist only in an alternate
 * object store (the source repository's, seen from a scratch repository).
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { GitCommandManager } from './git-command-manager.js';

export interface IndexEntry {
  mode: string;
  /** '' deletes the path (writeTreeIncremental only). */
  oid: string;
  path: string;
}

/** The empty tree's id (SHA-1 object format; see EMPTY_TREE_SHA256). */
export const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
export const EMPTY_TREE_SHA256 = '6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321';

/** A commit's author or committer. Passed to git through the environment, never config. */
export interface CommitIdentity {
  name: string;
  email: string;
  /** Fixed date (git date format, e.g. `2020-01-01T00:00:00Z` or `@1577836800 +0000`). */
  date?: string;
}

/** The tree and first parent of a raw commit object, from its header lines. */
export function commitHeaders(raw: string): { tree?: string; parent?: string } {
  const blank = raw.indexOf('\n\n');
  const headers = blank < 0 ? raw : raw.slice(0, blank);
  return {
    tree: /^tree ([0-9a-f]+)$/m.exec(headers)?.[1],
    parent: /^parent ([0-9a-f]+)$/m.exec(headers)?.[1],
  };
}

/** The message of a raw commit object (`cat-file commit`): what follows the headers' blank line. */
export function commitMessage(raw: string): string {
  const blank = raw.indexOf('\n\n');
  return blank < 0 ? '' : raw.slice(blank + 2);
}

/**
 * The author or committer of a raw commit object (`git cat-file commit`), its date as git's
 * `@<epoch> <tz>`; undefined when the header is missing. Only the headers are read, not the message.
 */
export function commitIdentity(raw: string, who: 'author' | 'committer'): CommitIdentity | undefined {
  const blank = raw.indexOf('\n\n');
  const headers = blank < 0 ? raw : raw.slice(0, blank);
  const m = new RegExp(`^${who} (.*) <([^>]*)> (\\d+) ([+-]\\d{4})$`, 'm').exec(headers);
  return m ? { name: m[1], email: m[2], date: `@${m[3]} ${m[4]}` } : undefined;
}

/** The Actions bot identity: commits made for a workflow when no one else is named. */
export const BOT_IDENTITY: CommitIdentity = {
  name: 'github-actions[bot]',
  email: '41898282+github-actions[bot]@users.noreply.github.com',
};

let indexSeq = 0;

/** "<mode> SP <type> SP <oid> TAB <path> NUL" (the type follows from the mode); mode 0 deletes. */
function indexInfo(entries: Iterable<IndexEntry>): string[] {
  const parts: string[] = [];
  for (const e of entries) {
    if (!e.oid) parts.push(`0 ${'0'.repeat(40)}\t${e.path}\0`);
    else parts.push(`${e.mode} ${e.mode === '160000' ? 'commit' : 'blob'} ${e.oid}\t${e.path}\0`);
  }
  return parts;
}

/**
 * Run `fn` with a fresh temporary index file: in `dir` (a scratch repository's directory) when
 * given, else in a temporary directory. The file is removed afterwards.
 */
async function withTemporaryIndex<T>(
  dir: string | undefined,
  fn: (env: Record<string, string>) => Promise<T>,
): Promise<T> {
  const own = dir ? undefined : await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-index-'));
  const indexFile = path.join(dir ?? own!, `index-${process.pid}-${++indexSeq}`);
  try {
    return await fn({ GIT_INDEX_FILE: indexFile });
  } finally {
    await fs.rm(own ?? indexFile, { recursive: true, force: true });
  }
}

/** Write a tree object holding exactly `entries`. Returns the tree id. */
export async function writeTreeFromEntries(
  git: GitCommandManager,
  entries: Iterable<IndexEntry>,
  scratchDir?: string,
): Promise<string> {
  const parts = indexInfo(entries);
  if (!parts.length) return EMPTY_TREE;
  return withTemporaryIndex(scratchDir, async (env) => {
    await git.execRaw(['update-index', '-z', '--index-info'], { input: parts.join(''), env });
    // Blobs may live only in an alternate store (still present); missing-ok is not used on purpose.
    return git.exec(['write-tree'], { env });
  });
}

/**
 * Write a tree that differs from `baseTree` (a tree-ish) by `changes` (oid '' deletes the path).
 * The index is seeded with `read-tree`, which primes the cache-tree, so write-tree rewrites only the
 * directories that changed: a small change to a large tree stays cheap.
 */
export async function writeTreeIncremental(
  git: GitCommandManager,
  baseTree: string,
  changes: Iterable<IndexEntry>,
  scratchDir?: string,
): Promise<string> {
  const parts = indexInfo(changes);
  if (!parts.length)
    return /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(baseTree)
      ? baseTree
      : git.exec(['rev-parse', '--verify', `${baseTree}^{tree}`]);
  return withTemporaryIndex(scratchDir, async (env) => {
    await git.exec(['read-tree', baseTree], { env });
    await git.execRaw(['update-index', '-z', '--index-info'], { input: parts.join(''), env });
    return git.exec(['write-tree'], { env });
  });
}

/** `commit-tree` with explicit identities (through the environment, never config). */
export async function commitTree(
  git: GitCommandManager,
  tree: string,
  parents: readonly string[],
  message: string,
  author: CommitIdentity,
  committer: CommitIdentity = author,
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

/** Write blobs with one `git fast-import` process; returns their ids in input order. */
export async function writeBlobs(git: GitCommandManager, contents: readonly Buffer[]): Promise<string[]> {
  if (contents.length === 0) return [];
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-blobs-'));
  try {
    const marks = path.join(dir, 'marks');
    const parts: Buffer[] = [];
    contents.forEach((b, i) => {
      parts.push(Buffer.from(`blob\nmark :${i + 1}\ndata ${b.length}\n`), b, Buffer.from('\n'));
    });
    await git.exec(['fast-import', '--quiet', `--export-marks=${marks}`], { input: Buffer.concat(parts) });
    const oids = new Array<string>(contents.length);
    for (const line of (await fs.readFile(marks, 'utf8')).split('\n')) {
      const m = /^:(\d+) ([0-9a-f]+)$/.exec(line);
      if (m) oids[Number(m[1]) - 1] = m[2];
    }
    return oids;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
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
