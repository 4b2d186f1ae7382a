/**
 * Carry out a plan and record it: the sync log, the flush to disk, and the state, which is
 * updated only for what was actually synced and written only after the flush (flush.ts).
 */
import type { Plan } from './plan.js';
import type { ProgressTracker } from './progress.js';
import { executePlan, type Applied } from './execute.js';
import { Flusher } from './flush.js';
import { actionDirection, updateState } from './report.js';
import type { Settings } from './settings.js';
import { saveState } from './state.js';
import { SyncLog } from './sync-log.js';
import type { FaultHooks, ScanError, Side, State } from './types.js';

export interface ApplyInput {
  s: Settings;
  plan: Plan;
  /** The state the plan was made from; updated in place. */
  state: State;
  /** Journal lines the state file has (see saveState). */
  journalLines: number;
  /** The state was set aside (a side refilled): the file is rewritten even if nothing changed. */
  rewriteState: boolean;
  scanErrors: Record<Side, ScanError[]>;
  racyCutoffMs: number;
  copyThreads?: number;
  faults?: FaultHooks;
  progress: ProgressTracker;
  lap: (phase: string) => void;
}

export async function applyPlan(inp: ApplyInput): Promise<Applied[]> {
  const { s, plan, progress, lap } = inp;
  const { a, b } = s.roots;
  const log = openLog(inp);
  // What was written is made durable before the state says so (flush.ts).
  const flusher = new Flusher([a, b]);
  let applied: Applied[];
  try {
    progress.counters.phase = 'sync';
    applied = await executePlan(plan.actions, {
      roots: s.roots,
      copyThreads: inp.copyThreads,
      racyCutoffMs: inp.racyCutoffMs,
      faults: inp.faults,
      onWritten: (bytes) => flusher.copied(bytes),
      onApplied: (r) => {
        countProgress(progress.counters, r);
        if (r.ok && r.action.op !== 'copy') flusher.changed();
        logApplied(log, r);
        progress.tick();
      },
    });
    for (const side of ['a', 'b'] as const)
      for (const e of inp.scanErrors[side])
        log.write({ op: 'error', path: e.path, direction: side, why: e.message, ok: false, error: e.code });
  } finally {
    log.close();
  }
  lap('execute');
  // 'record' actions change no file: they only bring the state up to date.
  for (const x of plan.actions) if (x.op === 'record') applied.push({ action: x, ok: true, bytes: 0 });
  const touched = updateState(inp.state, applied, inp.racyCutoffMs);
  await flusher.finish();
  lap('flush');
  if (inp.rewriteState) await saveState(s.statePath, inp.state, a, b, s.now());
  else if (touched.size)
    await saveState(s.statePath, inp.state, a, b, s.now(), { touched, journalLines: inp.journalLines });
  lap('saveState');
  return applied;
}

/** The log, opened only when there is something to say; conflicts go first. */
function openLog({ s, plan, scanErrors }: ApplyInput): SyncLog {
  const anything = plan.actions.length || plan.conflicts.length || scanErrors.a.length || scanErrors.b.length;
  const log = new SyncLog(anything ? s.logPath : undefined, s.now);
  for (const c of plan.conflicts)
    log.write({
      op: 'conflict',
      path: c.path,
      why: c.message,
      reason: c.reason,
      resolution: c.resolution,
      conflictCopy: c.conflictCopy,
    });
  return log;
}

function logApplied(log: SyncLog, r: Applied): void {
  const x = r.action;
  log.write({
    op: x.op,
    path: x.path,
    direction: actionDirection(x) as never,
    why: x.why,
    ok: r.ok,
    bytes: r.bytes || undefined,
    error: r.error?.message,
  });
}

function countProgress(c: ProgressTracker['counters'], r: Applied): void {
  if (!r.ok) return;
  if (r.action.op === 'copy') {
    c.copied++;
    c.bytes += r.bytes;
  } else if (r.action.op === 'delete') c.deleted++;
}
