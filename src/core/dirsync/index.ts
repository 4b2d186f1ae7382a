/**
 * dirsync: incremental two-way directory sync with a state file and conflict detection.
 *
 *   sync(opts)      both ways
 *   syncDown(opts)  A → B only (the pre-step pull from the shared drive to staging)
 *   syncUp(opts)    B → A only (the post-step push back)
 *
 * Each returns the shared TargetResult (kind 'dirsync'). `sync` reads as its steps: settings,
 * both sides there (or created), the state and both scans, the base to compare with (refusing
 * a side that looks wiped), change detection, the plan (pure), then carrying it out and saving
 * the state for what was actually synced.
 */
import * as fs from 'node:fs';
import type { Finding } from '../report/result.js';
import { failResult, newResult, type ResultOf } from '../report/result.js';
import { applyPlan } from './apply.js';
import { checkRoot, refillNotice, wipedSides, wipeRefusal } from './guard.js';
import { fillHashes } from './hash.js';
import { threadCodec } from './names.js';
import { planSync } from './plan.js';
import { throttledProgress, type ProgressTracker } from './progress.js';
import { fillResult } from './report.js';
import { SideScans } from './scan-sides.js';
import { resolveSettings, type Settings } from './settings.js';
import { loadState, type LoadedState } from './state.js';
import { changedPaths, hashRequests } from './status.js';
import {
  RACY_WINDOW_MS,
  type DirsyncOptions,
  type Entry,
  type ScanError,
  type ScanResult,
  type Side,
} from './types.js';

type TargetResult = ResultOf<'dirsync'>;

export * from './types.js';
export { buildIgnore } from './settings.js';
export { planSync, conflictName, type Action, type Conflict, type Plan } from './plan.js';
export { formatProgress } from './progress.js';
export { printable } from './names.js';

const DIRECTION_OF = { both: 'bidirectional', 'a-to-b': 'pull', 'b-to-a': 'push' } as const;

export async function sync(opts: DirsyncOptions): Promise<TargetResult> {
  const s = resolveSettings(opts);
  const run = new Run(opts.target ?? `${s.roots.a} <-> ${s.roots.b}`, s);
  const sides = prepareSides(s);
  if ('refusal' in sides) return run.fail(sides.refusal);

  const progress = throttledProgress(opts.onProgress, opts.progressIntervalMs ?? 1000);
  const emptyForSure = s.dryRun ? sides.created : new Set<Side>();
  const scanning = new SideScans(
    s,
    { empty: emptyForSure, parallelScan: opts.parallelScan, faults: opts.faults },
    progress,
  );
  const loaded = await loadState(s.statePath, s.roots.a, s.roots.b, s.logger);
  run.lap('loadState');
  const racyCutoffMs = Date.now() - RACY_WINDOW_MS;
  const scanned = await scanning.finish(run.lap);
  if ('refusal' in scanned) return run.fail(scanned.refusal);
  const { scans } = scanned;
  removeStaleTemps(s, scans);
  const entries = { a: scans.a.entries, b: scans.b.entries };

  const base = chooseBase(s, sides.created, entries, loaded);
  if ('refusal' in base) return run.fail(base.refusal);
  run.result.findings.push(...base.notices);

  const firstSync = base.state.size === 0;
  const errors: Record<Side, ScanError[]> = { a: scans.a.errors, b: scans.b.errors };
  const changes = await detectChanges(s, entries, base.state, errors, opts, progress);
  run.lap('hash');
  const plan = planSync({
    a: entries.a,
    b: entries.b,
    state: base.state,
    direction: s.direction,
    policy: s.policy,
    now: s.now(),
    errorsA: new Set(errors.a.map((e) => e.path)),
    errorsB: new Set(errors.b.map((e) => e.path)),
    paths: changes.candidates,
  });
  run.lap('plan');

  const applied = s.dryRun
    ? undefined
    : await applyPlan({
        s,
        plan,
        state: base.state,
        journalLines: base.journalLines,
        rewriteState: base.refilled.length > 0,
        scanErrors: errors,
        racyCutoffMs,
        copyThreads: opts.copyThreads,
        faults: opts.faults,
        progress,
        lap: run.lap,
      });
  progress.done();

  fillResult({
    result: run.result,
    plan,
    applied,
    scanErrors: errors,
    scanned: { a: entries.a.size, b: entries.b.size },
    hashed: changes.hashed,
    details: {
      ...run.baseDetails,
      firstSync,
      stateDiscarded: base.discarded ?? null,
      refilled: base.refilled,
      parallelScan: scanning.parallel,
      phasesMs: run.phasesMs,
    },
  });
  if (run.result.counts.errors)
    s.logger.warning(`dirsync: ${run.result.counts.errors} path(s) could not be synced; see the findings`);
  return run.finish();
}

/** A → B only: the pre-step pull (A is the shared side, B the local one). */
export function syncDown(opts: Omit<DirsyncOptions, 'direction'>): Promise<TargetResult> {
  return sync({ ...opts, direction: 'a-to-b' });
}

