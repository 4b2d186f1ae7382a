/** Plan + what was applied → the shared TargetResult, and the state updates for what was synced. */
import type { PathChange, ResultOf } from '../report/result.js';

type TargetResult = ResultOf<'dirsync'>;
import type { Applied } from './execute.js';
import type { Action, Plan } from './plan.js';
import type { ScanError, Side, State, StateEntry } from './types.js';

/** Actions listed in details.actions; counts always cover all of them. */
export const MAX_LISTED_ACTIONS = 1000;

export interface ActionRow {
  op: Action['op'];
  path: string;
  /** 'a->b' for copies, the side for deletes, mkdirs and renames. */
  direction?: string;
  to?: string;
  why: string;
  ok: boolean;
  error?: string;
}

export function actionDirection(x: Action): string | undefined {
  if (x.op === 'copy') return `${x.from}->${x.to}`;
  if (x.op === 'record') return undefined;
  return x.side;
}

export function actionRow(x: Action, ok: boolean, error?: string): ActionRow {
  const row: ActionRow = { op: x.op, path: x.path, why: x.why, ok };
  const d = actionDirection(x);
  if (d) row.direction = d;
  if (x.op === 'rename') row.to = x.to;
  if (error) row.error = error;
  return row;
}

/** Apply the successful actions to the state. Returns the paths whose entry was set or deleted. */
export function updateState(state: State, applied: readonly Applied[], racyCutoffMs: number): Set<string> {
  const touched = new Set<string>();
  for (const r of applied) {
    if (!r.ok) continue;
    const x = r.action;
    if (x.op === 'copy' && r.dest) {
      const e = x.entry;
      const s: StateEntry = { type: e.type, size: e.size, mode: e.mode, mtimeA: 0, mtimeB: 0 };
      const hash = r.hash ?? e.hash;
      if (hash) s.hash = hash;
      if (e.target !== undefined) s.target = e.target;
      if (e.type === 'file' && (e.mtimeMs >= racyCutoffMs || r.dest.mtimeMs >= racyCutoffMs)) s.racy = true;
      if (x.from === 'a') [s.mtimeA, s.mtimeB] = [e.mtimeMs, r.dest.mtimeMs];
      else [s.mtimeA, s.mtimeB] = [r.dest.mtimeMs, e.mtimeMs];
      state.set(x.path, s);
      touched.add(x.path);
    } else if (x.op === 'mkdir') {
      state.set(x.path, { type: 'dir', size: 0, mode: x.src.mode, mtimeA: 0, mtimeB: 0 });
      touched.add(x.path);
    } else if (x.op === 'delete') {
      if (state.delete(x.path)) touched.add(x.path);
    } else if (x.op === 'record') {
      if (x.a && x.b) {
        const s: StateEntry = {
          type: x.a.type,
          size: x.a.size,
          mode: x.a.mode,
          mtimeA: x.a.mtimeMs,
          mtimeB: x.b.mtimeMs,
        };
        const h = x.a.hash ?? x.b.hash;
        if (h) s.hash = h;
        if (x.a.target !== undefined) s.target = x.a.target;
        if (x.a.type === 'file' && (x.a.mtimeMs >= racyCutoffMs || x.b.mtimeMs >= racyCutoffMs))
          s.racy = true;
        state.set(x.path, s);
      } else state.delete(x.path);
      touched.add(x.path);
    }
  }
  return touched;
}

function pathChange(x: Action): PathChange | undefined {
  if (x.op === 'copy')
    return { path: x.path, change: x.overwrite ? 'modified' : 'added', bytes: x.entry.size };
  if (x.op === 'mkdir') return { path: x.path + '/', change: 'added' };
  if (x.op === 'delete')
    return { path: x.entry.type === 'dir' ? x.path + '/' : x.path, change: 'deleted', bytes: x.entry.size };
  return undefined;
}

export interface ResultInput {
  result: TargetResult;
  plan: Plan;
  /** Undefined in a dry run. */
  applied?: readonly Applied[];
  scanErrors: Record<Side, ScanError[]>;
  scanned: Record<Side, number>;
  hashed: number;
  details: Record<string, unknown>;
}

export function fillResult(inp: ResultInput): TargetResult {
  const { result: r, plan } = inp;
  const done = inp.applied ?? plan.actions.map((action) => ({ action, ok: true, bytes: 0 }) as Applied);
  const ok = done.filter((d) => d.ok);
  const failed = done.filter((d) => !d.ok);
  const count = (pred: (x: Action) => boolean) => ok.filter((d) => pred(d.action)).length;
  const bytes = ok.reduce((s, d) => s + (d.action.op === 'copy' ? d.action.entry.size : 0), 0);
  r.counts = {
    scannedA: inp.scanned.a,
    scannedB: inp.scanned.b,
    hashed: inp.hashed,
    copied: count((x) => x.op === 'copy'),
    copiedToA: count((x) => x.op === 'copy' && x.to === 'a'),
    copiedToB: count((x) => x.op === 'copy' && x.to === 'b'),
    deleted: count((x) => x.op === 'delete'),
    deletedA: count((x) => x.op === 'delete' && x.side === 'a'),
    deletedB: count((x) => x.op === 'delete' && x.side === 'b'),
    dirsCreated: count((x) => x.op === 'mkdir'),
    bytes,
    conflicts: plan.conflicts.length,
    heldBack: plan.heldBack,
    errors: failed.length + inp.scanErrors.a.length + inp.scanErrors.b.length,
  };
  r.changes = ok.map((d) => pathChange(d.action)).filter((c): c is PathChange => c !== undefined);
  r.changed = r.changes.length > 0 || plan.conflicts.some((c) => c.resolution !== 'skipped');
  for (const c of plan.conflicts)
    r.findings.push({
      severity: c.resolution === 'skipped' ? 'error' : 'warning',
      code: 'dirsync-conflict',
      message: c.message,
    });
  for (const side of ['a', 'b'] as const)
    for (const e of inp.scanErrors[side])
      r.findings.push({
        severity: 'error',
        code: 'dirsync-unreadable',
        message: `${side}:${e.path}: ${e.message} (${e.code}); left alone, the other paths were synced`,
      });
  for (const d of failed)
    r.findings.push({
      severity: 'error',
      code: 'dirsync-io-error',
      message: `${d.action.op} ${actionDirection(d.action) ?? ''} ${d.action.path}: ${d.error?.message}`,
    });
  r.success = !r.findings.some((f) => f.severity === 'error');
  const rows = done.filter((d) => d.action.op !== 'record');
  r.details = {
    ...inp.details,
    conflicts: plan.conflicts,
    actions: rows.slice(0, MAX_LISTED_ACTIONS).map((d) => actionRow(d.action, d.ok, d.error?.message)),
    actionsListed: Math.min(rows.length, MAX_LISTED_ACTIONS),
    actionsTotal: rows.length,
  };
  const c = r.counts;
  const parts = [
    `${c.copied} copied (${(c.bytes / 1048576).toFixed(1)} MiB)`,
    `${c.deleted} deleted`,
    `${c.conflicts} conflict${c.conflicts === 1 ? '' : 's'}`,
  ];
  if (c.errors) parts.push(`${c.errors} error${c.errors === 1 ? '' : 's'}`);
  if (c.heldBack) parts.push(`${c.heldBack} held back by direction`);
  r.message = `${r.dryRun ? 'dry run: would sync: ' : ''}${
    r.changed || c.errors || c.conflicts ? parts.join(', ') : 'already in sync'
  }`;
  return r;
}
