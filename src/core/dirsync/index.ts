/**
 * dirsync: incremental two-way directory sync with a state file and conflict detection.
 *
 *   sync(opts)      both ways
 *   syncDown(opts)  A → B only (the seed's pre-step pull from the shared drive to staging)
 *   syncUp(opts)    B → A only (the post-step push back)
 *
 * Each returns the shared TargetResult (kind 'dirsync'). The steps: check both roots, load the
 * state, scan both sides, refuse a side that looks wiped, hash what stat cannot decide, plan
 * (pure), execute, then save the state for what was actually synced.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { globSetMatcher, GlobSyntaxError } from '../allowlist/glob.js';
import { ConfigurationError } from '../errors.js';
import { silentLogger } from '../logger.js';
import { failResult, newResult, type TargetResult } from '../report/result.js';
import { executePlan, type Applied } from './execute.js';
import { checkRoot, wipeCheck } from './guard.js';
import { fillHashes } from './hash.js';
import { planSync } from './plan.js';
import { throttledProgress } from './progress.js';
import { actionDirection, fillResult, updateState } from './report.js';
import { scanTree } from './scan.js';
import { defaultStatePath, loadState, logPathFor, saveState } from './state.js';
import { hashRequests } from './status.js';
import { SyncLog } from './sync-log.js';
import {
  CONFLICT_POLICIES,
  DEFAULT_IGNORES,
  DIRECTIONS,
  RACY_WINDOW_MS,
  type DirsyncOptions,
  type ScanError,
  type ScanResult,
  type Side,
} from './types.js';

export * from './types.js';
export { planSync, conflictName, type Action, type Conflict, type Plan } from './plan.js';
export { formatProgress } from './progress.js';

const DIRECTION_OF = { both: 'bidirectional', 'a-to-b': 'pull', 'b-to-a': 'push' } as const;

/** Ignore globs: defaults + the user's + the state and log files when they sit inside a root. */
export function buildIgnore(opts: DirsyncOptions, files: string[]): (rel: string) => boolean {
  const globs = [...(opts.noDefaultIgnores ? [] : DEFAULT_IGNORES)];
  for (const g of opts.ignore ?? []) {
    try {
      globSetMatcher([g]);
    } catch (e) {
      const fix = e instanceof GlobSyntaxError ? ` (${e.fix})` : '';
      throw new ConfigurationError(`Invalid --ignore glob '${g}': ${(e as Error).message}${fix}`);
    }
    globs.push(g);
  }
  const own = new Set<string>();
  for (const root of [opts.a, opts.b])
    for (const f of files) {
      const rel = path.relative(path.resolve(root), f);
      if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) own.add(rel.split(path.sep).join('/'));
    }
  const match = globSetMatcher(globs);
  return (rel) => own.has(rel) || match(rel);
}

function validate(opts: DirsyncOptions): void {
  if (!opts.a || !opts.b) throw new ConfigurationError('dirsync needs two directories, A and B.');
  if (opts.direction && !DIRECTIONS.includes(opts.direction))
    throw new ConfigurationError(
      `Invalid direction '${opts.direction}'. Expected one of: ${DIRECTIONS.join(', ')}.`,
    );
  if (opts.conflict && !CONFLICT_POLICIES.includes(opts.conflict))
    throw new ConfigurationError(
      `Invalid conflict policy '${opts.conflict}'. Expected one of: ${CONFLICT_POLICIES.join(', ')}.`,
    );
  const a = path.resolve(opts.a);
  const b = path.resolve(opts.b);
  const inside = (x: string, y: string) => x === y || x.startsWith(y + path.sep);
  if (inside(a, b) || inside(b, a))
    throw new ConfigurationError(`A (${a}) and B (${b}) overlap: name two separate directory trees.`);
}

