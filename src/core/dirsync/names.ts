/**
 * File names that are not valid UTF-8 (a Linux name is any bytes but `/` and NUL).
 *
 * Node turns such a name into a string with U+FFFD in place of the bad bytes, and that string
 * names no file: a walk that used it lost the file without a word. So a path is kept as a
 * string in which each byte that is not part of valid UTF-8 stands as one lone surrogate,
 * U+DC80–U+DCFF (Python's "surrogateescape"). Valid UTF-8 decodes to itself, so existing state
 * files and reports are unchanged; a decoded string never holds a lone surrogate otherwise, so
 * the mapping can be undone exactly. JSON writes lone surrogates as `\udcff` escapes and reads
 * them back, so the state file and the log round-trip such names.
 *
 * `nameCodec` is SELF-CONTAINED (no imports, no module-level names): the scan and copy threads
 * run its source text (see scan-worker.ts, copy-pool.ts).
 */
import type * as FS from 'node:fs';
import type { Entry } from './types.js';

export interface NameCodec {
  /** What to hand to `fs` for a path: the string itself, or its bytes when it holds escaped bytes. */
  fsPath(p: string): string | Buffer;
  /** A name's bytes as a path string (see above). */
  decode(bytes: Uint8Array): string;
  /** A directory's entries with their names decoded; `dirents[i]` belongs to `names[i]`. */
  list(fs: typeof FS, dir: string): { names: string[]; dirents: (FS.Dirent | FS.Dirent<Buffer>)[] };
  /** A link's target text (escaped like a name). */
  readlink(fs: typeof FS, abs: string): string;
  /** What is at a path now, as a scan would record it (undefined: nothing, or not a file/dir/link). */
  lstat(fs: typeof FS, abs: string): Entry | undefined;
}

export function nameCodec(): NameCodec {
  const wellFormed = (s: string) => (s as unknown as { isWellFormed(): boolean }).isWellFormed();
  const encode = (s: string): Buffer => {
    const parts: Buffer[] = [];
    let from = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          i++; // a pair: one astral character, valid text
          continue;
        }
      }
      if (c >= 0xdc80 && c <= 0xdcff) {
        parts.push(Buffer.from(s.slice(from, i), 'utf8'), Buffer.from([c - 0xdc00]));
        from = i + 1;
      }
    }
    parts.push(Buffer.from(s.slice(from), 'utf8'));
    return Buffer.concat(parts);
  };
  const decode = (b: Uint8Array): string => {
    let out = '';
    let i = 0;
    while (i < b.length) {
      const b0 = b[i];
      if (b0 < 0x80) {
        out += String.fromCharCode(b0);
        i++;
        continue;
      }
      // Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
      const n =
        b0 >= 0xc2 && b0 <= 0xdf ? 1 : b0 >= 0xe0 && b0 <= 0xef ? 2 : b0 >= 0xf0 && b0 <= 0xf4 ? 3 : 0;
      let cp = n === 1 ? b0 & 0x1f : n === 2 ? b0 & 0x0f : b0 & 0x07;
      let ok = n > 0 && i + n < b.length;
      for (let k = 1; ok && k <= n; k++) {
        const c = b[i + k];
        if ((c & 0xc0) !== 0x80) ok = false;
        else cp = (cp << 6) | (c & 0x3f);
      }
      const min = n === 1 ? 0x80 : n === 2 ? 0x800 : 0x10000;
      if (ok && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) ok = false;
      if (ok) {
        out += String.fromCodePoint(cp);
        i += n + 1;
      } else {
        out += String.fromCharCode(0xdc00 + b0);
        i++;
      }
    }
    return out;
  };
  const fsPath = (p: string): string | Buffer => (wellFormed(p) ? p : encode(p));
  const readlink = (fs: typeof FS, abs: string): string => {
    const t = fs.readlinkSync(fsPath(abs));
    return t.includes('\uFFFD') ? decode(fs.readlinkSync(fsPath(abs), { encoding: 'buffer' })) : t;
  };
  return {
    fsPath,
    decode,
    list(fs, dir) {
      const dirents = fs.readdirSync(fsPath(dir), { withFileTypes: true });
      // A U+FFFD may be a bad byte Node replaced: then list again as bytes (rare, so the common
      // case costs one `includes` a name).
      if (!dirents.some((d) => d.name.includes('\uFFFD')))
        return { names: dirents.map((d) => d.name), dirents };
      const raw = fs.readdirSync(fsPath(dir), { withFileTypes: true, encoding: 'buffer' });
      return { names: raw.map((d) => decode(d.name)), dirents: raw };
    },
    readlink,
    lstat(fs, abs) {
      const st = fs.lstatSync(fsPath(abs), { throwIfNoEntry: false });
      if (!st) return undefined;
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
      if (type === 'symlink') e.target = readlink(fs, abs);
      return e;
    },
  };
}

/** The codec for this thread. */
export const threadCodec = nameCodec();

/** For text output: each escaped byte as `\xNN` (a terminal would show U+FFFD for all of them). */
export function printable(s: string): string {
  return s.replace(
    /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/g,
    (c) => `\\x${(c.charCodeAt(0) - 0xdc00).toString(16)}`,
  );
}
