/**
 * Gets a push's objects into a push repository, fetching about what the push adds and no more.
 *
 * One push repository per receiving side X (the giver is the other side, Y):
 * 1. the commits of X the push builds on (its tip for a fast-forward; the boundary of the new
 *    commits when they merge older history), fetched from X shallow and without blobs
 *    (`--depth`, `--filter=blob:none`): trees only, so git can tell what X already has;
 * 2. Y's tip with everything in it, negotiating with those commits only (`--negotiation-tip`):
 *    Y's server sends what X lacks. When Y sends a thin pack whose delta bases are blobs of X's
 *    commits, git fetches those bases from Y, which has them (`promisor`, for that one command);
 * 3. a plain push, which sends exactly the objects X lacks.
 * A local side is never fetched from (alternates), and when the giver is local nothing is.
 */
import type { Logger } from '../logger.js';
import type { GitCommandManager } from '../git/git-command-manager.js';
import { missingObjects } from './history.js';
import type { MirrorRemote } from './side.js';

/** One ref update on the receiving side, with what the analysis learnt about it. */
export interface PushPlan {
  /** The destination ref on the receiver, e.g. `refs/heads/main`. */
  ref: string;
  receiver: MirrorRemote;
  giver: MirrorRemote;
  /** The object the ref gets (a commit, or a tag for tags), as the giver has it. */
  want: string;
  /** Commits the receiver holds that the push builds on (its tips). */
  bases: readonly string[];
  /** Commits of the receiver that must be present: they bound the commits the push adds. */
  cover: readonly string[];
  /** Fetch depth from `bases` that includes `cover` (undefined: unknown, deepen until it does). */
  depth: number | undefined;
}

const MAX_DEEPEN_ROUNDS = 12;

/** Fetch what `plans` (all to one receiver) need into `repo`, the receiver's push repository. */
export async function prepareTransfer(
  repo: GitCommandManager,
  plans: readonly PushPlan[],
  logger: Logger,
): Promise<void> {
  if (plans.length === 0) return;
  const { receiver, giver } = plans[0];
  if (giver.local) return; // every object is visible through alternates
  const bases = [...new Set(plans.flatMap((p) => p.bases))];
  if (!receiver.local && bases.length > 0) await fetchBases(repo, plans, bases, logger);
  // No bases (the receiver has none of the mirrored branches): offer nothing, take everything.
  await giver.fetch(
    repo,
    plans.map((p) => p.want),
    { filter: false, promisor: true, negotiationTips: bases },
  );
}

/** The receiver's commits the push builds on, with trees and without blobs, deep enough. */
async function fetchBases(
  repo: GitCommandManager,
  plans: readonly PushPlan[],
  bases: string[],
  logger: Logger,
): Promise<void> {
  const receiver = plans[0].receiver;
  const known = plans.map((p) => p.depth);
  let depth = known.includes(undefined) ? 1 : Math.max(1, ...(known as number[]));
  const need = [...new Set([...bases, ...plans.flatMap((p) => p.cover)])];
  if ((await missingObjects(repo, need)).length === 0) return; // here from an earlier round
  await receiver.fetch(repo, bases, { depth, filter: 'blob:none', promisor: true });
  for (let round = 0; round < MAX_DEEPEN_ROUNDS; round++) {
    const lacking = await missingObjects(repo, need);
    if (lacking.length === 0) return;
    logger.info(
      `Deepening ${receiver.label} by ${depth} commits to reach ${lacking.length} merged commit(s).`,
    );
    await receiver.fetch(repo, bases, { deepen: depth, filter: 'blob:none', promisor: true });
    depth *= 2;
  }
}
