/**
 * Walk one side of a dirsync into a path → Entry map. Never follows symlinks (lstat only) and
 * never descends into ignored directories.
 *
 * Why synchronous calls: the walk is one readdir per directory and one lstat per entry, each a
 * few microseconds in the kernel. Measured on 100k files / 6k directories, the sync walk takes
 * ~0.5 s where fs.promises with 8–32 requests in flight takes 1.4–2.8 s (every call pays a
 * thread-pool hop and a promise). The no-change rescan bar (≤ 1.5 s) is set by this walk, so
 * the two sides are walked at the same time: side B in a worker thread (scan-worker.ts), side A
 * here.
 *
 * `walkTree` is SELF-CONTAINED (only its parameters, no imports or module-level names): the
 * worker runs its source text. The in-thread scan calls the very same function. Names that are
 * not valid UTF-8 are read as bytes and kept escaped (names.ts), so they sync like any other.
 */
import * as fs from 'node:fs';
import type * as FS from 'node:fs';
import { threadCodec, type NameCodec } from './names.js';
import type { Entry, EntryType, FaultHooks, ScanError, ScanResult, Side } from './types.js';
import { TEMP_MARKER } from './types.js';
import { globRuntime, type GlobRuntime, type PathProgram } from '../allowlist/glob-runtime.js';

/** Ignore rules as plain data (compiled globs, plus exact paths), so a worker can rebuild them. */
export interface IgnoreSpec {
  /** The ignore globs, compiled (allowlist/glob-runtime.ts runs them). */
  globs: PathProgram[];
  /** Exact relative paths (the state and log files when they sit inside a root). */
  exact: string[];
}

export interface ScanOptions {
  side: Side;
  ignore: IgnoreSpec;
  faults?: FaultHooks;
  /** Called every 1024 entries so a caller can print progress. */
  onCount?: (scanned: number) => void;
  part?: WalkPart;
}

/**
 * A share of a walk, when two threads walk one side: `leave` names top-level directories that
 * are reported but not entered (the other thread walks them); `starts` walks only those
 * subtrees (each must still be a real directory), not the root.
 */
export type WalkPart = { leave: string[] } | { starts: string[] };

export interface WalkSink {
  entry(rel: string, type: EntryType, size: number, mtimeMs: number, mode: number, target?: string): void;
  /** A directory listed by its parent vanished before it could be read. */
  gone(rel: string): void;
}

export interface WalkOutcome {
  errors: ScanError[];
  staleTemps: string[];
  count: number;
}

export function errCode(e: unknown): string {
  return (e as NodeJS.ErrnoException)?.code ?? 'EUNKNOWN';
}

/** A temp file we write beside a target: `.NAME.ferry-tmp-PID-HEX`. */
export function isFerryTemp(name: string): boolean {
  return name.startsWith('.') && /\.ferry-tmp-\d+-[0-9a-f]+$/.test(name) && name.includes(TEMP_MARKER);
}

export function ignorePredicate(spec: IgnoreSpec): (rel: string) => boolean {
  return ignorePredicateWith(globRuntime(), spec);
}

/** SELF-CONTAINED like walkTree: the scan thread runs its source text with the glob runtime's. */
export function ignorePredicateWith(rt: GlobRuntime, spec: IgnoreSpec): (rel: string) => boolean {
  const exact = new Set(spec.exact);
  const globs = spec.globs;
  return (rel) => exact.has(rel) || (globs.length !== 0 && rt.anyMatches(globs, rel));
}

