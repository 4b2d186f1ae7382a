/**
 * Carry out a dirsync plan. Side effects live here and only here.
 *
 * Phases: conflict renames, deletions (files, then directories deepest first), directories
 * (shallowest first), copies (copy-pool.ts: this thread, or worker threads when asked), then the
 * renames of new directories into place. Every file or link is written to a temp file beside its
 * target and renamed into place, or into a new directory built under a temp name and renamed
 * into place whole, so a killed sync never leaves half a file under a real name. Before anything
 * is replaced or deleted it is checked against the scan: a path that changed meanwhile is left
 * alone and reported, and the next sync picks it up.
 *
 * All calls are synchronous: each is a few microseconds of kernel time, and an awaited
 * fs.promises call costs more than that in thread-pool hops (measured: see copy-one.ts).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import type { CopyJob } from './copy-one.js';
import { runCopies } from './copy-pool.js';
import type { Action } from './plan.js';
import { errCode } from './scan.js';
import type { Entry, FaultHooks, Side } from './types.js';
import { TEMP_MARKER } from './types.js';

export interface Applied {
  action: Action;
  ok: boolean;
  error?: { code: string; message: string };
  /** The destination after the write (copy, mkdir), from lstat. */
  dest?: Entry;
  /** sha1 of what was written, for racy files (see StateEntry.racy). */
  hash?: string;
  bytes: number;
}

export interface ExecuteOptions {
  roots: Record<Side, string>;
  /** Copy threads (see copy-pool.ts); default: one per core up to 4 for big batches, else none. */
  copyThreads?: number;
  /** Files with an mtime at or after this are copied through a buffer and hashed on the way. */
  racyCutoffMs: number;
  faults?: FaultHooks;
  /** Each action's outcome, once it is final (a staged directory's files after its rename). */
  onApplied?: (a: Applied) => void;
  /** Each file copy that was written, as soon as it is (staged or not). */
  onWritten?: (bytes: number) => void;
}

class SyncError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const depth = (p: string) => p.split('/').length;

/** A new directory being built under a temp name (see the mkdir phase). */
interface Stage {
  side: Side;
  path: string;
  /** `dir/.name.ferry-tmp-PID-HEX`, beside the target. */
  tmpRel: string;
  mkdir: Extract<Action, { op: 'mkdir' }>;
  /** Outcomes inside it, recorded once it is renamed into place (or has failed). */
  done: Applied[];
}
const STAGED = Symbol('staged');

function lstatEntry(abs: string): Entry | undefined {
  const st = fs.lstatSync(abs, { throwIfNoEntry: false });
  if (!st) return undefined;
  const type = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : st.isFile() ? 'file' : undefined;
  if (!type) return undefined;
  const e: Entry = {
    type,
    size: type === 'dir' ? 0 : Number(st.size),
    mtimeMs: st.mtimeMs,
    mode: st.mode & 0o7777,
  };
  if (type === 'symlink') e.target = fs.readlinkSync(abs);
  return e;
}

/** Does the path still hold what the scan saw? (Files: type, size, mtime; links: target.) */
function unchangedSince(now: Entry | undefined, then: Entry | undefined): boolean {
  if (!now || !then) return now === then;
  if (now.type !== then.type) return false;
  if (now.type === 'dir') return true;
  if (now.type === 'symlink') return now.target === then.target;
  return now.size === then.size && now.mtimeMs === then.mtimeMs;
}

