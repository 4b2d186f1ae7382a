/**
 * The one way Ferry pushes what it built: build on the target's tip, push a plain fast-forward,
 * and when the push is rejected because the target moved (transport.ts decides what "moved"
 * means: a stale client-side check, or a server that lost the race to a concurrent push), fetch
 * and build again on the new tip, with backoff. Nothing is pushed in a dry run or when a build
 * has nothing to push (no change, or findings that stop it).
 *
 * Every engine passes its build step: the export (snapshot and history), the wiki sync, the
 * mirror (several branches, one push per receiving side) and the runner's push of pull commits.
 * A build must be repeatable: it may run again on a moved tip, so its only side effects are new
 * objects in a scratch repository.
 */
import { RemoteError } from '../errors.js';
import type { Logger } from '../logger.js';
import { backoffDelay, sleep } from './retry.js';
import { workflowPermissionError, type PushResult } from './transport.js';

/** One ref to update on the remote. */
export interface RefUpdate {
  /** The destination ref, e.g. `refs/heads/main` (its push status is looked up by this name). */
  ref: string;
  /** What goes there: a commit id or a local ref. */
  from: string;
}

export interface Built<T> {
  /** What the caller keeps from this build; the last build's is returned. */
  value: T;
  /** The refs to push; none: nothing is pushed. */
  updates: readonly RefUpdate[];
}

export interface RebuildAndPushOptions<T> {
  /** The target in messages (a safe label, no credentials); per ref when refs go to different places. */
  label: string | ((ref: string) => string);
  /**
   * Fetch the target's current tip(s) and build on them. `moved` holds the refs that were
   * rejected because the target moved since the previous build (empty the first time).
   */
  build(attempt: number, moved: ReadonlySet<string>): Promise<Built<T>>;
  /** Push `updates` (plain fast-forwards unless the user named force). */
  push(updates: readonly RefUpdate[], built: T): Promise<PushResult>;
  dryRun?: boolean;
  /** How many times to rebuild on a moved target before giving up. */
  maxRetries: number;
  logger: Logger;
  /** First backoff delay (it doubles per attempt, with jitter), default 100 ms. */
  backoffBaseMs?: number;
  /** The error for a push refused because it touches workflow files (default: for `label`). */
  workflowError?: (ref: string) => RemoteError;
}

export interface PushOutcome<T> {
  /** The last build's value. */
  value: T;
  /** Builds made (1 + rebuilds). */
  attempts: number;
  /** Refs the remote now has as built (pushed, or already there). */
  pushed: string[];
  /**
   * Refs that were not pushed, each with the error that says why: refused for another reason
   * than a moved target, or still moving after the last retry.
   */
  refused: Map<string, RemoteError>;
  buildMs: number;
  pushMs: number;
}

export const DEFAULT_MAX_RETRIES = 5;

export async function rebuildAndPush<T>(o: RebuildAndPushOptions<T>): Promise<PushOutcome<T>> {
  const labelOf = (ref: string) => (typeof o.label === 'string' ? o.label : o.label(ref));
  const pushed: string[] = [];
  const refused = new Map<string, RemoteError>();
  let buildMs = 0;
  let pushMs = 0;
  let moved = new Set<string>();
  for (let attempt = 1; ; attempt++) {
    const t0 = performance.now();
    const built = await o.build(attempt, moved);
    buildMs += performance.now() - t0;
    const done = (): PushOutcome<T> => ({
      value: built.value,
      attempts: attempt,
      pushed,
      refused,
      buildMs,
      pushMs,
    });
    if (o.dryRun || built.updates.length === 0) return done();

    const t1 = performance.now();
    const res = await o.push(built.updates, built.value);
    pushMs += performance.now() - t1;
    moved = new Set();
    let why = '';
    for (const u of built.updates) {
      const st = res.refs.get(u.ref);
      if (st?.status === 'ok' || st?.status === 'up-to-date') pushed.push(u.ref);
      else if (st?.status === 'rejected-stale') {
        moved.add(u.ref);
        why ||= st.detail;
      } else if (st?.status === 'rejected-workflow')
        refused.set(u.ref, o.workflowError?.(u.ref) ?? workflowPermissionError(labelOf(u.ref)));
      else {
        const detail = st?.detail || res.stderr.trim().split('\n').pop() || 'unknown';
        refused.set(u.ref, new RemoteError(`The push to ${labelOf(u.ref)} was rejected: ${detail}.`));
      }
    }
    if (moved.size === 0) return done();
    if (attempt > o.maxRetries) {
      for (const ref of moved)
        refused.set(
          ref,
          new RemoteError(
            `The push to ${labelOf(ref)} was rejected ${attempt} times because the target kept moving. ` +
              `Serialise runs with a 'concurrency:' group, or raise max-retries.`,
          ),
        );
      return done();
    }
    const delay = backoffDelay(attempt, o.backoffBaseMs ?? 100, 1500);
    o.logger.info(
      `${labelOf([...moved][0])} moved meanwhile (attempt ${attempt}: ${why}); rebuilding on its new tip in ${delay} ms.`,
    );
    await sleep(delay);
  }
}

/** For engines that push one ref: the reason it was not pushed, thrown. */
export function throwIfRefused(outcome: PushOutcome<unknown>): void {
  const [first] = outcome.refused.values();
  if (first) throw first;
}
