import type { GitCommandManager } from '../git/git-command-manager.js';
import type { CommitList } from './types.js';

/** Local history questions the mirror asks of its scratch repo (no network, no credentials). */

/** Commits reachable from `tip` but from none of `others`: the count, and the newest `cap` of them. */
export async function commitsOnlyIn(
  git: GitCommandManager,
  tip: string,
  others: readonly string[],
  cap: number,
): Promise<CommitList> {
  const count = Number(await git.exec(['rev-list', '--count', tip, '--not', ...others]));
  if (count === 0 || cap <= 0) return { count, commits: [] };
  const out = await git.exec([
    'log',
    `--max-count=${cap}`,
    '--format=%H%x00%an <%ae>%x00%s%x1e',
    tip,
    '--not',
    ...others,
  ]);
  const commits = out
    .split('\x1e')
    .map((rec) => rec.replace(/^\n/, ''))
    .filter(Boolean)
    .map((rec) => {
      const [sha, author, subject] = rec.split('\0');
      return { sha, author, subject };
    });
  return { count, commits };
}

/** The merge base of two commits, or null for unrelated histories. */
export async function mergeBase(git: GitCommandManager, a: string, b: string): Promise<string | null> {
  const r = await git.execRaw(['merge-base', a, b], { allowedExitCodes: [1] });
  return r.exitCode === 0 ? r.stdout.toString().trim() || null : null;
}
