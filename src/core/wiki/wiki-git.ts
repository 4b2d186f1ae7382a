import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { GitCommandManager } from '../git/git-command-manager.js';
import { readTree } from '../git/tree.js';
import { ORIGIN_TRAILER } from './merge.js';
import type { WikiTree } from './types.js';

/**
 * The git plumbing the wiki sync needs, all through the one git wrapper: blobs through one
 * fast-import process, trees through a temporary index, commits through commit-tree. No working
 * tree is ever written.
 */

/**
 * A blob's id without asking git (SHA-1 object format), so an unchanged wiki is recognised without
 * writing anything. writeBlobs checks git agrees before anything is committed.
 */
export function blobId(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

/** Write blobs in one `git fast-import`; returns their ids in order. */
export async function writeBlobs(git: GitCommandManager, blobs: readonly Buffer[]): Promise<string[]> {
  if (blobs.length === 0) return [];
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-blobs-'));
  try {
    const marks = path.join(dir, 'marks');
    const parts: Buffer[] = [];
    blobs.forEach((b, i) => {
      parts.push(Buffer.from(`blob\nmark :${i + 1}\ndata ${b.length}\n`), b, Buffer.from('\n'));
    });
    await git.exec(['fast-import', '--quiet', `--export-marks=${marks}`], { input: Buffer.concat(parts) });
    const oids = new Array<string>(blobs.length);
    for (const line of (await fs.readFile(marks, 'utf8')).split('\n')) {
      const m = /^:(\d+) ([0-9a-f]+)$/.exec(line);
      if (m) oids[Number(m[1]) - 1] = m[2];
    }
    return oids;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/**
 * A tree object from path → blob entries. `baseTree` (a tree-ish) is read first, so `tree` can
 * then hold only changes; an entry with oid `null` deletes that path.
 */
export async function writeTree(
  git: GitCommandManager,
  tree: ReadonlyMap<string, { mode: string; oid: string | null }>,
  baseTree?: string,
): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-index-'));
  const env = { GIT_INDEX_FILE: path.join(dir, 'index') };
  try {
    if (baseTree) await git.exec(['read-tree', baseTree], { env });
    const zero = '0'.repeat(40);
    const lines = [...tree].map(([p, e]) =>
      e.oid === null ? `0 ${zero}\t${p}\0` : `${e.mode} ${e.oid}\t${p}\0`,
    );
    if (lines.length)
      await git.exec(['update-index', '-z', '--add', '--remove', '--index-info'], {
        input: lines.join(''),
        env,
      });
    return await git.exec(['write-tree'], { env });
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

export async function commitTree(
  git: GitCommandManager,
  tree: string,
  parents: readonly string[],
  message: string,
  who: { name: string; email: string },
): Promise<string> {
  const args = ['commit-tree', tree];
  for (const p of parents) args.push('-p', p);
  args.push('-F', '-');
  return git.exec(args, {
    input: message,
    env: {
      GIT_AUTHOR_NAME: who.name,
      GIT_AUTHOR_EMAIL: who.email,
      GIT_COMMITTER_NAME: who.name,
      GIT_COMMITTER_EMAIL: who.email,
    },
  });
}

/** Blobs of a commit's tree as a WikiTree (no trees, no submodules). */
export async function readWikiTree(git: GitCommandManager, rev: string | undefined): Promise<WikiTree> {
  const tree: WikiTree = new Map();
  if (!rev) return tree;
  for (const e of await readTree(git, rev))
    if (e.type === 'blob') tree.set(e.path, { mode: e.mode, oid: e.oid });
  return tree;
}

/** The newest commit reachable from `rev` that carries Ferry's origin trailer. */
export async function lastFerryCommit(
  git: GitCommandManager,
  rev: string | undefined,
): Promise<{ sha: string; message: string } | undefined> {
  if (!rev) return undefined;
  const out = await git.exec([
    'log',
    '-1',
    '-z',
    `--grep=^${ORIGIN_TRAILER}: `,
    '--format=%H%n%B',
    rev,
    '--',
  ]);
  if (!out) return undefined;
  const nl = out.indexOf('\n');
  return { sha: out.slice(0, nl), message: out.slice(nl + 1).replace(/\0$/, '') };
}

/** A scratch bare repo whose object store borrows (alternates) the source repo's objects. */
export async function createScratchRepo(
  git: GitCommandManager,
  sourceObjectsDir: string,
): Promise<{ git: GitCommandManager; dir: string; cleanup: () => Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-wiki-'));
  await git.exec(['init', '-q', '--bare', dir]);
  await fs.writeFile(path.join(dir, 'objects', 'info', 'alternates'), sourceObjectsDir + '\n');
  return {
    git: git.with({ cwd: dir }),
    dir,
    cleanup: () => fs.rm(dir, { recursive: true, force: true }),
  };
}
