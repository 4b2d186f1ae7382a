/**
 * Carry out a dirsync plan. Side effects live here and only here.
 *
 * Phases (executePlan reads as the list): conflict renames, deletions (files, then directories
 * deepest first), directories (shallowest first), copies (copy-pool.ts: this thread, or worker
 * threads when asked), then the renames of new directories into place. Every file or link is
 * written to a temp file beside its target and renamed into place, or into a new directory built
 * under a temp name and renamed into place whole, so a killed sync never leaves half a file under
 * a real name. Before anything is replaced or deleted it is checked against the scan: a path that
 * changed meanwhile is left alone and reported, and the next sync picks it up.
 *
 * All calls are synchronous: each is a few microseconds of kernel time, and an awaited
 * fs.promises call costs more than that in thread-pool hops (measured: see copy-one.ts). Paths
 * reach `fs` through the name codec, so names that are not valid UTF-8 are handled byte for byte.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import type { CopyJob, CopyOutcome } from './copy-one.js';
import { runCopies } from './copy-pool.js';
import { threadCodec } from './names.js';
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

export async function executePlan(actions: readonly Action[], opts: ExecuteOptions): Promise<Applied[]> {
  const run = new Execution(actions, opts);
  run.renameConflictCopies();
  run.deleteFiles();
  run.deleteDirectories();
  run.makeDirectories();
  await run.copyFiles();
  run.landStagedDirectories();
  return run.applied;
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
const failure = (err: unknown) => ({ code: errCode(err), message: (err as Error).message });

type Of<K extends Action['op']> = Extract<Action, { op: K }>;

/**
 * A directory absent at scan time is built under a temp name beside its target and renamed
 * into place whole once its files are in: one rename per new directory instead of a temp file +
 * rename per file (measured: the per-file rename is most of a first sync's extra cost over
 * `cp -a`). A killed sync leaves only the temp directory, removed by the next sync.
 */
interface Stage {
  side: Side;
  path: string;
  /** `dir/.name.ferry-tmp-PID-HEX`, beside the target. */
  tmpRel: string;
  mkdir: Of<'mkdir'>;
  /** Outcomes inside it, recorded once it is renamed into place (or has failed). */
  done: Applied[];
}

/** What one step did: recorded at once, or later with its staged directory. */
type StepResult = { dest?: Entry; bytes?: number } | 'staged' | void;

function lstatEntry(abs: string): Entry | undefined {
  return threadCodec.lstat(fs, abs);
}

/** Does the path still hold what the scan saw? (Files: type, size, mtime; links: target.) */
function unchangedSince(now: Entry | undefined, then: Entry | undefined): boolean {
  if (!now || !then) return now === then;
  if (now.type !== then.type) return false;
  if (now.type === 'dir') return true;
  if (now.type === 'symlink') return now.target === then.target;
  return now.size === then.size && now.mtimeMs === then.mtimeMs;
}

/** One plan being carried out: the phases, and what they share (outcomes, checked directories, stages). */
class Execution {
  readonly applied: Applied[] = [];
  private readonly verifiedDirs: Record<Side, Set<string>> = { a: new Set(), b: new Set() };
  /** `${side}:${path}` of a new directory → its stage. */
  private readonly stages = new Map<string, Stage>();
  private readonly tmpTag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  private stageSeq = 0;

  constructor(
    private readonly actions: readonly Action[],
    private readonly opts: ExecuteOptions,
  ) {}

  renameConflictCopies(): void {
    for (const x of this.byOp('rename'))
      this.attempt(x, () => {
        if (lstatEntry(this.abs(x.side, x.to)))
          throw new SyncError('EEXIST', `${x.side}:${x.to} already exists`);
        fs.renameSync(this.fsPath(x.side, x.path), this.fsPath(x.side, x.to));
      });
  }

  deleteFiles(): void {
    for (const x of this.byOp('delete'))
      if (x.entry.type !== 'dir')
        this.attempt(x, () => {
          this.checkUnchanged(x.side, x.path, x.entry);
          fs.unlinkSync(this.fsPath(x.side, x.path));
          return { bytes: x.entry.size };
        });
  }

