/**
 * The public side of an import: the pull request's commits since its base. The base is the newest
 * commit on the pull request's first-parent line carrying `Ferry-Origin-Rev: R` (an export of R).
 */
import type { GitCommandManager } from '../git/git-command-manager.js';
import type { CommitIdentity } from '../git/index-builder.js';
import { findTrailerCommit, lastTrailer } from '../git/trailers.js';
import type { Logger } from '../logger.js';
import { parseDiffTree, type PublicChange } from './classify.js';

export interface PublicBase {
  /** The export commit in the public history. */
  commit: string;
  /** The private revision it was exported from. */
  originRev: string;
  /**
   * Exports the pull request merged in (public main merged into the branch instead of a rebase):
   * the base is then the newest of them, so only the pull request's own commits count.
   */
  merged: string[];
  /** The pull request's own commits: those after the base. */
  commits: PullRequestCommits;
  /** The pull request's net change against the base (netChange). */
  changes: Promise<PublicChange[]>;
}

/** The base search's answer: the base, or merged exports from more than one line of history. */
export type BaseSearch = PublicBase | { diverged: string[] } | undefined;

/**
 * The newest export the pull request contains. First the newest export on its first-parent line
 * (where the contributor started); then the exports merged in after it (a merge of the public main):
 * when those lie on one line, the newest of them is the base, so that what the merge brought in is
 * not taken for the contributor's change. Exports on two lines that neither contains (a rewritten
 * public main) leave no single base: `diverged`.
 */
export async function findPublicBase(
  git: GitCommandManager,
  head: string,
  deepen: (by: number) => Promise<void>,
  logger: Logger,
): Promise<BaseSearch> {
  const found = await findTrailerCommit(git, head, 'originRev', { deepen, logger, firstParent: true });
  if (!found) return undefined;
  // The net change against this base is asked while its commits are read: it is the base unless
  // the pull request merged exports in (then the diff is asked again against the newest of them).
  const changes = netChange(git, found.sha, head);
  // Asked early; a stop before it is awaited must not leave an unhandled rejection.
  changes.catch(() => undefined);
  const commits = await pullRequestCommits(git, found.sha, head);
  const merged = commits.exports;
  if (!merged.length) return { commit: found.sha, originRev: found.value, merged, commits, changes };
  const tips =
    merged.length === 1 ? merged : (await git.exec(['merge-base', '--independent', ...merged])).split('\n');
  if (tips.length > 1) return { diverged: tips };
  const newest = lastTrailer(await git.exec(['cat-file', 'commit', tips[0]]), 'originRev')!;
  const newestChanges = netChange(git, tips[0], head);
  newestChanges.catch(() => undefined);
  return {
    commit: tips[0],
    originRev: newest,
    merged,
    commits: await pullRequestCommits(git, tips[0], head),
    changes: newestChanges,
  };
}

export interface PullRequestCommits {
  /** Authors of the commits between the base and the head, oldest first. */
  authors: CommitIdentity[];
  /** Commits among them that Ferry exported (they carry Ferry-Origin-Rev): an echo. */
  exports: string[];
}

export async function pullRequestCommits(
  git: GitCommandManager,
  base: string,
  head: string,
): Promise<PullRequestCommits> {
  const out = await git.exec([
    'log',
    '--reverse',
    '--format=%H%x00%an%x00%ae%x00%B%x01',
    `${base}..${head}`,
    '--',
  ]);
  const authors: CommitIdentity[] = [];
  const exports: string[] = [];
  for (const rec of out.split('\x01')) {
    const [sha, name, email, message] = rec.replace(/^\n/, '').split('\0');
    if (!sha) continue;
    authors.push({ name, email });
    if (lastTrailer(message ?? '', 'originRev')) exports.push(sha);
  }
  return { authors, exports };
}

/** The pull request's net change: its head against its base, path by path (no rename pairing). */
export async function netChange(git: GitCommandManager, base: string, head: string): Promise<PublicChange[]> {
  const out = await git.execRaw(['diff-tree', '-r', '-z', '--no-renames', base, head]);
  return parseDiffTree(out.stdout.toString('utf8'));
}
