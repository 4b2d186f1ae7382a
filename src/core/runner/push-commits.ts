/**
 * `defaults.push`: push what the pull targets committed to the checked-out branch on origin,
 * through the one rebuild-and-push helper. The first attempt pushes HEAD as it is. When origin
 * moved meanwhile, the build fetches its tip and replays the local commits it lacks onto it, at
 * tree level (no work tree, no merge machinery): each commit's changed paths are taken as they
 * are, which is only done when origin left those paths alone. A path changed on both sides stops
 * the push with "fetch, rebase and run again"; nothing is ever forced. After a rebuilt push the
 * local branch follows with `git reset --keep`, which refuses rather than touch a local change.
 */
import { errorMessage } from '../errors.js';
import type { GitCommandManager } from '../git/git-command-manager.js';
import {
  commitIdentity,
  commitMessage,
  commitTree,
  writeTreeIncremental,
  type IndexEntry,
} from '../git/index-builder.js';
import { rebuildAndPush, throwIfRefused } from '../git/rebuild-and-push.js';
import { fetchRefs, pushRefs } from '../git/transport.js';
import type { Logger } from '../logger.js';

/** Where origin's tip is fetched to when the branch has to be rebuilt on it. */
const ORIGIN_TIP = 'refs/ferry/push-base';
const MAX_RETRIES = 3;

/** A push that cannot be rebuilt automatically: the check fails with this message. */
class CannotReplay extends Error {}

export interface PushedCommits {
  branch: string;
  /** The commit now on origin. */
  commit: string;
  /** Whether the local commits had to be replayed on a moved origin. */
  rebuilt: boolean;
  /** A rebuilt branch whose checkout could not follow (local changes in the way). */
  localBehind: boolean;
}

/** Push HEAD's branch to origin; throws with the reason when it cannot be pushed. */
export async function pushPullCommits(git: GitCommandManager, logger: Logger): Promise<PushedCommits> {
  const branch = await git.exec(['symbolic-ref', '--short', 'HEAD']);
  const ref = `refs/heads/${branch}`;
  const head = await git.revParse('HEAD');
  const loop = await rebuildAndPush({
    label: `origin/${branch}`,
    build: async (attempt) => {
      const commit = attempt === 1 ? head : await replayOnOrigin(git, ref, head);
      return { value: commit, updates: [{ ref, from: commit }] };
    },
    push: (updates) =>
      pushRefs(
        git,
        'origin',
        updates.map((u) => `${u.from}:${u.ref}`),
        { logger },
      ),
    maxRetries: MAX_RETRIES,
    logger,
  });
  throwIfRefused(loop);
  const commit = loop.value;
  const rebuilt = commit !== head;
  // The checkout follows the rebuilt branch; a local change in a file origin changed stops it.
  const localBehind = rebuilt && !(await git.tryExec(['reset', '--quiet', '--keep', commit]));
  await git.tryExec(['update-ref', '-d', ORIGIN_TIP]);
  return { branch, commit, rebuilt, localBehind };
}

/** Fetch origin's tip and replay the commits of `head` that it lacks onto it; the new tip. */
async function replayOnOrigin(git: GitCommandManager, ref: string, head: string): Promise<string> {
  await fetchRefs(git, 'origin', [`+${ref}:${ORIGIN_TIP}`]);
  const tip = await git.revParse(ORIGIN_TIP);
  if (await git.isAncestor(tip, head)) return head;
  const commits = (await git.exec(['rev-list', '--reverse', '--topo-order', `${tip}..${head}`]))
    .split('\n')
    .filter(Boolean);
  let base = tip;
  for (const c of commits) base = await replayCommit(git, c, base);
  return base;
}

/** One commit replayed onto `base`: same changes, message, author and committer (with dates). */
async function replayCommit(git: GitCommandManager, commit: string, base: string): Promise<string> {
  // The raw object: the message exactly as it is, trailing newline included.
  const raw = (await git.execRaw(['cat-file', 'commit', commit])).stdout.toString('utf8');
  const parents = [...raw.matchAll(/^parent ([0-9a-f]+)$/gm)].map((m) => m[1]);
  if (parents.length !== 1)
    throw new CannotReplay(`${commit.slice(0, 7)} is a merge or a root commit, which Ferry does not replay`);
  const changes = await changedEntries(git, parents[0], commit);
  const theirs = await entriesAt(
    git,
    base,
    changes.map((c) => c.path),
  );
  for (const c of changes) {
    const now = theirs.get(c.path) ?? '';
    if (now !== c.before && now !== `${c.mode} ${c.oid}`)
      throw new CannotReplay(`origin changed ${c.path} too`);
  }
  const tree = await writeTreeIncremental(git, `${base}^{tree}`, changes);
  const message = commitMessage(raw);
  const author = commitIdentity(raw, 'author');
  const committer = commitIdentity(raw, 'committer');
  if (!author || !committer) throw new Error(`internal: commit ${commit} has no author or committer`);
  return commitTree(git, tree, [base], message, author, committer);
}

/** The paths `commit` changes against `parent`: their new entries, and the old ones as `mode oid`. */
async function changedEntries(
  git: GitCommandManager,
  parent: string,
  commit: string,
): Promise<(IndexEntry & { before: string })[]> {
  const out = await git.exec(['diff-tree', '-r', '-z', '--no-renames', parent, commit]);
  const fields = out.split('\0');
  const changes: (IndexEntry & { before: string })[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    // ":<old mode> <new mode> <old oid> <new oid> <status>" NUL "<path>"
    const [oldMode, newMode, oldOid, newOid] = fields[i].slice(1).split(' ');
    const deleted = /^0+$/.test(newOid);
    changes.push({
      path: fields[i + 1],
      mode: newMode,
      oid: deleted ? '' : newOid,
      before: /^0+$/.test(oldOid) ? '' : `${oldMode} ${oldOid}`,
    });
  }
  return changes;
}

/** `mode oid` of each path in `rev` (absent paths are left out). */
async function entriesAt(git: GitCommandManager, rev: string, paths: string[]): Promise<Map<string, string>> {
  const out = await git.exec(['ls-tree', '-r', '-z', '--full-tree', rev, '--', ...paths], {
    env: { GIT_LITERAL_PATHSPECS: '1' },
  });
  const m = new Map<string, string>();
  for (const rec of out.split('\0').filter(Boolean)) {
    // "<mode> SP <type> SP <oid> TAB <path>"
    const tab = rec.indexOf('\t');
    const [mode, , oid] = rec.slice(0, tab).split(' ');
    m.set(rec.slice(tab + 1), `${mode} ${oid}`);
  }
  return m;
}

/** Why the push failed, for the check's message. */
export function pushFailureMessage(e: unknown): string {
  if (e instanceof CannotReplay)
    return `push rejected: origin moved and ${e.message}; fetch, rebase and run again`;
  return `push failed: ${errorMessage(e)}`;
}
