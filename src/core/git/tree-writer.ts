/**
 * Write a tree that differs from `baseTree` by a few paths, touching only the directories on those
 * paths: the base's tree objects along each changed path's dirname chain are read with one
 * `cat-file --batch`, edited in memory, and written bottom-up with one `mktree -z --batch` (one
 * batch per depth, since a parent needs its children's ids). A 72k-file tree with 10 changed files
 * costs a few dozen small objects instead of a read-tree + write-tree of the whole index.
 *
 * Names are kept as the raw bytes git stores (latin1 strings internally), so untouched entries are
 * written back exactly, whatever their encoding. mktree checks that every entry's object exists.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { streamBlobs } from './blob-stream.js';
import { GitError, type GitCommandManager } from './git-command-manager.js';
import { EMPTY_TREE, EMPTY_TREE_SHA256 } from './index-builder.js';
import { forEachTreeEntry, type ObjectSource } from './tree-reader.js';
import { spliceTreeChanges } from './tree-splice.js';

export interface TreeChange {
  path: string;
  mode: string;
  /** '' deletes the path. */
  oid: string;
}

const TREE_MODE = '40000';

interface Entry {
  mode: string;
  oid: string;
}
/** Directory (raw path, '' for the root) → its entries by raw name. */
type Dirs = Map<string, Map<string, Entry>>;

/** Can writeTreeChanges take these changes (the line protocols cannot carry a line break)? */
export function treeChangesSupported(changes: readonly TreeChange[]): boolean {
  return changes.every((c) => !/[\n\r]/.test(c.path) && c.path !== '' && !c.path.endsWith('/'));
}

export async function writeTreeChanges(
  git: GitCommandManager,
  baseTree: string,
  changes: readonly TreeChange[],
  /**
   * A running object reader: the base's trees are read through it and the new ones spliced from
   * their bytes (tree-splice.ts) instead of parsed and written with mktree.
   */
  objects?: ObjectSource,
): Promise<string> {
  if (!changes.length) return baseTree;
  if (!treeChangesSupported(changes)) throw new Error('writeTreeChanges: unsupported path');
  const rawLen = baseTree.length / 2;
  const raw = changes.map((c) => ({ ...c, path: Buffer.from(c.path, 'utf8').toString('latin1') }));

  const dirList = [''];
  const seen = new Set(dirList);
  for (const c of raw) {
    for (let i = c.path.indexOf('/'); i >= 0; i = c.path.indexOf('/', i + 1)) {
      const d = c.path.slice(0, i);
      if (seen.has(d)) continue;
      dirList.push(d);
      seen.add(d);
    }
  }
  if (objects) return spliceTreeChanges(git, objects, baseTree, raw, dirList);
  const dirs = await readDirs(git, baseTree, dirList, rawLen);

  for (const c of raw) {
    const slash = c.path.lastIndexOf('/');
    const entries = dirs.get(slash < 0 ? '' : c.path.slice(0, slash))!;
    const name = c.path.slice(slash + 1);
    if (c.oid) entries.set(name, { mode: c.mode, oid: c.oid });
    else if (entries.get(name)?.mode !== TREE_MODE) entries.delete(name);
  }

  // Bottom-up, one mktree batch per depth.
  const byDepth: string[][] = [];
  for (const d of dirList) {
    const depth = d === '' ? 0 : d.split('/').length;
    (byDepth[depth] ??= []).push(d);
  }
  const mk = new MkTree(git);
  try {
    for (let depth = byDepth.length - 1; depth >= 0; depth--) {
      const level = (byDepth[depth] ?? []).filter((d) => dirs.get(d)!.size > 0);
      const ids = await mk.write(level.map((d) => dirs.get(d)!));
      const written = new Map(level.map((d, i) => [d, ids[i]]));
      if (depth === 0) return written.get('') ?? (rawLen === 32 ? EMPTY_TREE_SHA256 : EMPTY_TREE);
      for (const d of byDepth[depth] ?? []) {
        const slash = d.lastIndexOf('/');
        const parent = dirs.get(slash < 0 ? '' : d.slice(0, slash))!;
        const name = d.slice(slash + 1);
        const id = written.get(d);
        if (id) parent.set(name, { mode: TREE_MODE, oid: id });
        // An emptied directory disappears (unless a file of that name replaced it).
        else if (parent.get(name)?.mode === TREE_MODE) parent.delete(name);
      }
    }
  } finally {
    await mk.close();
  }
  throw new Error('writeTreeChanges: no root tree written');
}

