/**
 * Write a whole tree with `git fast-import` instead of `update-index` + `write-tree`: fast-import
 * builds the trees in memory and writes them as ONE pack, where write-tree creates one loose file
 * per directory (thousands for a large export, and file creation is most of write-tree's cost).
 * Same tree id. fast-import checks that every blob exists ("Blob not found"), as write-tree does.
 *
 * The trees hang off a throw-away commit on a temporary ref, which is deleted again; only the
 * tree id is returned (the caller makes the real commit). Returns undefined when an entry cannot
 * go through fast-import (a non-canonical mode): the caller then uses the index.
 */
import { RemoteError } from '../errors.js';
import { quotePath } from './fast-import.js';
import { GitError, type GitCommandManager } from './git-command-manager.js';
import { EMPTY_TREE, type IndexEntry } from './index-builder.js';

const MODES = new Set(['100644', '100755', '120000', '160000']);
let seq = 0;

export async function writeTreeWithFastImport(
  git: GitCommandManager,
  entries: Iterable<IndexEntry>,
): Promise<string | undefined> {
  const lines: string[] = [];
  for (const e of entries) {
    if (!MODES.has(e.mode) || e.path.includes('\0')) return undefined;
    lines.push(`M ${e.mode} ${e.oid} ${quotePath(e.path)}\n`);
  }
  if (!lines.length) return EMPTY_TREE;
  const ref = `refs/ferry/tree-import-${process.pid}-${++seq}`;
  const stream =
    'feature done\n' +
    `commit ${ref}\n` +
    'committer ferry <ferry@localhost> 0 +0000\n' +
    'data 0\n' +
    lines.join('') +
    '\ndone\n';
  try {
    await git.execRaw(['fast-import', '--quiet', '--done'], { input: stream });
  } catch (e) {
    throw missingBlobError(e) ?? e;
  }
  try {
    return await git.exec(['rev-parse', '--verify', `${ref}^{tree}`]);
  } finally {
    await git.tryExec(['update-ref', '-d', ref]);
  }
}

/**
 * A blob the tree names is not in the object store: the source is a partial (`--filter`) or damaged
 * clone. A failed sync the user fixes in the checkout, told in one line (nothing was written).
 */
function missingBlobError(e: unknown): RemoteError | undefined {
  if (!(e instanceof GitError)) return undefined;
  const m = /Blob not found: M \d+ ([0-9a-f]+) (.*)/.exec(e.stderr);
  if (!m) return undefined;
  return new RemoteError(
    `The source repository lacks the content of ${m[2]} (blob ${m[1].slice(0, 12)}): a partial or damaged clone. ` +
      'Nothing was exported. Fetch the missing objects (git fetch --refetch origin, or check out without a filter and with enough depth) and run again.',
  );
}
