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

/**
 * A directory (one tree object), looked up without building a map of its entries: the questions
 * asked of a large tree read a few names in directories of hundreds or thousands of entries, and
 * a string, an object and a map slot per entry cost more than the read itself. The names are only
 * located (and a name with bytes past ASCII checked, see decodeGitPaths) when the object comes in.
 */
export class Dir {
  /** Per entry: where its mode starts, the space after the mode, the NUL after the name. */
  private readonly at: Int32Array;
  private readonly count: number;
  private map?: Map<string, TreeItem>;

  constructor(
    private readonly body: Buffer,
    private readonly rawLen: number,
  ) {
    const at: number[] = [];
    let pos = 0;
    while (pos < body.length) {
      let sp = pos;
      while (sp < body.length && body[sp] !== 0x20) sp++;
      let nul = sp + 1;
      let high = false;
      for (; nul < body.length && body[nul] !== 0; nul++) if (body[nul] >= 0x80) high = true;
      if (sp >= body.length || nul >= body.length || nul + 1 + rawLen > body.length)
        throw new Error('malformed tree object');
      // Refused here, as when every name was decoded: a name that is not UTF-8 (see decodeGitPaths).
      if (high) decodeGitPaths(body, sp + 1, nul);
      at.push(pos, sp, nul);
      pos = nul + 1 + rawLen;
    }
    this.at = Int32Array.from(at);
    this.count = at.length / 3;
  }

  get size(): number {
    return this.count;
  }

  /** The entry named `name` (the last one, should a malformed tree hold it twice, as a map would). */
  get(name: string): TreeItem | undefined {
    const key = Buffer.from(name, 'utf8');
    const { at, body } = this;
    let found = -1;
    for (let i = 0; i < this.count; i++) {
      const start = at[3 * i + 1] + 1;
      const end = at[3 * i + 2];
      if (end - start === key.length && body.compare(key, 0, key.length, start, end) === 0) found = i;
    }
    return found < 0 ? undefined : this.item(found);
  }

  /** Each entry, in order: its name and item (decoded on the first call). */
  entries(): IterableIterator<[string, TreeItem]> {
    if (!this.map) {
      this.map = new Map();
      for (let i = 0; i < this.count; i++)
        this.map.set(decodeGitPaths(this.body, this.at[3 * i + 1] + 1, this.at[3 * i + 2]), this.item(i));
    }
    return this.map.entries();
  }

  [Symbol.iterator](): IterableIterator<[string, TreeItem]> {
    return this.entries();
  }

  /** Entry i: its mode as ls-tree prints it (`040000`, not git's `40000`) and its id. */
  private item(i: number): TreeItem {
    const [pos, sp, nul] = [this.at[3 * i], this.at[3 * i + 1], this.at[3 * i + 2]];
    const mode = this.body.toString('latin1', pos, sp);
    return {
      mode: mode.length < 6 ? mode.padStart(6, '0') : mode,
      oid: this.body.toString('hex', nul + 1, nul + 1 + this.rawLen),
    };
  }

  /** The ids of the entries that are directories (mode TREE_MODE), without decoding any name. */
  subtrees(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.count; i++) if (this.isTree(i)) out.push(this.item(i).oid);
    return out;
  }

  /** Whether entry i's mode is `40000` (or `040000`, as some old tools wrote it): TREE_MODE padded. */
  private isTree(i: number): boolean {
    const pos = this.at[3 * i];
    const len = this.at[3 * i + 1] - pos;
    const lead = len === 6 ? 1 : 0;
    if (len !== 5 && len !== 6) return false;
    if (lead && this.body[pos] !== 0x30) return false;
    if (this.body[pos + lead] !== 0x34) return false;
    for (let k = pos + lead + 1; k < pos + len; k++) if (this.body[k] !== 0x30) return false;
    return true;
  }
}

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
      d = this.reader.read(oid).then((body) => new Dir(body ?? Buffer.alloc(0), oid.length / 2));
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
      for (const d of read) {
        const dirs = d.subtrees();
        next.push(...dirs);
        files += d.size - dirs.length;
      }
      level = next;
    }
    return { count: files, exact: true };
  }

  close(): Promise<void> {
    return this.own?.close() ?? Promise.resolve();
  }
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

/**
 * The entry named `name` (its bytes) in binary tree object `body` (ids of `rawLen` bytes), found
 * without parsing the others; its mode as stored (`40000` for a directory).
 */
export function findTreeEntry(
  body: Buffer,
  rawLen: number,
  name: Buffer,
): { mode: string; oid: string } | undefined {
  for (let pos = 0; pos < body.length;) {
    const sp = body.indexOf(0x20, pos);
    const nul = sp < 0 ? -1 : body.indexOf(0, sp + 1);
    if (nul < 0 || nul + 1 + rawLen > body.length) throw new Error('malformed tree object');
    if (nul - sp - 1 === name.length && body.compare(name, 0, name.length, sp + 1, nul) === 0)
      return { mode: body.toString('latin1', pos, sp), oid: body.toString('hex', nul + 1, nul + 1 + rawLen) };
    pos = nul + 1 + rawLen;
  }
  return undefined;
}