  /** Deepest first, so a directory's deleted subdirectories are gone before it is. */
  deleteDirectories(): void {
    const dirs = this.byOp('delete').filter((d) => d.entry.type === 'dir');
    for (const x of dirs.sort((p, q) => depth(q.path) - depth(p.path)))
      this.attempt(x, () => {
        try {
          fs.rmdirSync(this.fsPath(x.side, x.path));
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

  /** Shallowest first: a directory inside a new one is made inside its stage. */
  makeDirectories(): void {
    for (const x of this.byOp('mkdir').sort((p, q) => depth(p.path) - depth(q.path))) {
      const outer = this.stageOf(x.side, x.path);
      if (outer) this.makeDirectoryInStage(outer, x);
      else this.attempt(x, () => this.makeDirectory(x));
    }
  }

  async copyFiles(): Promise<void> {
    const copies = this.byOp('copy');
    const stageOfCopy = copies.map((x) => this.stageOf(x.to, x.path));
    const jobs: CopyJob[] = copies.map((x, i) => {
      const st = stageOfCopy[i];
      const job: CopyJob = { from: x.from, to: x.to, path: x.path, entry: x.entry, overwrite: x.overwrite };
      if (st) job.staged = this.inStage(st, x.path);
      return job;
    });
    const { roots, racyCutoffMs, copyThreads, faults } = this.opts;
    await runCopies(
      jobs,
      { roots, racyCutoffMs, tmpTag: this.tmpTag },
      {
        workers: copyThreads,
        beforeRead: faults?.beforeRead,
        onOutcome: (i, o) => this.copied(copies[i], o, stageOfCopy[i]),
      },
    );
  }

  /** Rename each built directory into place; if its name was taken meanwhile, nothing of it lands. */
  landStagedDirectories(): void {
    for (const st of this.stages.values()) {
      let failed: Applied['error'];
      try {
        if (lstatEntry(this.abs(st.side, st.path)))
          throw new SyncError(
            'ECHANGED',
            `${st.side}:${st.path} appeared during the sync: left alone, the next sync will handle it`,
          );
        fs.renameSync(this.fsPath(st.side, st.tmpRel), this.fsPath(st.side, st.path));
      } catch (err) {
        failed = failure(err);
        fs.rmSync(this.fsPath(st.side, st.tmpRel), { recursive: true, force: true });
      }
      this.verifiedDirs[st.side].add(st.path);
      this.record({ action: st.mkdir, ok: !failed, bytes: 0, ...(failed ? { error: failed } : {}) });
      for (const a of st.done)
        this.record(failed && a.ok ? { ...a, ok: false, error: failed, dest: undefined, bytes: 0 } : a);
    }
  }

  private makeDirectoryInStage(outer: Stage, x: Of<'mkdir'>): void {
    const p = this.fsPath(x.side, this.inStage(outer, x.path));
    try {
      fs.mkdirSync(p, { mode: x.src.mode & 0o777 });
      fs.chmodSync(p, x.src.mode & 0o7777);
      outer.done.push({ action: x, ok: true, bytes: 0 });
    } catch (err) {
      outer.done.push({ action: x, ok: false, error: failure(err), bytes: 0 });
    }
  }

  private makeDirectory(x: Of<'mkdir'>): StepResult {
    this.ensureParents(x.side, x.path);
    const now = lstatEntry(this.abs(x.side, x.path));
    if (!now && !x.overwrite) return this.stage(x);
    const target = this.fsPath(x.side, x.path);
    if (now?.type !== 'dir') {
      if (x.overwrite?.type !== 'dir') this.checkUnchanged(x.side, x.path, x.overwrite);
      if (now) fs.unlinkSync(target);
      fs.mkdirSync(target, { mode: x.src.mode & 0o777 });
    }
    fs.chmodSync(target, x.src.mode & 0o7777);
    this.verifiedDirs[x.side].add(x.path);
    return { dest: lstatEntry(this.abs(x.side, x.path)) };
  }

  /** Start building a new directory under a temp name beside its target. */
  private stage(x: Of<'mkdir'>): 'staged' {
    const cut = x.path.lastIndexOf('/');
    const tmpRel = `${x.path.slice(0, cut + 1)}.${x.path.slice(cut + 1)}${TEMP_MARKER}${this.tmpTag}${(this.stageSeq++).toString(16)}`;
    const p = this.fsPath(x.side, tmpRel);
    fs.mkdirSync(p, { mode: x.src.mode & 0o777 });
    fs.chmodSync(p, x.src.mode & 0o7777);
    this.stages.set(`${x.side}:${x.path}`, { side: x.side, path: x.path, tmpRel, mkdir: x, done: [] });
    return 'staged';
  }

  private copied(action: Of<'copy'>, o: CopyOutcome, stage: Stage | undefined): void {
    if (o.ok) this.opts.onWritten?.(o.bytes);
    const a: Applied = { action, ok: o.ok, dest: o.dest, hash: o.hash, bytes: o.bytes, error: o.error };
    if (stage) stage.done.push(a);
    else this.record(a);
  }

  /** The stage holding `rel` on `side` (its nearest staged ancestor), if any. */
  private stageOf(side: Side, rel: string): Stage | undefined {
    if (this.stages.size === 0) return undefined;
    for (let cut = rel.lastIndexOf('/'); cut > 0; cut = rel.lastIndexOf('/', cut - 1)) {
      const st = this.stages.get(`${side}:${rel.slice(0, cut)}`);
      if (st) return st;
    }
    return undefined;
  }

  private inStage(st: Stage, rel: string): string {
    return st.tmpRel + rel.slice(st.path.length);
  }

  /** Create missing parents; refuse to go through anything that is not a real directory. */
  private ensureParents(side: Side, rel: string): void {
    const parts = rel.split('/');
    let cur = '';
    for (let i = 0; i < parts.length - 1; i++) {
      cur = cur ? `${cur}/${parts[i]}` : parts[i];
      if (this.verifiedDirs[side].has(cur)) continue;
      const e = lstatEntry(this.abs(side, cur));
      if (!e) {
        try {
          fs.mkdirSync(this.fsPath(side, cur));
        } catch (err) {
          if (errCode(err) !== 'EEXIST') throw err;
        }
      } else if (e.type !== 'dir')
        throw new SyncError(
          'ENOTDIR',
          `${side}:${cur} is a ${e.type}, not a directory: not writing below it (links are never followed)`,
        );
      this.verifiedDirs[side].add(cur);
    }
  }

  /** The path must still hold what the scan saw; an empty directory in the way is removed. */
  private checkUnchanged(side: Side, rel: string, expected: Entry | undefined): void {
    const now = lstatEntry(this.abs(side, rel));
    if (!unchangedSince(now, expected))
      throw new SyncError(
        'ECHANGED',
        `${side}:${rel} changed during the sync: left alone, the next sync will handle it`,
      );
    if (now?.type === 'dir' && expected) fs.rmdirSync(this.fsPath(side, rel));
  }

  /** Run one step; its outcome is recorded now, or with its staged directory. */
  private attempt(action: Action, step: () => StepResult): void {
    try {
      const r = step() ?? {};
      if (r === 'staged') return;
      this.record({ action, ok: true, dest: r.dest, bytes: r.bytes ?? 0 });
    } catch (err) {
      this.record({ action, ok: false, error: failure(err), bytes: 0 });
    }
  }

  private record(a: Applied): void {
    this.applied.push(a);
    this.opts.onApplied?.(a);
  }

  private byOp<K extends Action['op']>(op: K): Of<K>[] {
    return this.actions.filter((x): x is Of<K> => x.op === op);
  }

  private abs(side: Side, rel: string): string {
    return `${this.opts.roots[side]}/${rel}`;
  }

  private fsPath(side: Side, rel: string): string | Buffer {
    return threadCodec.fsPath(this.abs(side, rel));
  }
}
