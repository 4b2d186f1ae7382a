import { globRuntime, type PathProgram, type SegmentProgram } from './glob-runtime.js';
import type { GlobAlternative } from './glob.js';

/**
 * Many globs indexed for "does any of them match this path?" (paths in NFC).
 *
 * Speed: globs live in a trie of literal path segments. Literal and `L/**` globs are flags on a
 * node; every other glob hangs on the node of its literal directory prefix (`app/core` for
 * `app/core/**\/*.py`) with only the rest of its program, run from the segment after the prefix.
 * A path walks down the trie one segment at a time (no substring cut: see `shapeKey`) and stops
 * where no glob lives further down, so most decisions cost a few small-integer Map lookups. The
 * two commonest rests, `**\/NAME` and `**\/*SUFFIX`, are a lookup and an `endsWith`.
 */
const rt = globRuntime();

/** A rest ending in `**\/NAME` (`whole`) or `**\/*SUFFIX`: the path ends with `text`. */
interface Ending {
  text: string;
  /** NAME: `text` is the whole last segment. */
  whole: boolean;
}

interface WildSet {
  /** `**\/NAME` and `**\/*SUFFIX` rests, bucketed by their last UTF-16 unit. */
  endings: Map<number, Ending[]> | null;
  /** Other `**\/SEGMENT` rests: one segment program run on the path's last segment. */
  baseNames: SegmentProgram[];
  /** Every other rest, each with a text every match contains ('' when there is none). */
  programs: PathProgram[];
  required: string[];
}

/** One directory level of the trie. */
interface TrieNode {
  name: string;
  children: Map<string, TrieNode>;
  /** The same children, bucketed by `shapeKey` of their name, for lookups that allocate nothing. */
  byShape: Map<number, TrieNode[]>;
  /** A literal glob names this path: it and everything below it match. */
  literal: boolean;
  /** An `L/**` glob names this path: everything below it matches. */
  subtree: boolean;
  wild: WildSet | null;
}

const newNode = (name: string): TrieNode => ({
  name,
  children: new Map(),
  byShape: new Map(),
  literal: false,
  subtree: false,
  wild: null,
});

/**
 * A small integer from a segment's first UTF-16 unit and its length (capped at 255). Looking a
 * segment up by this key and confirming with `startsWith` at its offset avoids cutting a substring
 * and hashing it for every segment of every path, which was most of the matcher's time.
 */
const shapeKey = (firstUnit: number, length: number): number =>
  length === 0 ? 0 : firstUnit * 256 + (length < 255 ? length : 255);

function addShaped<T>(map: Map<number, T[]>, name: string, value: T): void {
  const key = shapeKey(name.charCodeAt(0), name.length);
  const bucket = map.get(key);
  if (bucket) bucket.push(value);
  else map.set(key, [value]);
}

/** The segment of a `**\/SEGMENT` rest, else undefined. */
function baseNameOf(g: PathProgram): SegmentProgram | undefined {
  return g.star && !g.open && g.head.length === 0 && g.mids.length === 0 && g.tail.length === 1
    ? g.tail[0]
    : undefined;
}

/** `NAME` or `*SUFFIX` (plain text), as an Ending. */
function endingOf(s: SegmentProgram): Ending | undefined {
  if (typeof s === 'string') return s === '' ? undefined : { text: s, whole: true };
  if (typeof s !== 'object' || s.c.length !== 2 || s.c[0] !== '') return undefined;
  const suffix = s.c[1];
  return typeof suffix === 'string' && suffix !== '' ? { text: suffix, whole: false } : undefined;
}

/** The longest plain text every match of the program contains: a cheap test before running it. */
function requiredText(g: PathProgram): string {
  let best = '';
  for (const s of [...g.head, ...g.mids.flat(), ...g.tail]) {
    const texts = typeof s === 'string' ? [s] : typeof s === 'object' ? s.c : [];
    for (const t of texts) if (typeof t === 'string' && t.length > best.length) best = t;
  }
  return best;
}

export class RuleIndex {
  private readonly root = newNode('');

