/**
 * Questions about a large tree answered from the few tree objects they need, never from a listing
 * of the whole tree: what is at these paths, is there any file below this directory that passes a
 * test, and does the tree hold at least N files. Tree objects are read through one long-lived
 * `cat-file --batch` (requests of one tick go in one write) and parsed once per id. The incremental
 * export and the history quick start ask these about the target tip: a 72k-file tree whose tree
 * objects along ten changed paths are a few dozen objects.
 */
import { BlobReader } from './cat-file.js';
import type { GitCommandManager } from './git-command-manager.js';
import { decodeGitPaths } from './path-bytes.js';

export interface TreeItem {
  /** 100644, 100755, 120000, 160000, or 040000 for a directory. */
  mode: string;
  oid: string;
}

export const TREE_MODE = '040000';

/** A directory's entries by name (UTF-8). */
type Dir = Map<string, TreeItem>;

/** Where objects are read: a running `cat-file --batch` reader someone else owns (and closes). */
export interface ObjectSource {
  read(oid: string): Promise<Buffer | undefined>;
}

export class TreeReader {
  private readonly reader: ObjectSource;
  /** The reader this TreeReader started, closed with it (none when it reads through a shared one). */
  private readonly own?: BlobReader;
  private readonly dirs = new Map<string, Promise<Dir>>();

  /** A repository (a reader of its own), or a shared object source (no second git process). */
  constructor(from: GitCommandManager | ObjectSource) {
    if ('read' in from) this.reader = from;
    else this.reader = this.own = new BlobReader(from);
  }

  /** The entries of tree object `oid` (empty when it is missing). */
  dir(oid: string): Promise<Dir> {
    let d = this.dirs.get(oid);
    if (!d) {
      d = this.reader.read(oid).then((body) => (body ? parseTree(body, oid.length / 2) : new Map()));
      this.dirs.set(oid, d);
    }
    return d;
  }

  /** Any object's raw content (a blob, through the same process), or undefined when missing. */
  blob(oid: string): Promise<Buffer | undefined> {
    return this.reader.read(oid);
  }

  /** The entry at `path` ('' is the root itself) in tree `root`, or undefined. */
  async entry(root: string, path: string): Promise<TreeItem | undefined> {
    if (path === '') return { mode: TREE_MODE, oid: root };
    let cur: TreeItem = { mode: TREE_MODE, oid: root };
    for (const name of path.split('/')) {
      if (cur.mode !== TREE_MODE) return undefined;
      const next = (await this.dir(cur.oid)).get(name);
      if (!next) return undefined;
      cur = next;
    }
    return cur;
  }

  /** entry() for many paths at once (the reads of one level go to git together). */
  entries(root: string, paths: readonly string[]): Promise<(TreeItem | undefined)[]> {
    return Promise.all(paths.map((p) => this.entry(root, p)));
  }

  /**
   * Is there a non-directory entry below directory `dir` of `root` for which `accept(path, item)`
   * holds? Breadth first, one level's tree objects read together, stopping at the first hit: a
   * directory with any plain file near its top costs one or two reads.
   */
  async someFile(
    root: string,
    dir: string,
    accept: (path: string, item: TreeItem) => boolean | Promise<boolean>,
  ): Promise<boolean> {
    const top = await this.entry(root, dir);
    if (top?.mode !== TREE_MODE) return false;
    let level: { path: string; oid: string }[] = [{ path: dir, oid: top.oid }];
    while (level.length) {
      const read = await Promise.all(level.map((d) => this.dir(d.oid)));
      const next: { path: string; oid: string }[] = [];
      for (let i = 0; i < level.length; i++) {
        const prefix = level[i].path === '' ? '' : `${level[i].path}/`;
        for (const [name, item] of read[i]) {
          const p = prefix + name;
          if (item.mode === TREE_MODE) next.push({ path: p, oid: item.oid });
          else if (await accept(p, item)) return true;
        }
      }
      level = next;
    }
    return false;
  }

  /**
   * The number of files (every non-directory entry) in tree `root`, counted only as far as needed
   * to tell that it is at least `atLeast`: breadth first, each directory not read yet counting as
   * one file. That lower bound assumes no empty directories, which git never writes from an index
   * and Ferry never writes at all. `exact` says whether every directory was read.
   */
  async countFiles(root: string, atLeast: number): Promise<{ count: number; exact: boolean }> {
    let files = 0;
    let level = [root];
    while (level.length) {
      if (files + level.length >= atLeast) return { count: files + level.length, exact: false };
      const read = await Promise.all(level.map((oid) => this.dir(oid)));
      const next: string[] = [];
      for (const d of read)
        for (const item of d.values()) {
          if (item.mode === TREE_MODE) next.push(item.oid);
          else files++;
        }
      level = next;
    }
    return { count: files, exact: true };
  }

  close(): Promise<void> {
    return this.own?.close() ?? Promise.resolve();
  }
}

/** A binary tree object → its entries (names decoded as UTF-8, modes as ls-tree prints them). */
function parseTree(body: Buffer, rawLen: number): Dir {
  const out: Dir = new Map();
  forEachTreeEntry(body, rawLen, (mode, start, end, oid) =>
    out.set(decodeGitPaths(body, start, end), { mode: mode.length < 6 ? mode.padStart(6, '0') : mode, oid }),
  );
  return out;
}

/**
 * Each entry of a binary tree object, in order: its mode as git stores it (`40000` for a
 * directory), the byte range of its name in `body`, and its id in hex (`rawLen` bytes raw). The
 * reader decodes names as UTF-8; the tree writer (tree-writer.ts) keeps their raw bytes.
 */
export function forEachTreeEntry(
  body: Buffer,
  rawLen: number,
  visit: (mode: string, nameStart: number, nameEnd: number, oid: string) => void,
): void {
  let pos = 0;
  while (pos < body.length) {
    const sp = body.indexOf(0x20, pos);
    const nul = body.indexOf(0, sp + 1);
    if (sp < 0 || nul < 0 || nul + 1 + rawLen > body.length) throw new Error('malformed tree object');
    visit(body.toString('latin1', pos, sp), sp + 1, nul, body.toString('hex', nul + 1, nul + 1 + rawLen));
    pos = nul + 1 + rawLen;
  }
}
