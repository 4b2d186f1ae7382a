/**
 * Copy one file or link to the other side: temp file beside the target, then rename.
 *
 * Synchronous on purpose. Measured on a 100k-file first sync, the fs.promises version spent
 * its time in thread-pool hops and promises (7 awaited calls a file: 68 s wall, 36 s CPU where
 * `cp -a` takes 7 s); the same system calls made synchronously cost what the kernel costs.
 *
 * `copyOne` is SELF-CONTAINED: it uses only its parameters (no imports, no module-level names),
 * because copy-pool.ts runs its source text in worker threads (`fn.toString()`; an eval worker
 * survives bundling by ncc, a worker file would not). Keep it that way: anything it needs comes
 * in through `fs`, `crypto`, `codec`, `ctx` or `mem`. The in-thread path calls the very same
 * function. Every path goes to `fs` through `codec.fsPath`, so names that are not valid UTF-8
 * are written byte for byte (names.ts).
 */
import type * as FS from 'node:fs';
import type * as Crypto from 'node:crypto';
import type { NameCodec } from './names.js';
import type { Entry, Side } from './types.js';

export interface CopyJob {
  from: Side;
  to: Side;
  path: string;
  /** The source entry as scanned. */
  entry: Entry;
  /** What the destination held at scan time (undefined: nothing); verified before replacing. */
  overwrite?: Entry;
  /**
   * Set when the destination lies in a directory being built under a temp name (see
   * execute.ts): the relative path to write, directly, inside that temp directory. The whole
   * directory is renamed into place afterwards, so no file needs its own temp + rename.
   */
  staged?: string;
}

export interface CopyContext {
  roots: Record<Side, string>;
  /** Files with an mtime at or after this are copied through a buffer and hashed on the way. */
  racyCutoffMs: number;
  /** `PID-HEX`: temp files are `.NAME.ferry-tmp-PID-HEX<counter>` (see isFerryTemp). */
  tmpTag: string;
}

/** Per-thread memory: directories already checked, and the temp-name counter. */
export interface CopyMemory {
  verified: Record<Side, Set<string>>;
  seq: number;
}

export interface CopyOutcome {
  ok: boolean;
  /** The written entry (lstat of the temp file just before the rename). */
  dest?: Entry;
  /** sha1 of what was written, for racy files. */
  hash?: string;
  bytes: number;
  error?: { code: string; message: string };
}

export function newCopyMemory(): CopyMemory {
  return { verified: { a: new Set(), b: new Set() }, seq: 0 };
}

