import fc from 'fast-check';
import { BlobReader } from '../../src/core/git/cat-file.js';
import { GitCommandManager } from '../../src/core/git/git-command-manager.js';
import { EMPTY_TREE, writeTreeFromEntries, type IndexEntry } from '../../src/core/git/index-builder.js';
import { parseLsTree, readTree, streamTree, type TreeEntry } from '../../src/core/git/tree.js';
import { writeTreeWithFastImport } from '../../src/core/git/tree-import.js';
import { treeChangesSupported, writeTreeChanges, type TreeChange } from '../../src/core/git/tree-writer.js';
import { silentLogger } from '../../src/core/logger.js';
import { git } from '../support/git-fixtures.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

/**
 * writeTreeChanges (src/core/git/tree-writer.ts) edits only the directories on the changed paths;
 * it must give exactly the tree id that writing the whole resulting file list from scratch gives.
 * Random trees and random change sets with real git: additions in new and existing directories,
 * modifications, mode flips, deletions that empty a directory, a file replacing a directory and a
 * directory replacing a file, non-ASCII names. Also: streamTree == parseLsTree of ls-tree's output.
 */
afterAll(cleanupTmp);

let repo: string;
let gm: GitCommandManager;
const blobs: string[] = [];

beforeAll(async () => {
  repo = await tmpDir('ferry-treewriter-');
  git(repo, ['init', '-q', '--bare']);
  gm = new GitCommandManager(repo, { logger: silentLogger });
  for (let i = 0; i < 6; i++) blobs.push(git(repo, ['hash-object', '-w', '--stdin'], `blob ${i}\n`));
});

const NAMES = ['a', 'b', 'c.py', 'dir', 'é', 'x y', 'z ', ' t', 'q\tr'];
const pathArb = fc
  .array(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 4 })
  .map((parts) => parts.join('/'));
const MODES = ['100644', '100755', '120000'];
const entryArb = fc.record({
  path: pathArb,
  mode: fc.constantFrom(...MODES),
  blob: fc.integer({ min: 0, max: 5 }),
});

/** Drop paths that are a directory prefix of another (a tree cannot hold both). */
function consistent(files: Map<string, IndexEntry>): Map<string, IndexEntry> {
  const out = new Map(files);
  for (const p of files.keys()) {
    for (let i = p.indexOf('/'); i > 0; i = p.indexOf('/', i + 1)) out.delete(p.slice(0, i));
  }
  return out;
}

function toMap(entries: { path: string; mode: string; blob: number }[]): Map<string, IndexEntry> {
  const m = new Map<string, IndexEntry>();
  for (const e of entries) m.set(e.path, { path: e.path, mode: e.mode, oid: blobs[e.blob] });
  return consistent(m);
}

const reader = () => new BlobReader(gm);

