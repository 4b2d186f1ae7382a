/**
 * Refs of another repository brought into the scratch repository: looked up with ls-remote, and
 * fetched only when the scratch repository does not see the commit already (a local repository is
 * seen through alternates, so nothing is copied).
 */
import type { GitCommandManager } from '../git/git-command-manager.js';
import { fetchRefs, lsRemote } from '../git/transport.js';
import type { Logger } from '../logger.js';

export interface RemoteRef {
  /** The ref's current sha, undefined when it does not exist. */
  tip(): Promise<string | undefined>;
  /** The ref's current sha, present in the scratch repository (fetched at `depth` when needed). */
  bring(): Promise<string | undefined>;
  /** Fetch `by` more commits below the shallow boundary. */
  deepen(by: number): Promise<void>;
}

/** Whether the scratch repository sees commit `sha` already (default: `cat-file -e`, a process). */
export type HasCommit = (sha: string) => Promise<boolean>;

export function remoteRef(
  git: GitCommandManager,
  url: string,
  ref: string,
  local: string,
  logger: Logger,
  opts: { depth?: number; has?: HasCommit } = {},
): RemoteRef {
  return {
    tip: async () => (await lsRemote(git, url, [ref], { logger })).get(ref),
    bring: async () =>
      (await bringRefs(git, url, [{ ref, local }], logger, { depth: opts.depth ?? 1, has: opts.has })).get(
        ref,
      ),
    deepen: (by) => fetchRefs(git, url, [`+${ref}:${local}`], { deepen: by, logger }),
  };
}

/**
 * Several refs of one repository at once: one ls-remote, then one fetch (at `depth`, 0 for all
 * history) of those the scratch repository does not see yet. Ref → sha (absent when the ref does
 * not exist).
 */
export async function bringRefs(
  git: GitCommandManager,
  url: string,
  refs: readonly { ref: string; local: string }[],
  logger: Logger,
  opts: { depth?: number; has?: HasCommit } = {},
): Promise<Map<string, string>> {
  const has: HasCommit = opts.has ?? ((sha) => git.tryExec(['cat-file', '-e', `${sha}^{commit}`]));
  const tips = await lsRemote(
    git,
    url,
    refs.map((r) => r.ref),
    { logger },
  );
  const seen = await Promise.all(
    refs.map((r) => {
      const sha = tips.get(r.ref);
      return !sha || has(sha);
    }),
  );
  const missing = refs.filter((_, i) => !seen[i]).map((r) => `+${r.ref}:${r.local}`);
  if (missing.length) await fetchRefs(git, url, missing, { depth: opts.depth ?? 0, logger });
  return tips;
}
