import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { GitCommandManager } from './git-command-manager.js';
import { BOT_IDENTITY } from './index-builder.js';

/**
 * What differs between a work tree and HEAD, per path: the status letters plus the content hash.
 * Taken before and after a script runs, two snapshots tell exactly which paths the script touched,
 * even when the tree was already dirty (the hash changes) or the script reverted a change.
 */
export type WorktreeSnapshot = Map<string, string>;

/** Pathspecs are literal paths, never globs, in everything below. */
const LITERAL = { GIT_LITERAL_PATHSPECS: '1' };

export async function snapshotWorktree(git: GitCommandManager): Promise<WorktreeSnapshot> {
  const out = await git.exec(['status', '--porcelain=v1', '-z', '--untracked-files=all', '--no-renames']);
  const entries = out.split('\0').filter(Boolean);
  const snap: WorktreeSnapshot = new Map();
  const present: string[] = [];
  for (const e of entries) {
    const status = e.slice(0, 2);
    const p = e.slice(3);
    snap.set(p, status);
    if (!status.includes('D')) present.push(p);
  }
  const files: string[] = [];
  for (const p of present) {
    const st = await fs.lstat(path.join(git.cwd, p)).catch(() => undefined);
    if (st && (st.isFile() || st.isSymbolicLink())) files.push(p);
  }
  if (files.length) {
    const hashes = (
      await git.exec(['hash-object', '--no-filters', '--stdin-paths'], { input: files.join('\n') + '\n' })
    ).split('\n');
    files.forEach((p, i) => snap.set(p, `${snap.get(p)}:${hashes[i]}`));
  }
  return snap;
}

/** Paths whose state differs between two snapshots, sorted. */
export function changedBetween(before: WorktreeSnapshot, after: WorktreeSnapshot): string[] {
  const out = new Set<string>();
  for (const [p, v] of after) if (before.get(p) !== v) out.add(p);
  for (const p of before.keys()) if (!after.has(p)) out.add(p);
  return [...out].sort();
}

/** Whether a path exists in HEAD (to tell added from modified). */
export async function pathsInHead(git: GitCommandManager, paths: readonly string[]): Promise<Set<string>> {
  if (!paths.length || !(await git.tryRevParse('HEAD'))) return new Set();
  const out = await git.exec(['ls-tree', '-r', '-z', '--name-only', 'HEAD', '--', ...paths], {
    env: LITERAL,
  });
  return new Set(out.split('\0').filter(Boolean));
}

/**
 * Commit exactly these paths (additions, changes and deletions), leaving anything else staged or
 * dirty alone. Returns the new commit, or undefined when the paths match HEAD already (no empty commits).
 */
export async function commitPaths(
  git: GitCommandManager,
  paths: readonly string[],
  message: string,
): Promise<string | undefined> {
  if (!paths.length) return undefined;
  const spec = paths.join('\0') + '\0';
  await git.exec(['add', '-A', '--pathspec-from-file=-', '--pathspec-file-nul'], {
    input: spec,
    env: LITERAL,
  });
  if (await git.tryRevParse('HEAD')) {
    const staged = new Set(
      (await git.exec(['diff', '--cached', '--name-only', '-z', '--no-renames', 'HEAD'])).split('\0'),
    );
    if (!paths.some((p) => staged.has(p))) return undefined;
  }
  const ident: string[] = [];
  if (!(await git.tryExec(['config', 'user.email'])))
    ident.push('-c', `user.name=${BOT_IDENTITY.name}`, '-c', `user.email=${BOT_IDENTITY.email}`);
  await git.exec(
    [...ident, 'commit', '-q', '-m', message, '--only', '--pathspec-from-file=-', '--pathspec-file-nul'],
    {
      input: spec,
      env: LITERAL,
    },
  );
  return git.revParse('HEAD');
}