/** The base's entries of each directory (empty when the base has no such directory). */
async function readDirs(git: GitCommandManager, baseTree: string, dirList: string[], rawLen: number) {
  const dirs: Dirs = new Map();
  // Names go over cat-file's line protocol as bytes: latin1 strings back to a Buffer.
  const names = dirList.map((d) => (d === '' ? baseTree : `${baseTree}:${d}`));
  let i = 0;
  await streamBlobsRaw(git, names, (_oid, _size, body, type) => {
    dirs.set(dirList[i++], type === 'tree' && body ? parseTreeObject(body, rawLen) : new Map());
  });
  if (i !== dirList.length) throw new Error('writeTreeChanges: cat-file answered too few objects');
  return dirs;
}

/** streamBlobs with names that are latin1 (raw byte) strings. */
function streamBlobsRaw(
  git: GitCommandManager,
  names: string[],
  visit: Parameters<typeof streamBlobs>[2],
): Promise<void> {
  // streamBlobs joins and writes the names as UTF-8; re-encode the raw bytes so they survive that.
  const utf8 = names.map((n) => Buffer.from(n, 'latin1').toString('utf8'));
  const lossless = utf8.every((u, i) => Buffer.from(u, 'utf8').toString('latin1') === names[i]);
  if (!lossless) throw new Error('writeTreeChanges: a directory name is not valid UTF-8');
  return streamBlobs(git, utf8, visit);
}

/** Binary tree object → name (raw) → entry. */
function parseTreeObject(body: Buffer, rawLen: number): Map<string, Entry> {
  const out = new Map<string, Entry>();
  forEachTreeEntry(body, rawLen, (mode, start, end, oid) =>
    out.set(body.toString('latin1', start, end), { mode, oid }),
  );
  return out;
}

/** One `git mktree -z --batch` process: write trees, one id back per tree, in order. */
class MkTree {
  private child?: ChildProcessWithoutNullStreams;
  private out = '';
  private err: Buffer[] = [];
  private waiting?: { n: number; resolve: (ids: string[]) => void; reject: (e: Error) => void };
  private exited?: number;

  constructor(private readonly git: GitCommandManager) {}

  private start(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    const child = this.git.spawn(['mktree', '-z', '--batch']);
    child.stdout.setEncoding('latin1');
    child.stdout.on('data', (d: string) => {
      this.out += d;
      this.settle();
    });
    child.stderr.on('data', (d: Buffer) => this.err.push(d));
    child.stdin.on('error', () => undefined);
    child.on('close', (code) => {
      this.exited = code ?? 128;
      this.settle();
    });
    this.child = child;
    return child;
  }

  private settle(): void {
    const w = this.waiting;
    if (!w) return;
    const lines = this.out.split('\n');
    if (lines.length - 1 >= w.n) {
      this.waiting = undefined;
      this.out = lines.slice(w.n).join('\n');
      w.resolve(lines.slice(0, w.n));
    } else if (this.exited !== undefined) {
      this.waiting = undefined;
      w.reject(new GitError(['mktree'], this.exited, Buffer.concat(this.err).toString('utf8')));
    }
  }

  write(trees: Map<string, Entry>[]): Promise<string[]> {
    if (!trees.length) return Promise.resolve([]);
    const child = this.start();
    let text = '';
    for (const t of trees) {
      for (const [name, e] of t) {
        const type = e.mode === TREE_MODE ? 'tree' : e.mode === '160000' ? 'commit' : 'blob';
        text += `${e.mode} ${type} ${e.oid}\t${name}\0`;
      }
      text += '\0';
    }
    return new Promise((resolve, reject) => {
      this.waiting = { n: trees.length, resolve, reject };
      child.stdin.write(Buffer.from(text, 'latin1'));
      this.settle();
    });
  }

  async close(): Promise<void> {
    if (!this.child || this.exited !== undefined) return;
    const done = new Promise<void>((r) => this.child!.on('close', () => r()));
    this.child.stdin.end();
    await done;
  }
}