/** B → A only: the post-step push. */
export function syncUp(opts: Omit<DirsyncOptions, 'direction'>): Promise<TargetResult> {
  return sync({ ...opts, direction: 'b-to-a' });
}

/** The result being built, and the wall time of each phase (details.phasesMs). */
class Run {
  readonly result: TargetResult;
  readonly baseDetails: Record<string, unknown>;
  readonly phasesMs: Record<string, number> = {};
  private readonly t0 = performance.now();
  private tLap = this.t0;

  constructor(target: string, s: Settings) {
    this.result = newResult(target, 'dirsync', s.dryRun);
    this.result.direction = DIRECTION_OF[s.direction];
    const { a, b } = s.roots;
    this.baseDetails = {
      a,
      b,
      state: s.statePath,
      log: s.logPath,
      direction: s.direction,
      conflictPolicy: s.policy,
    };
    this.result.details = this.baseDetails;
  }

  readonly lap = (phase: string): void => {
    const t = performance.now();
    this.phasesMs[phase] = Math.round(t - this.tLap);
    this.tLap = t;
  };

  /** A refusal: nothing was synced. */
  fail(f: Finding): TargetResult {
    failResult(this.result, f.message, [f]);
    return this.finish();
  }

  finish(): TargetResult {
    this.result.durationMs = Math.round(performance.now() - this.t0);
    return this.result;
  }
}

/** Both sides must be readable directories; a missing one is created when the user said so. */
function prepareSides(s: Settings): { created: Set<Side> } | { refusal: Finding } {
  const created = new Set<Side>();
  for (const side of ['a', 'b'] as const) {
    const bad = checkRoot(side, s);
    if (!bad) continue;
    const root = s.roots[side];
    // Only where nothing at all is (not a file, not a dangling link).
    const nothing = !fs.lstatSync(root, { throwIfNoEntry: false });
    if (bad.code !== 'dirsync-side-missing' || !s.createMissingSide || !nothing) return { refusal: bad };
    if (!s.dryRun) fs.mkdirSync(root, { recursive: true });
    created.add(side);
  }
  return { created };
}

/** A temp directory is a new directory a killed sync was building: all of it goes. */
function removeStaleTemps(s: Settings, scans: Record<Side, ScanResult>): void {
  if (s.dryRun) return;
  for (const side of ['a', 'b'] as const)
    for (const t of scans[side].staleTemps)
      fs.rmSync(threadCodec.fsPath(`${s.roots[side]}/${t}`), { force: true, recursive: true });
}

interface Base {
  state: LoadedState['state'];
  journalLines: number;
  discarded?: string;
  /** Sides filled from the other as on a first sync (create-missing-side). */
  refilled: Side[];
  notices: Finding[];
}

/**
 * What to compare the scans with: the state, unless a side is new (created, or wiped and the
 * user said it is new). Then the sides are unioned as on a first sync, which deletes nothing. A
 * side that looks wiped is refused unless the user made one of the two decisions (guard.ts).
 */
function chooseBase(
  s: Settings,
  created: ReadonlySet<Side>,
  entries: Record<Side, ReadonlyMap<string, Entry>>,
  loaded: LoadedState,
): Base | { refusal: Finding } {
  const refilled = [...created];
  const notices = refilled.map((side) => refillNotice(side, s, 'created'));
  for (const w of wipedSides(entries, loaded.state, s.wipeThreshold, s.wipeMinFiles)) {
    if (created.has(w.side)) continue;
    if (s.createMissingSide) {
      refilled.push(w.side);
      notices.push(refillNotice(w.side, s, w));
    } else if (!s.allowMassDelete) return { refusal: wipeRefusal(w, s) };
  }
  if (refilled.length === 0)
    return {
      state: loaded.state,
      journalLines: loaded.journalLines,
      discarded: loaded.discarded,
      refilled,
      notices,
    };
  return {
    // The state describes sides that are gone: the next save rewrites it whole.
    state: new Map(),
    journalLines: Number.POSITIVE_INFINITY,
    discarded: notices.map((n) => n.message).join(' '),
    refilled,
    notices,
  };
}

/** The paths that may need an action, with the hashes stat alone cannot decide filled in. */
async function detectChanges(
  s: Settings,
  entries: Record<Side, Map<string, Entry>>,
  state: LoadedState['state'],
  errors: Record<Side, ScanError[]>,
  opts: DirsyncOptions,
  progress: ProgressTracker,
): Promise<{ candidates: string[]; hashed: number }> {
  const candidates = changedPaths(entries.a, entries.b, state);
  const requests = hashRequests(entries.a, entries.b, state, candidates);
  progress.counters.phase = 'hash';
  await fillHashes(requests, s.roots, entries, errors, opts.faults, () => {
    progress.counters.hashed++;
    progress.tick();
  });
  return { candidates, hashed: requests.length };
}
