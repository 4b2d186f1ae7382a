/**
 * Carry out a dirsync plan. Side effects live here and only here.
 *
 * Phases: conflict renames, deletions (files, then directories deepest first), directories
 * (shallowest first), then copies with bounded concurrency. Every file or link is written to a
 * temp file beside its target and renamed into place, so a killed sync never leaves half a
 * file. Before anything is replaced or deleted it is checked against the scan: a path that
 * changed meanwhile is left alone and reported, and the next sync picks it up.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { Action } from './plan.js';
import { errCode } from './scan.js';
import type { Entry, FaultHooks, Side } from './types.js';

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
  concurrency: number;
  /** Files with an mtime at or after this are copied through a buffer and hashed on the way. */
  racyCutoffMs: number;
  faults?: FaultHooks;
  onApplied?: (a: Applied) => void;
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

async function pool<T>(items: readonly T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
}

async function lstatEntry(abs: string): Promise<Entry | undefined> {
  try {
    const st = await fsp.lstat(abs);
    const type = st.isDirectory()
      ? 'dir'
      : st.isSymbolicLink()
        ? 'symlink'
        : st.isFile()
          ? 'file'
          : undefined;
    if (!type) return undefined;
    const e: Entry = {
      type,
      size: type === 'dir' ? 0 : Number(st.size),
      mtimeMs: st.mtimeMs,
      mode: st.mode & 0o7777,
    };
    if (type === 'symlink') e.target = await fsp.readlink(abs);
    return e;
  } catch (err) {
    if (errCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/** Does the path still hold what the scan saw? (Files: type, size, mtime; links: target.) */
function unchangedSince(now: Entry | undefined, then: Entry | undefined): boolean {
  if (!now || !then) return now === then;
  if (now.type !== then.type) return false;
  if (now.type === 'dir') return true;
  if (now.type === 'symlink') return now.target === then.target;
  return now.size === then.size && now.mtimeMs === then.mtimeMs;
}

function tempBeside(abs: string): string {
  return path.join(
    path.dirname(abs),
    `.${path.basename(abs)}.ferry-tmp-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
}

const msToSeconds = (ms: number) => ms / 1000;

export async function executePlan(actions: readonly Action[], opts: ExecuteOptions): Promise<Applied[]> {
  const { roots } = opts;
  const applied: Applied[] = [];
  const verifiedDirs: Record<Side, Set<string>> = { a: new Set(), b: new Set() };
  const abs = (side: Side, rel: string) => `${roots[side]}/${rel}`;

  /** Create missing parents; refuse to go through anything that is not a real directory. */
  const ensureParents = async (side: Side, rel: string) => {
    const parts = rel.split('/');
    let cur = '';
    for (let i = 0; i < parts.length - 1; i++) {
      cur = cur ? `${cur}/${parts[i]}` : parts[i];
      if (verifiedDirs[side].has(cur)) continue;
      const e = await lstatEntry(abs(side, cur));
      if (!e)
        await fsp
          .mkdir(abs(side, cur))
          .catch((err) => (errCode(err) === 'EEXIST' ? undefined : Promise.reject(err)));
      else if (e.type !== 'dir')
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

  const run = async (
    action: Action,
    fn: () => Promise<{ dest?: Entry; bytes?: number; hash?: string } | void>,
  ) => {
    try {
      const r = (await fn()) ?? {};
      record({ action, ok: true, dest: r.dest, bytes: r.bytes ?? 0, hash: r.hash });
    } catch (err) {
      record({ action, ok: false, error: { code: errCode(err), message: (err as Error).message }, bytes: 0 });
    }
  };

  const replaceable = async (side: Side, rel: string, expected: Entry | undefined) => {
    const now = await lstatEntry(abs(side, rel));
    if (!unchangedSince(now, expected))
      throw new SyncError(
        'ECHANGED',
        `${side}:${rel} changed during the sync: left alone, the next sync will handle it`,
      );
    if (now?.type === 'dir' && expected) await fsp.rmdir(abs(side, rel));
    return now;
  };

  const byOp = <K extends Action['op']>(op: K) =>
    actions.filter((x): x is Extract<Action, { op: K }> => x.op === op);

  for (const x of byOp('rename')) {
    await run(x, async () => {
      const dst = abs(x.side, x.to);
      if (await lstatEntry(dst)) throw new SyncError('EEXIST', `${x.side}:${x.to} already exists`);
      await fsp.rename(abs(x.side, x.path), dst);
    });
  }

  const deletes = byOp('delete');
  await pool(
    deletes.filter((x) => x.entry.type !== 'dir'),
    opts.concurrency,
    (x) =>
      run(x, async () => {
        await replaceable(x.side, x.path, x.entry);
        await fsp.unlink(abs(x.side, x.path));
        return { bytes: x.entry.size };
      }),
  );
  for (const x of deletes
    .filter((d) => d.entry.type === 'dir')
    .sort((p, q) => depth(q.path) - depth(p.path))) {
    await run(x, async () => {
      try {
        await fsp.rmdir(abs(x.side, x.path));
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

  for (const x of byOp('mkdir').sort((p, q) => depth(p.path) - depth(q.path))) {
    await run(x, async () => {
      await ensureParents(x.side, x.path);
      const target = abs(x.side, x.path);
      const now = await lstatEntry(target);
      if (now?.type !== 'dir') {
        if (x.overwrite?.type !== 'dir') await replaceable(x.side, x.path, x.overwrite);
        if (now) await fsp.unlink(target);
        await fsp.mkdir(target, { mode: x.src.mode & 0o777 });
      }
      await fsp.chmod(target, x.src.mode & 0o7777);
      verifiedDirs[x.side].add(x.path);
      return { dest: await lstatEntry(target) };
    });
  }

  await pool(byOp('copy'), opts.concurrency, (x) =>
    run(x, async () => {
      await ensureParents(x.to, x.path);
      const dst = abs(x.to, x.path);
      await replaceable(x.to, x.path, x.overwrite);
      const tmp = tempBeside(dst);
      let hash: string | undefined;
      try {
        opts.faults?.beforeRead?.(x.from, x.path);
        const src = abs(x.from, x.path);
        if (x.entry.type === 'symlink') {
          await fsp.symlink(x.entry.target!, tmp);
          await fsp
            .lutimes(tmp, msToSeconds(x.entry.mtimeMs), msToSeconds(x.entry.mtimeMs))
            .catch(() => undefined);
        } else if (x.entry.mtimeMs >= opts.racyCutoffMs) {
          // Hash exactly what is written: the state must describe this content.
          const buf = await fsp.readFile(src);
          hash = createHash('sha1').update(buf).digest('hex');
          await fsp.writeFile(tmp, buf, { mode: x.entry.mode & 0o777 });
          await fsp.chmod(tmp, x.entry.mode & 0o7777);
          await fsp.utimes(tmp, msToSeconds(x.entry.mtimeMs), msToSeconds(x.entry.mtimeMs));
        } else {
          await fsp.copyFile(src, tmp);
          await fsp.chmod(tmp, x.entry.mode & 0o7777);
          await fsp.utimes(tmp, msToSeconds(x.entry.mtimeMs), msToSeconds(x.entry.mtimeMs));
        }
        const dest = await lstatEntry(tmp);
        await fsp.rename(tmp, dst);
        return { dest, bytes: x.entry.size, hash };
      } catch (err) {
        await fsp.rm(tmp, { force: true }).catch(() => undefined);
        throw err;
      }
    }),
  );

  return applied;
}