export async function executePlan(actions: readonly Action[], opts: ExecuteOptions): Promise<Applied[]> {
  const { roots } = opts;
  const applied: Applied[] = [];
  const verifiedDirs: Record<Side, Set<string>> = { a: new Set(), b: new Set() };
  const abs = (side: Side, rel: string) => `${roots[side]}/${rel}`;

  /** Create missing parents; refuse to go through anything that is not a real directory. */
  const ensureParents = (side: Side, rel: string) => {
    const parts = rel.split('/');
    let cur = '';
    for (let i = 0; i < parts.length - 1; i++) {
      cur = cur ? `${cur}/${parts[i]}` : parts[i];
      if (verifiedDirs[side].has(cur)) continue;
      const e = lstatEntry(abs(side, cur));
      if (!e) {
        try {
          fs.mkdirSync(abs(side, cur));
        } catch (err) {
          if (errCode(err) !== 'EEXIST') throw err;
        }
      } else if (e.type !== 'dir')
        throw new SyncError(
          'ENOTDIR',
          `${side}:${cur} is a ${e.type}, not a directory: not writing below it (links are never followed)`,
        );
      verifiedDirs[side].add(cur);
    }
  };

  const record = (a: Applied) => {
    applied.push(a);
    opts.onApplied?.(a);
  };

  const run = (action: Action, fn: () => { dest?: Entry; bytes?: number } | typeof STAGED | void) => {
    try {
      const r = fn() ?? {};
      if (r === STAGED) return; // recorded once the staged directory is in place
      record({ action, ok: true, dest: r.dest, bytes: r.bytes ?? 0 });
    } catch (err) {
      record({ action, ok: false, error: { code: errCode(err), message: (err as Error).message }, bytes: 0 });
    }
  };

  const replaceable = (side: Side, rel: string, expected: Entry | undefined) => {
    const now = lstatEntry(abs(side, rel));
    if (!unchangedSince(now, expected))
      throw new SyncError(
        'ECHANGED',
        `${side}:${rel} changed during the sync: left alone, the next sync will handle it`,
      );
    if (now?.type === 'dir' && expected) fs.rmdirSync(abs(side, rel));
    return now;
  };

  const byOp = <K extends Action['op']>(op: K) =>
    actions.filter((x): x is Extract<Action, { op: K }> => x.op === op);

  for (const x of byOp('rename')) {
    run(x, () => {
      const dst = abs(x.side, x.to);
      if (lstatEntry(dst)) throw new SyncError('EEXIST', `${x.side}:${x.to} already exists`);
      fs.renameSync(abs(x.side, x.path), dst);
    });
  }

  const deletes = byOp('delete');
  for (const x of deletes)
    if (x.entry.type !== 'dir')
      run(x, () => {
        replaceable(x.side, x.path, x.entry);
        fs.unlinkSync(abs(x.side, x.path));
        return { bytes: x.entry.size };
      });
  for (const x of deletes
    .filter((d) => d.entry.type === 'dir')
    .sort((p, q) => depth(q.path) - depth(p.path))) {
    run(x, () => {
      try {
        fs.rmdirSync(abs(x.side, x.path));
      } catch (err) {
        if (errCode(err) === 'ENOENT') return;
        if (errCode(err) === 'ENOTEMPTY')
          throw new SyncError(
            'ENOTEMPTY',
            `${x.side}:${x.path} still holds ignored or unreadable files: kept`,
          );
        throw err;
      }
    });
  }

  // A directory absent at scan time is built under a temp name beside its target and renamed
  // into place whole once its files are in: one rename per new directory instead of a temp
  // file + rename per file (measured: the per-file rename is most of a first sync's extra cost
  // over `cp -a`). A killed sync leaves only the temp directory, removed by the next sync.
  const stages = new Map<string, Stage>(); // `${side}:${path}` of the new directory → its stage
  const tmpTag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  let stageSeq = 0;
  /** The stage holding `rel` on `side` (its nearest staged ancestor), if any. */
  const stageOf = (side: Side, rel: string): Stage | undefined => {
    if (stages.size === 0) return undefined;
    for (let cut = rel.lastIndexOf('/'); cut > 0; cut = rel.lastIndexOf('/', cut - 1)) {
      const st = stages.get(`${side}:${rel.slice(0, cut)}`);
      if (st) return st;
    }
    return undefined;
  };
  const inStage = (st: Stage, rel: string) => st.tmpRel + rel.slice(st.path.length);

  for (const x of byOp('mkdir').sort((p, q) => depth(p.path) - depth(q.path))) {
    const outer = stageOf(x.side, x.path);
    if (outer) {
      try {
        fs.mkdirSync(abs(x.side, inStage(outer, x.path)), { mode: x.src.mode & 0o777 });
        fs.chmodSync(abs(x.side, inStage(outer, x.path)), x.src.mode & 0o7777);
        outer.done.push({ action: x, ok: true, bytes: 0 });
      } catch (err) {
        outer.done.push({
          action: x,
          ok: false,
          error: { code: errCode(err), message: (err as Error).message },
          bytes: 0,
        });
      }
      continue;
    }
    run(x, () => {
      ensureParents(x.side, x.path);
      const target = abs(x.side, x.path);
      const now = lstatEntry(target);
      if (!now && !x.overwrite) {
        const cut = x.path.lastIndexOf('/');
        const tmpRel = `${x.path.slice(0, cut + 1)}.${x.path.slice(cut + 1)}${TEMP_MARKER}${tmpTag}${(stageSeq++).toString(16)}`;
        fs.mkdirSync(abs(x.side, tmpRel), { mode: x.src.mode & 0o777 });
        fs.chmodSync(abs(x.side, tmpRel), x.src.mode & 0o7777);
        stages.set(`${x.side}:${x.path}`, { side: x.side, path: x.path, tmpRel, mkdir: x, done: [] });
        return STAGED;
      }
      if (now?.type !== 'dir') {
        if (x.overwrite?.type !== 'dir') replaceable(x.side, x.path, x.overwrite);
        if (now) fs.unlinkSync(target);
        fs.mkdirSync(target, { mode: x.src.mode & 0o777 });
      }
      fs.chmodSync(target, x.src.mode & 0o7777);
      verifiedDirs[x.side].add(x.path);
      return { dest: lstatEntry(target) };
    });
  }

  const copies = byOp('copy');
  const jobs: CopyJob[] = copies.map((x) => {
    const st = stageOf(x.to, x.path);
    return {
      from: x.from,
      to: x.to,
      path: x.path,
      entry: x.entry,
      overwrite: x.overwrite,
      ...(st ? { staged: inStage(st, x.path) } : {}),
    };
  });
  await runCopies(
    jobs,
    { roots, racyCutoffMs: opts.racyCutoffMs, tmpTag },
    {
      workers: opts.copyThreads,
      beforeRead: opts.faults?.beforeRead,
      onOutcome: (i, o) => {
        if (o.ok) opts.onWritten?.(o.bytes);
        const a: Applied = {
          action: copies[i],
          ok: o.ok,
          dest: o.dest,
          hash: o.hash,
          bytes: o.bytes,
          error: o.error,
        };
        const st = jobs[i].staged !== undefined ? stageOf(copies[i].to, copies[i].path) : undefined;
        if (st) st.done.push(a);
        else record(a);
      },
    },
  );

  // Rename each built directory into place; if its name was taken meanwhile, nothing of it lands.
  for (const st of stages.values()) {
    const target = abs(st.side, st.path);
    let failure: { code: string; message: string } | undefined;
    try {
      if (lstatEntry(target))
        throw new SyncError(
          'ECHANGED',
          `${st.side}:${st.path} appeared during the sync: left alone, the next sync will handle it`,
        );
      fs.renameSync(abs(st.side, st.tmpRel), target);
    } catch (err) {
      failure = { code: errCode(err), message: (err as Error).message };
      fs.rmSync(abs(st.side, st.tmpRel), { recursive: true, force: true });
    }
    verifiedDirs[st.side].add(st.path);
    record(
      failure
        ? { action: st.mkdir, ok: false, error: failure, bytes: 0 }
        : { action: st.mkdir, ok: true, bytes: 0 },
    );
    for (const a of st.done)
      record(failure && a.ok ? { ...a, ok: false, error: failure, dest: undefined, bytes: 0 } : a);
  }

  return applied;
}
