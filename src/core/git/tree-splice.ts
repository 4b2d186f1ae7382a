/**
 * writeTreeChanges (tree-writer.ts) for a caller with a running object reader: the base's tree
 * objects along the changed paths are read through it, each new tree object is made by splicing
 * the changed entries into the old object's bytes (no untouched entry is parsed or formatted, and
 * a directory on a changed path may hold thousands), its id is computed here, and all of them are
 * written by one `git hash-object -w -t tree --stdin-paths`, whose ids must equal the ones computed.
 * What mktree checked is checked here: a changed entry's object must exist with the type its mode
 * says (one `cat-file --batch-check`, alongside the writing); untouched entries come from trees that
 * hold them already.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { GitCommandManager } from './git-command-manager.js';
import { EMPTY_TREE, EMPTY_TREE_SHA256 } from './index-builder.js';
import { findTreeEntry, type ObjectSource } from './tree-reader.js';
import type { TreeChange } from './tree-writer.js';

/** A directory's mode as a tree object stores it. */
const TREE_MODE = '40000';

interface Entry {
  mode: string;
  oid: string;
}

/** One directory on a changed path: its base object's bytes and its edits (null deletes). */
interface Dir {
  body?: Buffer;
  edits: Map<string, Entry | null>;
}

/** `changes` have raw (latin1) paths; `dirList` every directory on them, parents first. */
export async function spliceTreeChanges(
  git: GitCommandManager,
  objects: ObjectSource,
  baseTree: string,
  changes: readonly TreeChange[],
  dirList: readonly string[],
): Promise<string> {
  const rawLen = baseTree.length / 2;
  const checked = checkChangedObjects(git, changes);
  checked.catch(() => undefined);
  const dirs = await readDirs(objects, baseTree, dirList, rawLen);
  const current = (d: Dir, name: string): Entry | undefined => {
    const e = d.edits.get(name);
    if (e !== undefined) return e ?? undefined;
    return d.body ? findTreeEntry(d.body, rawLen, Buffer.from(name, 'latin1')) : undefined;
  };
  for (const c of changes) {
    const slash = c.path.lastIndexOf('/');
    const d = dirs.get(slash < 0 ? '' : c.path.slice(0, slash))!;
    const name = c.path.slice(slash + 1);
    if (c.oid) d.edits.set(name, { mode: c.mode, oid: c.oid });
    else if (current(d, name)?.mode !== TREE_MODE) d.edits.set(name, null);
  }

  // Bottom-up: a parent needs its children's ids, which are computed here, so nothing waits on git.
  const byDepth: string[][] = [];
  for (const d of dirList) (byDepth[d === '' ? 0 : d.split('/').length] ??= []).push(d);
  const written: { oid: string; body: Buffer }[] = [];
  let root: string | undefined;
  for (let depth = byDepth.length - 1; depth >= 0; depth--) {
    for (const d of byDepth[depth] ?? []) {
      const dir = dirs.get(d)!;
      const body = dir.edits.size ? splice(dir.body ?? Buffer.alloc(0), rawLen, dir.edits) : dir.body;
      const id = body?.length ? hashTree(body, rawLen) : undefined;
      if (id) written.push({ oid: id, body: body! });
      if (depth === 0) {
        root = id;
        continue;
      }
      const slash = d.lastIndexOf('/');
      const parent = dirs.get(slash < 0 ? '' : d.slice(0, slash))!;
      const name = d.slice(slash + 1);
      if (id) parent.edits.set(name, { mode: TREE_MODE, oid: id });
      // An emptied directory disappears (unless a file of that name replaced it).
      else if (current(parent, name)?.mode === TREE_MODE) parent.edits.set(name, null);
    }
  }
  await Promise.all([writeTrees(git, written), checked]);
  return root ?? (rawLen === 32 ? EMPTY_TREE_SHA256 : EMPTY_TREE);
}

/** Each directory's base tree object (undefined when the base has no such directory). */
async function readDirs(objects: ObjectSource, baseTree: string, dirList: readonly string[], rawLen: number) {
  const dirs = new Map<string, Dir>();
  const byDepth: string[][] = [];
  for (const d of dirList) (byDepth[d === '' ? 0 : d.split('/').length] ??= []).push(d);
  for (const level of byDepth) {
    if (!level) continue;
    const bodies = await Promise.all(
      level.map((d) => {
        if (d === '') return objects.read(baseTree);
        const slash = d.lastIndexOf('/');
        const parent = dirs.get(slash < 0 ? '' : d.slice(0, slash))?.body;
        const e = parent && findTreeEntry(parent, rawLen, Buffer.from(d.slice(slash + 1), 'latin1'));
        // A path that is a file in the base reads as a directory that does not exist yet.
        return e?.mode === TREE_MODE ? objects.read(e.oid) : undefined;
      }),
    );
    level.forEach((d, i) => dirs.set(d, { body: bodies[i], edits: new Map() }));
  }
  return dirs;
}

