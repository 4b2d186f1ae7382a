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
import { compileGlob, globRegExp, GlobSyntaxError } from '../allowlist/glob.js';
import { ConfigurationError } from '../errors.js';
import { silentLogger } from '../logger.js';
import { failResult, newResult, type TargetResult } from '../report/result.js';
import { executePlan, type Applied } from './execute.js';
import { checkRoot, wipeChecks } from './guard.js';
import { Flusher } from './flush.js';
import { fillHashes } from './hash.js';
import { planSync } from './plan.js';
import { throttledProgress } from './progress.js';
import { actionDirection, fillResult, updateState } from './report.js';
import { ignorePredicate, mergeScan, scanTree, splitTopLevel, type IgnoreSpec } from './scan.js';
import { scanTreeInWorker } from './scan-worker.js';
import { defaultStatePath, loadState, logPathFor, saveState } from './state.js';
import { changedPaths, hashRequests } from './status.js';
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
export function buildIgnore(opts: DirsyncOptions, files: string[]): IgnoreSpec {
  const globs = [...(opts.noDefaultIgnores ? [] : DEFAULT_IGNORES)];
  for (const g of opts.ignore ?? []) {
    try {
      compileGlob(g);
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
  // The same regex globSetMatcher builds, as data a scan thread can rebuild.
  const re = globs.length ? globRegExp(globs.map((g) => compileGlob(g).regexSource).join('|')) : null;
  return { source: re ? re.source : null, flags: re ? re.flags : '', exact: [...own] };
}

/** A thread for side B pays off from a few thousand paths (~30 ms to start one). */
const PARALLEL_SCAN_MIN_STATE_BYTES = 64 * 1024;

function parallelScanByDefault(statePath: string): boolean {
  const st = fs.statSync(statePath, { throwIfNoEntry: false });
  // No state: a first sync, whose size is unknown; scanning in parallel costs little.
  return !st || st.size >= PARALLEL_SCAN_MIN_STATE_BYTES;
}

/** Nothing in `dir` but what the walk ignores (the state and log files may sit there). */
function isEmptyDir(dir: string, ignore: IgnoreSpec): boolean {
  const ignored = ignorePredicate(ignore);
  try {
    return fs.readdirSync(dir).every((n) => ignored(n));
  } catch {
    return false;
  }
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
  // Per-phase wall times, reported in details.phasesMs (where a slow sync spends its time).
  const phasesMs: Record<string, number> = {};
  let tLap = t0;
  const lap = (phase: string) => {
    const t = performance.now();
    phasesMs[phase] = Math.round(t - tLap);
    tLap = t;
  };
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
  // Side B is walked in a thread while this one loads the state and walks side A. Fault hooks
  // are functions, which cannot cross into a thread: with hooks both sides are walked here.
  const parallel = !opts.faults && (opts.parallelScan ?? parallelScanByDefault(statePath));
  // Into an empty B (a first full sync), the thread takes half of A's top-level directories
  // instead: B needs no walk worth a thread.
  const shareA = parallel && isEmptyDir(b, ignore) ? splitTopLevel(a, ignore) : undefined;
  const pendingB = parallel && !shareA ? scanTreeInWorker(b, 'b', ignore) : undefined;
  const pendingA = shareA ? scanTreeInWorker(a, 'a', ignore, { starts: shareA }) : undefined;
  // Awaited below; never an unhandled rejection meanwhile.
  pendingB?.catch(() => undefined);
  pendingA?.catch(() => undefined);
  const { state, discarded, journalLines } = await loadState(statePath, a, b, logger);
  lap('loadState');
  const firstSync = state.size === 0;
  const racyCutoffMs = Date.now() - RACY_WINDOW_MS;
  const progress = throttledProgress(opts.onProgress, opts.progressIntervalMs ?? 1000);
  const scans = {} as Record<Side, ScanResult>;
  let scannedBefore = 0;
  for (const side of ['a', 'b'] as const) {
    try {
      if (side === 'b' && pendingB) {
        scans.b = await pendingB;
        progress.counters.scanned = scannedBefore + scans.b.entries.size;
        progress.tick();
      } else
        scans[side] = scanTree(roots[side], {
          side,
          ignore,
          faults: opts.faults,
          onCount: (n) => {
            progress.counters.scanned = scannedBefore + n;
            progress.tick();
          },
          ...(side === 'a' && shareA ? { part: { leave: shareA } } : {}),
        });
      if (side === 'a' && pendingA) {
        scans.a = mergeScan(scans.a, await pendingA);
        progress.counters.scanned = scans.a.entries.size;
      }
    } catch (e) {
      const f = {
        severity: 'error' as const,
        code: 'dirsync-side-unreadable',
        message: `Side ${side} (${roots[side]}) could not be read: ${(e as Error).message}. Nothing was synced.`,
      };
      // Let the threads finish first.
      await Promise.all([pendingA?.catch(() => undefined), pendingB?.catch(() => undefined)]);
      return finish(failResult(result, f.message, [f]));
    }
    scannedBefore = progress.counters.scanned;
    lap(side === 'a' ? 'scanA' : 'scanB');
  }
  if (!dryRun)
    for (const side of ['a', 'b'] as const)
      // A temp directory is a new directory a killed sync was building: all of it goes.
      for (const t of scans[side].staleTemps)
        fs.rmSync(`${roots[side]}/${t}`, { force: true, recursive: true });

  const entries = { a: scans.a.entries, b: scans.b.entries };
  if (!opts.force) {
    const wiped = wipeChecks(roots, entries, state, opts.wipeThreshold ?? 0.5, opts.wipeMinFiles ?? 20);
    if (wiped) return finish(failResult(result, wiped.message, [wiped]));
  }

  const errors: Record<Side, ScanError[]> = { a: scans.a.errors, b: scans.b.errors };
  const candidates = changedPaths(entries.a, entries.b, state);
  const requests = hashRequests(entries.a, entries.b, state, candidates);
  progress.counters.phase = 'hash';
  await fillHashes(requests, roots, entries, errors, opts.faults, () => {
    progress.counters.hashed++;
    progress.tick();
  });

  lap('hash');
  const plan = planSync({
    a: entries.a,
    b: entries.b,
    state,
    direction,
    policy,
    now: now(),
    errorsA: new Set(errors.a.map((e) => e.path)),
    errorsB: new Set(errors.b.map((e) => e.path)),
    paths: candidates,
  });
  lap('plan');

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
    // What was written is made durable before the state says so (flush.ts).
    const flusher = new Flusher([a, b]);
    applied = await executePlan(plan.actions, {
      roots,
      copyThreads: opts.copyThreads,
      racyCutoffMs,
      faults: opts.faults,
      onWritten: (bytes) => flusher.copied(bytes),
      onApplied: (r) => {
        const x = r.action;
        if (r.ok && x.op === 'copy') {
          progress.counters.copied++;
          progress.counters.bytes += r.bytes;
        } else if (r.ok && x.op === 'delete') progress.counters.deleted++;
        if (r.ok && x.op !== 'copy') flusher.changed();
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
    lap('execute');
    // 'record' actions change no file: they only bring the state up to date.
    for (const x of plan.actions) if (x.op === 'record') applied.push({ action: x, ok: true, bytes: 0 });
    const touched = updateState(state, applied, racyCutoffMs);
    await flusher.finish();
    lap('flush');
    if (touched.size) await saveState(statePath, state, a, b, now(), { touched, journalLines });
    lap('saveState');
  }
  progress.done();

  fillResult({
    result,
    plan,
    applied,
    scanErrors: errors,
    scanned: { a: entries.a.size, b: entries.b.size },
    hashed: requests.length,
    details: {
      ...baseDetails,
      firstSync,
      stateDiscarded: discarded ?? null,
      parallelScan: parallel,
      phasesMs,
    },
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