export function copyOne(
  fs: typeof FS,
  crypto: typeof Crypto,
  codec: NameCodec,
  job: CopyJob,
  ctx: CopyContext,
  mem: CopyMemory,
  beforeRead?: (side: Side, rel: string) => void,
): CopyOutcome {
  // Files up to this size are read into memory and written in one call.
  const BUFFER_LIMIT = 1 << 20;
  const fail = (code: string, message: string) => Object.assign(new Error(message), { code });
  const codeOf = (e: unknown) => (e as { code?: string })?.code ?? 'EUNKNOWN';
  const P = codec.fsPath;
  const lstatEntry = (abs: string) => codec.lstat(fs, abs);
  const root = ctx.roots[job.to];
  try {
    let tmp: string;
    let dst = '';
    if (job.staged !== undefined) {
      // Inside a directory of ours under a temp name: nothing else can be there.
      tmp = `${root}/${job.staged}`;
    } else {
      // Parents: create what is missing, never go through anything but a real directory.
      const parts = job.path.split('/');
      let cur = '';
      for (let i = 0; i < parts.length - 1; i++) {
        cur = cur ? `${cur}/${parts[i]}` : parts[i];
        if (mem.verified[job.to].has(cur)) continue;
        const e = lstatEntry(`${root}/${cur}`);
        if (!e) {
          try {
            fs.mkdirSync(P(`${root}/${cur}`));
          } catch (err) {
            if (codeOf(err) !== 'EEXIST') throw err;
          }
        } else if (e.type !== 'dir')
          throw fail(
            'ENOTDIR',
            `${job.to}:${cur} is a ${e.type}, not a directory: not writing below it (links are never followed)`,
          );
        mem.verified[job.to].add(cur);
      }
      // The destination must still hold what the scan saw (nothing, or the scanned entry).
      dst = `${root}/${job.path}`;
      const now = lstatEntry(dst);
      const then = job.overwrite;
      const same =
        !now || !then
          ? now === then
          : now.type === then.type &&
            (now.type === 'dir' ||
              (now.type === 'symlink'
                ? now.target === then.target
                : now.size === then.size && now.mtimeMs === then.mtimeMs));
      if (!same)
        throw fail(
          'ECHANGED',
          `${job.to}:${job.path} changed during the sync: left alone, the next sync will handle it`,
        );
      if (now?.type === 'dir' && then) fs.rmdirSync(P(dst));

      const cut = dst.lastIndexOf('/');
      tmp = `${dst.slice(0, cut)}/.${dst.slice(cut + 1)}.ferry-tmp-${ctx.tmpTag}${(mem.seq++).toString(16)}`;
    }
    const x = job.entry;
    const seconds = x.mtimeMs / 1000;
    let hash: string | undefined;
    let dest: Entry | undefined;
    try {
      beforeRead?.(job.from, job.path);
      const src = `${ctx.roots[job.from]}/${job.path}`;
      if (x.type === 'symlink') {
        fs.symlinkSync(P(x.target!), P(tmp));
        try {
          fs.lutimesSync(P(tmp), seconds, seconds);
        } catch {
          // Some file systems cannot time-stamp a link: the link itself is what matters.
        }
      } else if (x.size <= BUFFER_LIMIT || x.mtimeMs >= ctx.racyCutoffMs) {
        // Small files through one buffer and one fd: fewer and cheaper calls than copyFileSync
        // (which adds ftruncate, fchmod and copy_file_range), and the bytes can be hashed.
        const buf = fs.readFileSync(P(src));
        if (buf.length !== x.size)
          throw fail(
            'ECHANGED',
            `${job.from}:${job.path} changed during the sync: the next sync will copy it`,
          );
        // Racy files: hash exactly what is written, the state must describe this content.
        if (x.mtimeMs >= ctx.racyCutoffMs) hash = crypto.createHash('sha1').update(buf).digest('hex');
        const fd = fs.openSync(P(tmp), 'wx', x.mode & 0o777);
        try {
          for (let off = 0; off < buf.length;) off += fs.writeSync(fd, buf, off);
          fs.futimesSync(fd, seconds, seconds);
          let st = fs.fstatSync(fd);
          // The umask may have cleared bits (and open never sets setuid/setgid/sticky).
          if ((st.mode & 0o7777) !== x.mode) {
            fs.fchmodSync(fd, x.mode & 0o7777);
            st = fs.fstatSync(fd);
          }
          dest = { type: 'file', size: Number(st.size), mtimeMs: st.mtimeMs, mode: st.mode & 0o7777 };
        } finally {
          fs.closeSync(fd);
        }
      } else {
        // Big files stay in the kernel (and are cloned where the file system can).
        fs.copyFileSync(P(src), P(tmp), fs.constants.COPYFILE_EXCL | fs.constants.COPYFILE_FICLONE);
        fs.utimesSync(P(tmp), seconds, seconds);
      }
      if (!dest) dest = lstatEntry(tmp)!;
      if (x.type === 'file' && dest.mode !== x.mode) {
        // The source's mode moved since the scan: write what the state will record.
        fs.chmodSync(P(tmp), x.mode & 0o7777);
        dest.mode = x.mode;
      }
      if (job.staged === undefined) fs.renameSync(P(tmp), P(dst));
      return { ok: true, dest, hash, bytes: x.size };
    } catch (err) {
      try {
        fs.rmSync(P(tmp), { force: true });
      } catch {
        // Best effort: the next sync removes leftover temp files.
      }
      throw err;
    }
  } catch (err) {
    return { ok: false, bytes: 0, error: { code: codeOf(err), message: (err as Error).message } };
  }
}
