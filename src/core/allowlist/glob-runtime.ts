/**
 * The glob matcher's inner loop. Compiled globs are plain data (`PathProgram`), and `globRuntime()`
 * returns the functions that run them. The factory is SELF-CONTAINED (nothing but its own locals
 * and built-ins) because dirsync's scan thread runs its source text on programs sent as data.
 *
 * Why the cost is linear in the path length for a given glob (no backtracking blow-up):
 * - Within a segment, the stars cut the pattern into chunks of fixed width (in characters). The
 *   first chunk must sit at the segment's start, the last at its end, and each middle chunk is put
 *   at its leftmost place after the previous one. Leftmost is always right: a chunk placed earlier
 *   leaves the next chunks more room, and chunks do not interact otherwise. So a segment costs at
 *   most (chunk width x segment length) per chunk, and plain-text chunks are one `indexOf`.
 * - Across segments, `**` cuts the pattern into groups of whole segments. The group before the
 *   first `**` sits at the start, the group after the last `**` at the end, and each middle group
 *   is put at its leftmost place, by the same argument one level up.
 * git's "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a" on 61 'a's and a 'b' fails on its last chunk at once.
 */

/** Atom codes inside a chunk or a segment's tokens; a code point is >= 0. */
export const ANY = -1;
export const CLASS = -2; // followed by: flags (1 negated, 2 try the upper case), range count, lo, hi, ...
export const STAR = -3; // tokens only: chunks are what lies between stars

/** Plain text (string) or atoms with the number of characters they match. */
export type Chunk = string | { a: number[]; n: number };

/**
 * One segment of a glob: its literal text, `SEGMENT_ANY` for a lone `*`, or chunks separated by
 * stars (`{ c: [c0] }` when there is no star: c0 must match the whole segment).
 */
export type SegmentProgram = string | 0 | { c: Chunk[] };
export const SEGMENT_ANY = 0;

/**
 * A brace-free glob: `head` segments, then (with a `**`) middle groups and a `tail`, each `**`
 * standing for any number of segments. `open`: the glob ends with `**`, which must cover at least
 * one segment (`a/**` is strictly below a). `below`: a literal path, which also matches everything
 * below it.
 */
export interface PathProgram {
  head: SegmentProgram[];
  mids: SegmentProgram[][];
  tail: SegmentProgram[];
  star: boolean;
  open: boolean;
  below: boolean;
}

export interface GlobRuntime {
  /**
   * NFC form of a path. Strings of characters below U+0300 are already in NFC (every combining
   * mark is at or above U+0300), so ASCII paths are returned as they are without a copy.
   */
  nfc(text: string): string;
  /** Does `program` match `text` (NFC) from offset `from`, the start of a segment? */
  matchFrom(program: PathProgram, text: string, from: number): boolean;
  /** Does one segment's program match text[begin, end) (a segment: no '/')? */
  segment(s: SegmentProgram, text: string, begin: number, end: number): boolean;
  /** Does any program match the whole path (NFC-normalised here)? */
  anyMatches(programs: readonly PathProgram[], path: string): boolean;
}

