/**
 * Walk one side of a dirsync into a path → Entry map. Never follows symlinks (lstat only) and
 * never descends into ignored directories.
 *
 * Why synchronous calls: the walk is one readdir per directory and one lstat per entry, each a
 * few microseconds in the kernel. Measured on 100k files / 6k directories, the sync walk takes
 * ~0.5 s where fs.promises with 8–32 requests in flight takes 1.4–2.8 s (every call pays a
 * thread-pool hop and a promise). The no-change rescan bar (≤ 1.5 s) is set by this walk.
 */
import * as fs from 'node:fs';
import type { Entry, FaultHooks, ScanError, ScanResult, Side } from './types.js';
import { TEMP_MARKER } from './types.js';

export interface ScanOptions {
  side: Side;
  ignore: (rel: string) => boolean;
  faults?: FaultHooks;
  /** Called every 1024 entries so a caller can print progress. */
  onCount?: (scanned: number) => void;
}

export function errCode(e: unknown): string {
  return (e as NodeJS.ErrnoException)?.code ?? 'EUNKNOWN';
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A temp file we write beside a target: `.NAME.ferry-tmp-PID-HEX`. */
export function isFerryTemp(name: string): boolean {
  return name.startsWith('.') && /\.ferry-tmp-\d+-[0-9a-f]+$/.test(name) && name.includes(TEMP_MARKER);
}

export function scanTree(root: string, opts: ScanOptions): ScanResult {
  const entries = new Map<string, Entry>();
  const errors: ScanError[] = [];
  const staleTemps: string[] = [];
  const stack: string[] = [''];
  let count = 0;
  while (stack.length) {
    const rel = stack.pop()!;
    const absDir = rel ? `${root}/${rel}` : root;
    let dirents: fs.Dirent[];
    try {
      dirents = fs.readdirSync(absDir, { withFileTypes: true });
    } catch (e) {
      if (rel === '') throw e;
      // Vanished since its parent was listed: it is simply gone.
      if (errCode(e) === 'ENOENT') entries.delete(rel);
      else errors.push({ path: rel, code: errCode(e), message: describe(e) });
      continue;
    }
    for (const d of dirents) {
      const name = d.name;
      const r = rel ? `${rel}/${name}` : name;
      if (isFerryTemp(name)) {
        staleTemps.push(r);
        continue;
      }
      // `build/` names the directory's subtree: it ignores the directory itself too.
      if (opts.ignore(r) || (d.isDirectory() && opts.ignore(`${r}/`))) continue;
      const abs = `${absDir}/${name}`;
      let st: fs.Stats | undefined;
      try {
        opts.faults?.beforeStat?.(opts.side, r);
        st = fs.lstatSync(abs, { throwIfNoEntry: false });
      } catch (e) {
        errors.push({ path: r, code: errCode(e), message: describe(e) });
        continue;
      }
      if (!st) continue; // vanished between readdir and lstat
      const base = { size: Number(st.size), mtimeMs: st.mtimeMs, mode: st.mode & 0o7777 };
      if (st.isFile()) {
        entries.set(r, { type: 'file', ...base });
      } else if (st.isDirectory()) {
        entries.set(r, { type: 'dir', ...base, size: 0 });
        stack.push(r);
      } else if (st.isSymbolicLink()) {
        try {
          entries.set(r, { type: 'symlink', ...base, target: fs.readlinkSync(abs) });
        } catch (e) {
          if (errCode(e) !== 'ENOENT') errors.push({ path: r, code: errCode(e), message: describe(e) });
        }
      } else {
        errors.push({
          path: r,
          code: 'EUNSUPPORTED',
          message: `${abs} is not a regular file, directory or symlink (a FIFO, socket or device): skipped`,
        });
      }
      if (++count % 1024 === 0) opts.onCount?.(count);
    }
  }
  opts.onCount?.(count);
  return { root, entries, errors, staleTemps };
}

/** True when `rel` or one of its ancestors is in `set`. */
export function underAny(rel: string, set: ReadonlySet<string>): boolean {
  if (set.size === 0) return false;
  let p = rel;
  for (;;) {
    if (set.has(p)) return true;
    const cut = p.lastIndexOf('/');
    if (cut < 0) return false;
    p = p.slice(0, cut);
  }
}
