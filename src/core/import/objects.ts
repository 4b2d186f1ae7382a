/**
 * Questions about objects answered through the import's one `cat-file --batch` reader (the
 * scratch repository's, which sees the private checkout, the public repository and what was
 * fetched) instead of a git process each: does a commit exist, what are its tree and first parent,
 * which files are at a few paths of a tree.
 */
import { commitHeaders } from '../git/index-builder.js';
import { findTreeEntry, type ObjectSource } from '../git/tree-reader.js';
import type { TreeEntry } from '../git/tree.js';

/** The raw text of commit `rev` (peeled like `<rev>^{commit}`), undefined when it is not there. */
export async function readCommit(objects: ObjectSource, rev: string): Promise<string | undefined> {
  return (await objects.read(`${rev}^{commit}`))?.toString('utf8');
}

/** `objects` with each object read once (for the few tree objects two steps both read). */
export function rememberObjects(objects: ObjectSource): ObjectSource {
  const seen = new Map<string, Promise<Buffer | undefined>>();
  return {
    read: (oid) => {
      let b = seen.get(oid);
      if (!b) seen.set(oid, (b = objects.read(oid)));
      return b;
    },
  };
}

/** Whether commit `sha` is there (like `cat-file -e <sha>^{commit}`). */
export async function hasCommit(objects: ObjectSource, sha: string): Promise<boolean> {
  return (await objects.read(`${sha}^{commit}`)) !== undefined;
}

/** The tree of commit `rev`, or undefined when the commit is not there. */
export async function treeOfCommit(objects: ObjectSource, rev: string): Promise<string | undefined> {
  const raw = await readCommit(objects, rev);
  return raw === undefined ? undefined : commitHeaders(raw).tree;
}

/**
 * The files (blobs and gitlinks, not directories) at exactly `paths` in tree `root`, read from the
 * tree objects along those paths only (each read once; the reads of one depth go to git together).
 * Each name is looked up in its directory's raw bytes, as git stores it: no directory is parsed
 * whole (a directory on the way may hold thousands of entries), and an entry elsewhere whose name
 * is not UTF-8 is no concern of this question.
 */
export async function filesAt(
  objects: ObjectSource,
  root: string,
  paths: readonly string[],
): Promise<Map<string, TreeEntry>> {
  const rawLen = root.length / 2;
  const once = rememberObjects(objects);
  const body = (oid: string) => once.read(oid);
  const entry = async (p: string) => {
    let cur: RawEntry | undefined = { mode: TREE_MODE, oid: root };
    for (const name of p.split('/')) {
      if (cur.mode !== TREE_MODE) return undefined;
      const tree = await body(cur.oid);
      cur = tree && findTreeEntry(tree, rawLen, Buffer.from(name, 'utf8'));
      if (!cur) return undefined;
    }
    return cur;
  };
  const found = await Promise.all(paths.map(entry));
  const out = new Map<string, TreeEntry>();
  paths.forEach((p, i) => {
    const e = found[i];
    if (!e || e.mode === TREE_MODE) return;
    const mode = canonMode(e.mode);
    out.set(p, { mode, type: mode === '160000' ? 'commit' : 'blob', oid: e.oid, path: p, size: -1 });
  });
  return out;
}

/** A directory's mode as a tree object stores it. */
const TREE_MODE = '40000';

interface RawEntry {
  mode: string;
  oid: string;
}

/** A stored file mode as git prints it (an old tree may hold `100664`, which git reads as 100644). */
function canonMode(mode: string): string {
  const m = parseInt(mode, 8);
  switch (m & 0o170000) {
    case 0o100000:
      return m & 0o100 ? '100755' : '100644';
    case 0o120000:
      return '120000';
    default:
      return '160000';
  }
}