test.each([
  ['mktree', false],
  ['spliced through a shared object reader', true],
])(
  'writeTreeChanges (%s) == writing the resulting file list from scratch',
  async (_how, shared) => {
    const objects = shared ? reader() : undefined;
    await fc.assert(
      fc.asyncProperty(
        fc.array(entryArb, { maxLength: 14 }),
        fc.array(entryArb, { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (baseEntries, adds, deletes) => {
          const base = toMap(baseEntries);
          const next = new Map(base);
          const basePaths = [...base.keys()];
          for (const d of deletes) if (basePaths.length) next.delete(basePaths[d % basePaths.length]);
          // Additions win over what they conflict with (a file replacing a directory and vice versa).
          for (const a of adds) {
            for (const p of [...next.keys()]) {
              if (p.startsWith(a.path + '/') || a.path.startsWith(p + '/')) next.delete(p);
            }
            next.set(a.path, { path: a.path, mode: a.mode, oid: blobs[a.blob] });
          }
          const changes: TreeChange[] = [];
          for (const [p, e] of next) {
            const b = base.get(p);
            if (!b || b.oid !== e.oid || b.mode !== e.mode)
              changes.push({ path: p, mode: e.mode, oid: e.oid });
          }
          for (const p of base.keys()) if (!next.has(p)) changes.push({ path: p, mode: '0', oid: '' });
          expect(treeChangesSupported(changes)).toBe(true);

          const baseTree = await writeTreeFromEntries(gm, base.values(), repo);
          const want = await writeTreeFromEntries(gm, next.values(), repo);
          const got = await writeTreeChanges(gm, baseTree, changes, objects);
          expect(got).toBe(want);
        },
      ),
      { numRuns: 30 },
    );
    await objects?.close();
  },
  60_000,
);

test('no changes returns the base; deleting everything gives the empty tree', async () => {
  const base = await writeTreeFromEntries(gm, [{ path: 'a/b/c', mode: '100644', oid: blobs[0] }], repo);
  expect(await writeTreeChanges(gm, base, [])).toBe(base);
  expect(await writeTreeChanges(gm, base, [{ path: 'a/b/c', mode: '0', oid: '' }])).toBe(EMPTY_TREE);
});

test('an entry whose object does not exist is refused (mktree checks)', async () => {
  const base = await writeTreeFromEntries(gm, [{ path: 'a', mode: '100644', oid: blobs[0] }], repo);
  await expect(
    writeTreeChanges(gm, base, [{ path: 'd/x', mode: '100644', oid: '1'.repeat(40) }]),
  ).rejects.toThrow();
});

test('spliced: an entry whose object does not exist, or is not what its mode says, is refused', async () => {
  const base = await writeTreeFromEntries(gm, [{ path: 'a/b', mode: '100644', oid: blobs[0] }], repo);
  const objects = reader();
  try {
    await expect(
      writeTreeChanges(gm, base, [{ path: 'd/x', mode: '100644', oid: '1'.repeat(40) }], objects),
    ).rejects.toThrow(/d\/x: object 1{40} does not exist/);
    const subtree = git(repo, ['rev-parse', `${base}:a`]);
    await expect(
      writeTreeChanges(gm, base, [{ path: 'x', mode: '100644', oid: subtree }], objects),
    ).rejects.toThrow(/is a tree, not a blob/);
    // A directory replacing a file, and a name that sorts between a file and a directory.
    const got = await writeTreeChanges(
      gm,
      base,
      [
        { path: 'a.b', mode: '100644', oid: blobs[1] },
        { path: 'a/c', mode: '100755', oid: blobs[2] },
      ],
      objects,
    );
    const want = await writeTreeFromEntries(
      gm,
      [
        { path: 'a/b', mode: '100644', oid: blobs[0] },
        { path: 'a/c', mode: '100755', oid: blobs[2] },
        { path: 'a.b', mode: '100644', oid: blobs[1] },
      ],
      repo,
    );
    expect(got).toBe(want);
  } finally {
    await objects.close();
  }
});

test('paths with a line break are not supported (the caller falls back to the index)', () => {
  expect(treeChangesSupported([{ path: 'a\nb', mode: '100644', oid: blobs[0] }])).toBe(false);
});

test('streamTree gives what parseLsTree gives for the whole output, across many chunks', async () => {
  const entries: IndexEntry[] = [];
  for (let i = 0; i < 6000; i++) {
    const dir = `d${i % 37}/é${i % 5}/x${'x'.repeat(i % 50)}`;
    entries.push({ path: `${dir}/f-${i}.txt`, mode: i % 9 ? '100644' : '100755', oid: blobs[i % 6] });
  }
  const tree = await writeTreeFromEntries(gm, entries, repo);
  const raw = git(repo, ['ls-tree', '-r', '-z', '--full-tree', tree]) + '';
  const want = parseLsTree(raw, false);
  const got: TreeEntry[] = [];
  await streamTree(gm, tree, (e) => got.push(e));
  expect(got).toEqual(want);
  expect(got).toHaveLength(6000);
  expect(await readTree(gm, tree)).toEqual(want);
  await expect(streamTree(gm, 'f'.repeat(40), () => undefined)).rejects.toThrow(/ls-tree/);
});

test('writeTreeWithFastImport == update-index + write-tree, odd names included', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(entryArb, { maxLength: 14 }), fc.boolean(), async (raw, odd) => {
      const files = toMap(raw);
      if (odd) {
        // fast-import needs C-quoting for these.
        files.set('"quoted', { path: '"quoted', mode: '100644', oid: blobs[1] });
        files.set('new\nline', { path: 'new\nline', mode: '100755', oid: blobs[2] });
        files.set('back\\slash "q"', { path: 'back\\slash "q"', mode: '100644', oid: blobs[3] });
      }
      const want = await writeTreeFromEntries(gm, files.values(), repo);
      expect(await writeTreeWithFastImport(gm, files.values())).toBe(want);
    }),
    { numRuns: 15 },
  );
}, 60_000);

test('writeTreeWithFastImport refuses a missing blob and leaves odd modes to the index', async () => {
  await expect(
    writeTreeWithFastImport(gm, [{ path: 'x', mode: '100644', oid: '1'.repeat(40) }]),
  ).rejects.toThrow(/lacks the content of x \(blob 111111111111\): a partial or damaged clone/);
  expect(await writeTreeWithFastImport(gm, [{ path: 'x', mode: '100664', oid: blobs[0] }])).toBeUndefined();
  expect(await writeTreeWithFastImport(gm, [])).toBe(EMPTY_TREE);
  expect(git(repo, ['for-each-ref', 'refs/ferry/'])).toBe('');
});
