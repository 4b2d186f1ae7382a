/**
 * Questions about objects answered through the import's one `cat-file --batch` reader (the
 * scratch repository's, which sees the private checkout, the public repository and what was
 * fetched) instead of a git process each: does a commit exist, what are its tree and first parent,
 * which files are at a few paths of a tree.
 */
import { forEachTreeEntry, type ObjectSource } from '../git/tree-reader.js';
import type { TreeEntry } from '../git/tree.js';

/** The raw text of commit `rev` (peeled like `<rev>^{commit}`), undefined when it is not there. */
export async function readCommit(objects: ObjectSource, rev: string): Promise<string | undefined> {
  return (await objects.read(`${rev}^{commit}`))?.toString('utf8');
}

/** Whether commit `sha` is there (like `cat-file -e <sha>^{commit}`). */
export async function hasCommit(objects: ObjectSource, sha: string): Promise<boolean> {
  return (await objects.read(`${sha}^{commit}`)) !== undefined;
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

/** The tree of commit `rev`, or undefined when the commit is not there. */
export async function treeOfCommit(objects: ObjectSource, rev: string): Promise<string | undefined> {
  const raw = await readCommit(objects, rev);
  return raw === undefined ? undefined : commitHeaders(raw).tree;
}

/**
 * The files (blobs and gitlinks, not directories) at exactly `paths` in tree `root`, read from the
 * tree objects along those paths only (each read once; the reads of one depth go to git together).
 * Names are compared as the bytes git stores, so an entry whose name is not UTF-8 elsewhere in a
 * directory on the way is no concern of this question.
 */
export async function filesAt(
  objects: ObjectSource,
  root: string,
  paths: readonly string[],
): Promise<Map<string, TreeEntry>> {
  const rawLen = root.length / 2;
  const dirs = new Map<string, Promise<Map<string, { mode: string; oid: string }>>>();
  const dir = (oid: string) => {
    let d = dirs.get(oid);
    if (!d) {
      d = objects.read(oid).then((body) => {
        const out = new Map<string, { mode: string; oid: string }>();
        if (body)
          forEachTreeEntry(body, rawLen, (mode, start, end, id) =>
            out.set(body.toString('latin1', start, end), { mode, oid: id }),
          );
        return out;
      });
      dirs.set(oid, d);
    }
    return d;
  };
  const entry = async (p: string) => {
    let cur: { mode: string; oid: string } | undefined = { mode: '40000', oid: root };
    for (const name of Buffer.from(p, 'utf8').toString('latin1').split('/')) {
      if (cur.mode !== '40000') return undefined;
      cur = (await dir(cur.oid)).get(name);
      if (!cur) return undefined;
    }
    return cur;
  };
  const found = await Promise.all(paths.map(entry));
  const out = new Map<string, TreeEntry>();
  paths.forEach((p, i) => {
    const e = found[i];
    if (!e || e.mode === '40000') return;
    const mode = canonMode(e.mode);
    out.set(p, { mode, type: mode === '160000' ? 'commit' : 'blob', oid: e.oid, path: p, size: -1 });
  });
  return out;
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
