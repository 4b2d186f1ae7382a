import { RemoteError } from '../errors.js';
import { backoffDelay, sleep } from '../git/retry.js';
import type { PushResult } from '../git/transport.js';
import type { Logger } from '../logger.js';
import { hasErrors } from '../report/result.js';
import type { BuildFn, BuildOutcome, ExportBuildContext } from './types.js';

/**
 * Build on the target tip, push a plain fast-forward, and when the push is rejected because the
 * target moved, fetch the new tip and build again, with backoff. Nothing is pushed when a build
 * returns error findings, makes no change, or in a dry run.
 */
export interface TargetIo {
  /** Fetch the target branch into the scratch repo; its tip, or undefined when it does not exist. */
  fetchTip(): Promise<string | undefined>;
  /** Push `commit` to the branch; `seenTip` is the tip it was built on (the lease for force). */
  push(commit: string, seenTip: string | undefined): Promise<PushResult>;
  /** Throws the error that explains a push refused for workflow files. */
  workflowError(): Error;
}

export interface PushLoopResult {
  outcome: BuildOutcome;
  /** The target tip the final build was made on. */
  baseTip?: string;
  pushed: boolean;
  attempts: number;
  buildMs: number;
  pushMs: number;
}

/**
 * A rejection because the ref moved. Besides `fetch first`/`non-fast-forward` (transport's
 * rejected-stale), the server may lose the race inside receive-pack and answer
 * `[remote rejected] (failed to update ref)` / `cannot lock ref ... but expected ...`.
 */
export function targetMoved(r: { status: string; detail: string }): boolean {
  if (r.status === 'rejected-stale') return true;
  return (
    r.status === 'rejected-other' &&
    /failed to (update|lock) ref|cannot lock ref|but expected|incorrect old value|stale info/i.test(r.detail)
  );
}

export async function runPushLoop(
  ctx: ExportBuildContext,
  build: BuildFn,
  io: TargetIo,
  opts: { dryRun: boolean; maxRetries: number; logger: Logger; backoffBaseMs?: number },
): Promise<PushLoopResult> {
  let buildMs = 0;
  let pushMs = 0;
  for (let attempt = 1; ; attempt++) {
    const baseTip = await io.fetchTip();
    const t0 = performance.now();
    const outcome = await build(ctx, baseTip);
    buildMs += performance.now() - t0;
    const done = (pushed: boolean): PushLoopResult => ({
      outcome,
      baseTip,
      pushed,
      attempts: attempt,
      buildMs,
      pushMs,
    });
    if (hasErrors(outcome.findings) || !outcome.tip || opts.dryRun) return done(false);
    const t1 = performance.now();
    const res = await io.push(outcome.tip, baseTip);
    pushMs += performance.now() - t1;
    if (res.ok) return done(true);
    const statuses = [...res.refs.values()];
    if (statuses.some((r) => r.status === 'rejected-workflow')) throw io.workflowError();
    if (!statuses.some(targetMoved)) {
      const detail =
        statuses.map((r) => r.detail).join('; ') || res.stderr.trim().split('\n').pop() || 'unknown';
      throw new RemoteError(`The push to ${ctx.targetLabel} was rejected: ${detail}.`);
    }
    if (attempt > opts.maxRetries) {
      throw new RemoteError(
        `The push to ${ctx.targetLabel} was rejected ${attempt} times because the target kept moving. ` +
          `Serialise runs with a 'concurrency:' group, or raise max-retries.`,
      );
    }
    const delay = backoffDelay(attempt, opts.backoffBaseMs ?? 100, 1500);
    opts.logger.info(
      `The target moved during the export (attempt ${attempt}); rebuilding on the new tip in ${delay} ms.`,
    );
    await sleep(delay);
  }
}
