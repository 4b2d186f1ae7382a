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
}

export async function findPublicBase(
  git: GitCommandManager,
  head: string,
  deepen: (by: number) => Promise<void>,
  logger: Logger,
): Promise<PublicBase | undefined> {
  const found = await findTrailerCommit(git, head, 'originRev', { deepen, logger, firstParent: true });
  return found && { commit: found.sha, originRev: found.value };
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