export async function sync(opts: DirsyncOptions): Promise<TargetResult> {
  validate(opts);
  const t0 = performance.now();
  const a = path.resolve(opts.a);
  const b = path.resolve(opts.b);
  const roots: Record<Side, string> = { a, b };
  const direction = opts.direction ?? 'both';
  const policy = opts.conflict ?? 'keep-both';
  const dryRun = opts.dryRun ?? false;
  const logger = opts.logger ?? silentLogger;
  const now = opts.now ?? (() => new Date());
  const statePath = path.resolve(opts.state ?? defaultStatePath(b));
  const logPath = logPathFor(statePath);
  const result = newResult(opts.target ?? `${a} <-> ${b}`, 'dirsync', dryRun);
  result.direction = DIRECTION_OF[direction];
  const finish = (r: TargetResult) => {
    r.durationMs = Math.round(performance.now() - t0);
    return r;
  };
  const baseDetails = { a, b, state: statePath, log: logPath, direction, conflictPolicy: policy };
  result.details = baseDetails;

  for (const side of ['a', 'b'] as const) {
    const bad = checkRoot(side, roots[side]);
    if (!bad) continue;
    if (bad.code === 'dirsync-side-missing' && opts.force && !dryRun && !fs.existsSync(roots[side])) {
      fs.mkdirSync(roots[side], { recursive: true });
      logger.warning(`created ${roots[side]} (--force)`);
      continue;
    }
    return finish(failResult(result, bad.message, [bad]));
  }

  const ignore = buildIgnore(opts, [statePath, logPath]);
  const { state, discarded } = await loadState(statePath, a, b, logger);
  const firstSync = state.size === 0;
  const racyCutoffMs = Date.now() - RACY_WINDOW_MS;
  const progress = throttledProgress(opts.onProgress, opts.progressIntervalMs ?? 1000);
  const scans = {} as Record<Side, ScanResult>;
  let scannedBefore = 0;
  for (const side of ['a', 'b'] as const) {
    try {
      scans[side] = scanTree(roots[side], {
        side,
        ignore,
        faults: opts.faults,
        onCount: (n) => {
          progress.counters.scanned = scannedBefore + n;
          progress.tick();
        },
      });
    } catch (e) {
      const f = {
        severity: 'error' as const,
        code: 'dirsync-side-unreadable',
        message: `Side ${side} (${roots[side]}) could not be read: ${(e as Error).message}. Nothing was synced.`,
      };
      return finish(failResult(result, f.message, [f]));
    }
    scannedBefore = progress.counters.scanned;
  }
  if (!dryRun)
    for (const side of ['a', 'b'] as const)
      for (const t of scans[side].staleTemps) fs.rmSync(`${roots[side]}/${t}`, { force: true });

  if (!opts.force) {
    for (const side of ['a', 'b'] as const) {
      const wiped = wipeCheck(
        side,
        roots[side],
        scans[side].entries,
        state,
        opts.wipeThreshold ?? 0.5,
        opts.wipeMinFiles ?? 20,
      );
      if (wiped) return finish(failResult(result, wiped.message, [wiped]));
    }
  }

  const entries = { a: scans.a.entries, b: scans.b.entries };
  const errors: Record<Side, ScanError[]> = { a: scans.a.errors, b: scans.b.errors };
  const requests = hashRequests(entries.a, entries.b, state);
  progress.counters.phase = 'hash';
  await fillHashes(requests, roots, entries, errors, opts.faults, () => {
    progress.counters.hashed++;
    progress.tick();
  });

  const plan = planSync({
    a: entries.a,
    b: entries.b,
    state,
    direction,
    policy,
    now: now(),
    errorsA: new Set(errors.a.map((e) => e.path)),
    errorsB: new Set(errors.b.map((e) => e.path)),
  });

  let applied: Applied[] | undefined;
  if (!dryRun) {
    const log = new SyncLog(
      plan.actions.length || plan.conflicts.length || errors.a.length || errors.b.length
        ? logPath
        : undefined,
      now,
    );
    for (const c of plan.conflicts)
      log.write({
        op: 'conflict',
        path: c.path,
        why: c.message,
        reason: c.reason,
        resolution: c.resolution,
        conflictCopy: c.conflictCopy,
      });
    progress.counters.phase = 'sync';
    applied = await executePlan(plan.actions, {
      roots,
      concurrency: opts.concurrency ?? 16,
      racyCutoffMs,
      faults: opts.faults,
      onApplied: (r) => {
        const x = r.action;
        if (r.ok && x.op === 'copy') {
          progress.counters.copied++;
          progress.counters.bytes += r.bytes;
        } else if (r.ok && x.op === 'delete') progress.counters.deleted++;
        log.write({
          op: x.op,
          path: x.path,
          direction: actionDirection(x) as never,
          why: x.why,
          ok: r.ok,
          bytes: r.bytes || undefined,
          error: r.error?.message,
        });
        progress.tick();
      },
    });
    for (const side of ['a', 'b'] as const)
      for (const e of errors[side])
        log.write({ op: 'error', path: e.path, direction: side, why: e.message, ok: false, error: e.code });
    log.flush();
    // 'record' actions change no file: they only bring the state up to date.
    for (const x of plan.actions) if (x.op === 'record') applied.push({ action: x, ok: true, bytes: 0 });
    if (updateState(state, applied, racyCutoffMs)) await saveState(statePath, state, a, b, now());
  }
  progress.done();

  fillResult({
    result,
    plan,
    applied,
    scanErrors: errors,
    scanned: { a: entries.a.size, b: entries.b.size },
    hashed: requests.length,
    details: { ...baseDetails, firstSync, stateDiscarded: discarded ?? null },
  });
  if (result.counts.errors)
    logger.warning(`dirsync: ${result.counts.errors} path(s) could not be synced; see the findings`);
  return finish(result);
}

/** A → B only: the pre-step pull (A is the shared side, B the local one). */
export function syncDown(opts: Omit<DirsyncOptions, 'direction'>): Promise<TargetResult> {
  return sync({ ...opts, direction: 'a-to-b' });
}

/** B → A only: the post-step push. */
export function syncUp(opts: Omit<DirsyncOptions, 'direction'>): Promise<TargetResult> {
  return sync({ ...opts, direction: 'b-to-a' });
}