  constructor(alternatives: Iterable<GlobAlternative>) {
    for (const a of alternatives) {
      if (a.literal !== undefined) this.node(a.literal).literal = true;
      else if (a.subtreeOf !== undefined) this.node(a.subtreeOf).subtree = true;
      else this.addWild(a.dir === '' ? this.root : this.node(a.dir), a.rest);
    }
  }

  private node(path: string): TrieNode {
    let n = this.root;
    for (const seg of path.split('/')) {
      let c = n.children.get(seg);
      if (!c) {
        n.children.set(seg, (c = newNode(seg)));
        addShaped(n.byShape, seg, c);
      }
      n = c;
    }
    return n;
  }

  private addWild(n: TrieNode, rest: PathProgram): void {
    const w = (n.wild ??= { endings: null, baseNames: [], programs: [], required: [] });
    const base = baseNameOf(rest);
    const ending = base === undefined ? undefined : endingOf(base);
    if (ending !== undefined) {
      const key = ending.text.charCodeAt(ending.text.length - 1);
      const bucket = (w.endings ??= new Map()).get(key);
      if (bucket) bucket.push(ending);
      else w.endings.set(key, [ending]);
    } else if (base !== undefined) w.baseNames.push(base);
    else {
      w.programs.push(rest);
      w.required.push(requiredText(rest));
    }
  }

  /** The child of `n` named path[start, end), found without allocating. */
  private static child(n: TrieNode, path: string, start: number, end: number): TrieNode | undefined {
    const len = end - start;
    const bucket = n.byShape.get(shapeKey(path.charCodeAt(start), len));
    if (bucket === undefined) return undefined;
    for (let i = 0; i < bucket.length; i++) {
      const c = bucket[i];
      if (c.name.length === len && path.startsWith(c.name, start)) return c;
    }
    return undefined;
  }

  /** Where the path's last segment starts, found at most once per path. */
  private base = -1;

  /** The wildcard globs of a node, on the path from offset `from` (just after the node's '/'). */
  private test(w: WildSet, path: string, from: number): boolean {
    const len = path.length;
    if (w.endings !== null) {
      const bucket = w.endings.get(path.charCodeAt(len - 1));
      if (bucket !== undefined)
        for (let i = 0; i < bucket.length; i++) {
          const e = bucket[i];
          // A NAME must be the whole last segment; it cannot reach above `from` (no '/' in it).
          if (
            path.endsWith(e.text) &&
            (!e.whole || len === e.text.length || path.charCodeAt(len - e.text.length - 1) === 47)
          )
            return true;
        }
    }
    const baseNames = w.baseNames;
    if (baseNames.length !== 0) {
      if (this.base < 0) {
        // A few forward indexOf calls beat one lastIndexOf (a slow runtime call in V8).
        let b = from;
        for (let i = path.indexOf('/', b); i >= 0; i = path.indexOf('/', b)) b = i + 1;
        this.base = b;
      }
      for (let i = 0; i < baseNames.length; i++)
        if (rt.segment(baseNames[i], path, this.base, len)) return true;
    }
    const programs = w.programs;
    for (let i = 0; i < programs.length; i++)
      if (path.includes(w.required[i], from) && rt.matchFrom(programs[i], path, from)) return true;
    return false;
  }

  /**
   * Walk the path's segments down the trie; stop as soon as no glob lives further down. `base`:
   * where the last segment starts, when the caller knows it (see `lastBase`).
   */
  matches(path: string, base = -1): boolean {
    this.base = base;
    let n = this.root;
    if (n.wild !== null && this.test(n.wild, path, 0)) return true;
    let start = 0;
    for (;;) {
      if (n.byShape.size === 0) return false;
      const slash = path.indexOf('/', start);
      const child = RuleIndex.child(n, path, start, slash < 0 ? path.length : slash);
      if (child === undefined) return false;
      if (slash < 0) return child.literal;
      if (child.literal || child.subtree) return true;
      if (child.wild !== null && this.test(child.wild, path, slash + 1)) return true;
      n = child;
      start = slash + 1;
    }
  }

  /** The last segment's start found by the last `matches` call, or -1: pass it to the next index. */
  get lastBase(): number {
    return this.base;
  }
}