export function walkTree(
  fs: typeof FS,
  codec: NameCodec,
  root: string,
  side: Side,
  ignored: (rel: string) => boolean,
  sink: WalkSink,
  beforeStat?: (side: Side, rel: string) => void,
  onCount?: (scanned: number) => void,
  part?: WalkPart,
): WalkOutcome {
  const codeOf = (e: unknown) => (e as { code?: string })?.code ?? 'EUNKNOWN';
  const describe = (e: unknown) => (e instanceof Error ? e.message : String(e));
  const tempRe = /\.ferry-tmp-\d+-[0-9a-f]+$/;
  const errors: ScanError[] = [];
  const staleTemps: string[] = [];
  const leave = new Set(part && 'leave' in part ? part.leave : []);
  const stack: string[] = part && 'starts' in part ? [] : [''];
  if (part && 'starts' in part)
    for (const r of part.starts) {
      // Listed as a directory by the other thread; links are never followed, even if one took its place.
      let st: FS.Stats | undefined;
      try {
        st = fs.lstatSync(codec.fsPath(`${root}/${r}`), { throwIfNoEntry: false });
      } catch (e) {
        errors.push({ path: r, code: codeOf(e), message: describe(e) });
        continue;
      }
      if (!st) sink.gone(r);
      else if (st.isDirectory()) stack.push(r);
    }
  let count = 0;
  while (stack.length) {
    const rel = stack.pop()!;
    const absDir = rel ? `${root}/${rel}` : root;
    let listing: ReturnType<NameCodec['list']>;
    try {
      listing = codec.list(fs, absDir);
    } catch (e) {
      if (rel === '') throw e;
      // Vanished since its parent was listed: it is simply gone.
      if (codeOf(e) === 'ENOENT') sink.gone(rel);
      else errors.push({ path: rel, code: codeOf(e), message: describe(e) });
      continue;
    }
    const { names, dirents } = listing;
    for (let i = 0; i < dirents.length; i++) {
      const d = dirents[i];
      const name = names[i];
      const r = rel ? `${rel}/${name}` : name;
      if (name.charCodeAt(0) === 46 /* . */ && tempRe.test(name)) {
        staleTemps.push(r);
        continue;
      }
      // `build/` names the directory's subtree: it ignores the directory itself too.
      if (ignored(r) || (d.isDirectory() && ignored(`${r}/`))) continue;
      const abs = `${absDir}/${name}`;
      let st: FS.Stats | undefined;
      try {
        beforeStat?.(side, r);
        st = fs.lstatSync(codec.fsPath(abs), { throwIfNoEntry: false });
      } catch (e) {
        errors.push({ path: r, code: codeOf(e), message: describe(e) });
        continue;
      }
      if (!st) continue; // vanished between readdir and lstat
      const mode = st.mode & 0o7777;
      if (st.isFile()) {
        sink.entry(r, 'file', st.size, st.mtimeMs, mode);
      } else if (st.isDirectory()) {
        sink.entry(r, 'dir', 0, st.mtimeMs, mode);
        if (!leave.has(r)) stack.push(r);
      } else if (st.isSymbolicLink()) {
        try {
          sink.entry(r, 'symlink', st.size, st.mtimeMs, mode, codec.readlink(fs, abs));
        } catch (e) {
          if (codeOf(e) !== 'ENOENT') errors.push({ path: r, code: codeOf(e), message: describe(e) });
        }
      } else {
        errors.push({
          path: r,
          code: 'EUNSUPPORTED',
          message: `${abs} is not a regular file, directory or symlink (a FIFO, socket or device): skipped`,
        });
      }
      if (++count % 1024 === 0) onCount?.(count);
    }
  }
  onCount?.(count);
  return { errors, staleTemps, count };
}

/** A sink that builds the Entry map directly (this thread). */
export function mapSink(entries: Map<string, Entry>): WalkSink {
  return {
    entry(rel, type, size, mtimeMs, mode, target) {
      const e: Entry = { type, size, mtimeMs, mode };
      if (target !== undefined) e.target = target;
      entries.set(rel, e);
    },
    gone(rel) {
      entries.delete(rel);
    },
  };
}

export function scanTree(root: string, opts: ScanOptions): ScanResult {
  const entries = new Map<string, Entry>();
  const out = walkTree(
    fs,
    threadCodec,
    root,
    opts.side,
    ignorePredicate(opts.ignore),
    mapSink(entries),
    opts.faults?.beforeStat,
    opts.onCount,
    opts.part,
  );
  return { root, entries, errors: out.errors, staleTemps: out.staleTemps };
}

/**
 * Top-level directories of `root` to hand to a second thread (every other one that the walk
 * would enter), or undefined when there are fewer than two.
 */
export function splitTopLevel(root: string, ignore: IgnoreSpec): string[] | undefined {
  const ignored = ignorePredicate(ignore);
  let top: ReturnType<NameCodec['list']>;
  try {
    top = threadCodec.list(fs, root);
  } catch {
    return undefined; // the walk itself reports what is wrong
  }
  const dirs = top.names
    .filter((n, i) => top.dirents[i].isDirectory() && !isFerryTemp(n) && !ignored(n) && !ignored(`${n}/`))
    .sort();
  return dirs.length >= 2 ? dirs.filter((_, i) => i % 2 === 1) : undefined;
}

/** `more` (the other thread's share of the same side) merged into `scan`. */
export function mergeScan(scan: ScanResult, more: ScanResult & { gone: string[] }): ScanResult {
  for (const g of more.gone) scan.entries.delete(g);
  for (const [p, e] of more.entries) scan.entries.set(p, e);
  scan.errors.push(...more.errors);
  scan.staleTemps.push(...more.staleTemps);
  return scan;
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