export function globRuntime(): GlobRuntime {
  // Local copies: this function may run as source text far from this module (see above).
  const ANY_ = -1;
  const SEG_ANY = 0;

  // A regular expression scans for such a character about 8 times faster than a charCodeAt loop
  // over the sliced strings paths usually are. It cannot backtrack: one class, no quantifier.
  const MAY_CHANGE_IN_NFC = /[\u0300-\uffff]/;
  function nfc(t: string): string {
    return MAY_CHANGE_IN_NFC.test(t) ? t.normalize('NFC') : t;
  }

  /** Offset after the character (code point) at i, which is before e. */
  function step(t: string, i: number, e: number): number {
    const c = t.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < e) {
      const d = t.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) return i + 2;
    }
    return i + 1;
  }

  function inRanges(a: number[], from: number, end: number, c: number): boolean {
    for (let r = from; r < end; r += 2) if (c >= a[r] && c <= a[r + 1]) return true;
    return false;
  }

  const cpLengthOf = (cp: number) => (cp > 0xffff ? 2 : 1);

  /** Match atoms at p (before e); the offset after them, or -1. */
  function atomsAt(a: number[], t: string, p: number, e: number): number {
    for (let k = 0; k < a.length;) {
      if (p >= e) return -1;
      const next = step(t, p, e);
      const c = next - p === 2 ? t.codePointAt(p)! : t.charCodeAt(p);
      const x = a[k];
      if (x >= 0) {
        if (c !== x) return -1;
        k++;
      } else if (x === ANY_) k++;
      else {
        const end = k + 3 + 2 * a[k + 2];
        const flags = a[k + 1];
        let hit = inRanges(a, k + 3, end, c);
        if (!hit && (flags & 2) !== 0) {
          // Case-folded matching: the text is lower case; `[A-Z]` must still take 'a'.
          const upper = String.fromCodePoint(c).toUpperCase();
          const u = upper.codePointAt(0)!;
          hit = upper.length === cpLengthOf(u) && u !== c && inRanges(a, k + 3, end, u);
        }
        if (hit === ((flags & 1) === 1)) return -1;
        k = end;
      }
      p = next;
    }
    return p;
  }

  function chunkAt(c: Chunk, t: string, p: number, e: number): number {
    if (typeof c === 'string') return p + c.length <= e && t.startsWith(c, p) ? p + c.length : -1;
    return atomsAt(c.a, t, p, e);
  }

  /** Where a chunk ending exactly at e must start (not before p), or -1. */
  function chunkEnd(c: Chunk, t: string, p: number, e: number): number {
    if (typeof c === 'string') {
      const q = e - c.length;
      return q >= p && t.startsWith(c, q) ? q : -1;
    }
    let q = e;
    for (let i = 0; i < c.n; i++) {
      if (q <= p) return -1;
      q--;
      const u = t.charCodeAt(q);
      if (u >= 0xdc00 && u <= 0xdfff && q > p) {
        const h = t.charCodeAt(q - 1);
        if (h >= 0xd800 && h <= 0xdbff) q--;
      }
    }
    return atomsAt(c.a, t, q, e) === e ? q : -1;
  }

  /** The leftmost place of a chunk within [p, q): the offset after it, or -1. */
  function chunkFind(c: Chunk, t: string, p: number, q: number): number {
    if (typeof c === 'string') {
      const i = t.indexOf(c, p);
      return i >= 0 && i + c.length <= q ? i + c.length : -1;
    }
    for (let i = p; i < q; i = step(t, i, q)) {
      const r = atomsAt(c.a, t, i, q);
      if (r >= 0) return r;
    }
    return -1;
  }

  function segment(s: SegmentProgram, t: string, b: number, e: number): boolean {
    if (typeof s === 'string') return e - b === s.length && t.startsWith(s, b);
    if (s === SEG_ANY) return true;
    const cs = s.c;
    const last = cs.length - 1;
    let p = chunkAt(cs[0], t, b, e);
    if (p < 0) return false;
    if (last === 0) return p === e;
    const q = chunkEnd(cs[last], t, p, e);
    if (q < 0) return false;
    for (let i = 1; i < last && p >= 0; i++) p = chunkFind(cs[i], t, p, q);
    return p >= 0;
  }

  function matchFrom(g: PathProgram, t: string, s: number): boolean {
    const len = t.length;
    const head = g.head;
    for (let i = 0; i < head.length; i++) {
      if (s > len) return false;
      let e = t.indexOf('/', s);
      if (e < 0) e = len;
      if (!segment(head[i], t, s, e)) return false;
      s = e + 1;
    }
    if (!g.star) return s > len || g.below;
    // `limit`: the last offset a middle group may end at, so that what follows still fits.
    let limit = len - 1;
    if (!g.open) {
      const tail = g.tail;
      let e = len;
      let b = 0;
      for (let i = tail.length - 1; i >= 0; i--) {
        if (e < 0) return false;
        b = e === 0 ? 0 : t.lastIndexOf('/', e - 1) + 1;
        if (b < s || !segment(tail[i], t, b, e)) return false;
        e = b - 1;
      }
      limit = b - 1;
    }
    const mids = g.mids;
    for (let m = 0; m < mids.length; m++) {
      const group = mids[m];
      let c = s;
      for (;;) {
        if (c > limit) return false;
        let p = c;
        let j = 0;
        for (; j < group.length; j++) {
          let e = t.indexOf('/', p);
          if (e < 0) e = len;
          if (e > limit || !segment(group[j], t, p, e)) break;
          p = e + 1;
        }
        if (j === group.length) {
          s = p;
          break;
        }
        const slash = t.indexOf('/', c);
        if (slash < 0) return false;
        c = slash + 1;
      }
    }
    return s <= limit + 1;
  }

  function anyMatches(programs: readonly PathProgram[], path: string): boolean {
    const t = nfc(path);
    for (let i = 0; i < programs.length; i++) if (matchFrom(programs[i], t, 0)) return true;
    return false;
  }

  return { nfc, matchFrom, segment, anyMatches };
}
