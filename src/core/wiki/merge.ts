/**
 * The three-way decision between what Ferry generated (ours), what the wiki has now (theirs) and
 * what Ferry last wrote (base). Pure.
 *
 * push: ours wins; wiki edits since the last sync are reported as overwritten.
 * bidirectional, per path:
 *  - wiki unchanged since base → ours;
 *  - source unchanged since base → the wiki's version stays (a web edit), and it is brought back;
 *  - both changed to the same thing → ours;
 *  - both changed differently → conflict: the wiki's version stays (never overwritten) and both
 *    versions are reported and brought back.
 * A web edit stays "pending" until the source has it: the Ferry commit records, per pending path,
 * the base it was judged against (trailer `Ferry-Wiki-Base: <oid|-> <path>`), so the next run still
 * sees the source as unchanged and does not overwrite the edit.
 */
import { trailerValues, type Trailer } from '../git/trailers.js';
import type { WikiEntry, WikiTree } from './types.js';

const ABSENT = '-';

export interface WikiEdit {
  path: string;
  change: 'added' | 'modified' | 'deleted';
  conflict: boolean;
  /** The wiki's blob (undefined when the wiki deleted the file). */
  oid?: string;
}

export interface MergeOutcome {
  tree: WikiTree;
  /** path → base oid (or '-' for absent) to record in the commit. */
  pending: Map<string, string>;
  /** Wiki-side changes kept on the wiki (bidirectional). */
  wikiEdits: WikiEdit[];
  /** Wiki-side changes replaced by the source (push). */
  overwritten: string[];
}

const same = (a: WikiEntry | undefined, b: WikiEntry | undefined) => a?.oid === b?.oid;

export function mergeWiki(
  base: WikiTree,
  ours: WikiTree,
  theirs: WikiTree,
  direction: 'push' | 'bidirectional',
): MergeOutcome {
  const out: MergeOutcome = { tree: new Map(), pending: new Map(), wikiEdits: [], overwritten: [] };
  const paths = [...new Set([...base.keys(), ...ours.keys(), ...theirs.keys()])].sort();
  for (const p of paths) {
    const b = base.get(p);
    const o = ours.get(p);
    const t = theirs.get(p);
    let take = o;
    if (direction === 'push') {
      if (!same(t, b) && !same(t, o)) out.overwritten.push(p);
    } else if (!same(t, b) && !same(o, t)) {
      take = t;
      out.pending.set(p, b?.oid ?? ABSENT);
      out.wikiEdits.push({
        path: p,
        change: !t ? 'deleted' : !b ? 'added' : 'modified',
        conflict: !same(o, b),
        oid: t?.oid,
      });
    }
    if (take) out.tree.set(p, take);
  }
  return out;
}

/** Base = the tree of the last Ferry commit, with the recorded bases of pending paths. */
export function effectiveBase(lastTree: WikiTree, pending: ReadonlyMap<string, string>): WikiTree {
  const base: WikiTree = new Map(lastTree);
  for (const [p, oid] of pending) {
    if (oid === ABSENT) base.delete(p);
    else base.set(p, { mode: lastTree.get(p)?.mode ?? '100644', oid });
  }
  return base;
}

/** The trailers of a Ferry wiki commit: the published revision, then each pending path's base. */
export function syncTrailers(originRev: string, pending: ReadonlyMap<string, string>): Trailer[] {
  const out: Trailer[] = [['originRev', originRev]];
  for (const [p, oid] of [...pending].sort(([a], [b]) => (a < b ? -1 : 1)))
    out.push(['wikiBase', `${oid} ${p}`]);
  return out;
}

/** The pending paths recorded in a Ferry wiki commit's message: path → base oid (or '-'). */
export function pendingBases(message: string): Map<string, string> {
  const pending = new Map<string, string>();
  for (const v of trailerValues(message, 'wikiBase')) {
    const sp = v.indexOf(' ');
    pending.set(v.slice(sp + 1), v.slice(0, sp));
  }
  return pending;
}

export function treesEqual(a: WikiTree, b: WikiTree): boolean {
  if (a.size !== b.size) return false;
  for (const [p, e] of a) {
    const f = b.get(p);
    if (!f || f.oid !== e.oid || f.mode !== e.mode) return false;
  }
  return true;
}

export function diffTrees(
  from: WikiTree,
  to: WikiTree,
): { path: string; change: 'added' | 'modified' | 'deleted' }[] {
  const out: { path: string; change: 'added' | 'modified' | 'deleted' }[] = [];
  for (const [p, e] of to) {
    const f = from.get(p);
    if (!f) out.push({ path: p, change: 'added' });
    else if (f.oid !== e.oid || f.mode !== e.mode) out.push({ path: p, change: 'modified' });
  }
  for (const p of from.keys()) if (!to.has(p)) out.push({ path: p, change: 'deleted' });
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}