/**
 * The tree object `body` with `edits` applied: an edited name's old entry goes, its new entry (if
 * any) goes where git's order puts it (names as bytes, a directory's name compared as if it ended
 * in '/'). Runs of untouched entries are copied as they are.
 */
function splice(body: Buffer, rawLen: number, edits: ReadonlyMap<string, Entry | null>): Buffer {
  const edited = [...edits.keys()].map((n) => Buffer.from(n, 'latin1'));
  const lengths = new Set(edited.map((n) => n.length));
  const adds = [...edits]
    .filter((e): e is [string, Entry] => e[1] !== null)
    .map(([name, e]) => {
      const key = Buffer.from(name, 'latin1');
      const mode = parseInt(e.mode, 8).toString(8);
      return {
        key,
        dir: mode === TREE_MODE,
        bytes: Buffer.concat([
          Buffer.from(`${mode} `, 'latin1'),
          key,
          Buffer.from([0]),
          Buffer.from(e.oid, 'hex'),
        ]),
      };
    })
    .sort((a, b) => compareNames(a.key, 0, a.key.length, a.dir, b.key, b.dir));
  const parts: Buffer[] = [];
  let run = 0; // start of the current run of kept entries
  let next = 0; // the next addition to place
  for (let pos = 0; pos < body.length;) {
    const sp = body.indexOf(0x20, pos);
    const nul = sp < 0 ? -1 : body.indexOf(0, sp + 1);
    if (nul < 0 || nul + 1 + rawLen > body.length) throw new Error('malformed tree object');
    const end = nul + 1 + rawLen;
    const dir = body[pos] === 0x34; // '4': a directory (40000); files and gitlinks start with '1'
    // Additions that sort before this entry go first.
    while (next < adds.length && compareNames(body, sp + 1, nul, dir, adds[next].key, adds[next].dir) > 0) {
      parts.push(body.subarray(run, pos), adds[next++].bytes);
      run = pos;
    }
    // An edited name's old entry is dropped (its new one, if any, is among the additions).
    const len = nul - sp - 1;
    if (
      lengths.has(len) &&
      edited.some((n) => n.length === len && body.compare(n, 0, len, sp + 1, nul) === 0)
    ) {
      parts.push(body.subarray(run, pos));
      run = end;
    }
    pos = end;
  }
  parts.push(body.subarray(run));
  for (; next < adds.length; next++) parts.push(adds[next].bytes);
  return Buffer.concat(parts);
}

/** git's order of tree entries: `a[start, end)` (a directory when `aDir`) against `b`. */
function compareNames(
  a: Buffer,
  start: number,
  end: number,
  aDir: boolean,
  b: Buffer,
  bDir: boolean,
): number {
  const la = end - start;
  const len = Math.min(la, b.length);
  const c = a.compare(b, 0, len, start, start + len);
  if (c) return c;
  const ca = la > len ? a[start + len] : aDir ? 0x2f : 0;
  const cb = b.length > len ? b[len] : bDir ? 0x2f : 0;
  return ca - cb;
}

function hashTree(body: Buffer, rawLen: number): string {
  return createHash(rawLen === 32 ? 'sha256' : 'sha1')
    .update(`tree ${body.length}\0`)
    .update(body)
    .digest('hex');
}

/** Write the new tree objects with one git process; git must give the ids computed here. */
async function writeTrees(git: GitCommandManager, trees: readonly { oid: string; body: Buffer }[]) {
  if (!trees.length) return;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-trees-'));
  try {
    const files = trees.map((_, i) => path.join(dir, String(i)));
    await Promise.all(trees.map((t, i) => fs.writeFile(files[i], t.body)));
    const out = await git.exec(['hash-object', '-w', '-t', 'tree', '--no-filters', '--stdin-paths'], {
      input: files.join('\n') + '\n',
    });
    const ids = out.split('\n');
    trees.forEach((t, i) => {
      if (ids[i] !== t.oid) throw new Error(`writeTreeChanges: git wrote tree ${ids[i]}, expected ${t.oid}`);
    });
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** mktree's check, for the entries that are new: each object exists, of the type its mode says. */
async function checkChangedObjects(git: GitCommandManager, changes: readonly TreeChange[]): Promise<void> {
  // A gitlink names a commit of another repository: mktree does not look for it either.
  const asked = changes.filter((c) => c.oid && c.mode !== '160000');
  if (!asked.length) return;
  const out = await git.exec(['cat-file', '--batch-check=%(objectname) %(objecttype)'], {
    input: asked.map((c) => c.oid).join('\n') + '\n',
  });
  const types = out.split('\n').map((l) => l.slice(l.indexOf(' ') + 1));
  asked.forEach((c, i) => {
    const want = parseInt(c.mode, 8).toString(8) === TREE_MODE ? 'tree' : 'blob';
    if (types[i] !== want)
      throw new Error(
        `writeTreeChanges: ${Buffer.from(c.path, 'latin1').toString('utf8')}: object ${c.oid} ${types[i] === 'missing' ? 'does not exist' : `is a ${types[i]}, not a ${want}`}`,
      );
  });
}
