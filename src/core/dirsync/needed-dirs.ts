/** The planner's last step: directories that must stay because something below them stays or arrives. */
import type { Action, Conflict } from './plan.js';
import { other, type Entry, type Side } from './types.js';

/**
 * A directory cannot be deleted (or replaced by a file) on a side where something below it
 * stays or arrives: then it is kept, and recreated where it was deleted.
 */
export function keepNeededDirectories(
  actions: Action[],
  entries: Record<Side, ReadonlyMap<string, Entry>>,
  allowed: (to: Side) => boolean,
): { actions: Action[]; conflicts: Conflict[] } {
  const suspects: Record<Side, Set<string>> = { a: new Set(), b: new Set() };
  for (const x of actions) {
    if (x.op === 'delete' && x.entry.type === 'dir') suspects[x.side].add(x.path);
    if (x.op === 'copy' && x.overwrite?.type === 'dir') suspects[x.to].add(x.path);
  }
  if (suspects.a.size === 0 && suspects.b.size === 0) return { actions, conflicts: [] };
  const needed: Record<Side, Set<string>> = { a: new Set(), b: new Set() };
  for (const side of ['a', 'b'] as const) {
    if (suspects[side].size === 0) continue;
    const gone = new Set<string>();
    const arriving: string[] = [];
    for (const x of actions) {
      if ((x.op === 'delete' || x.op === 'rename') && x.side === side) gone.add(x.path);
      if ((x.op === 'copy' && x.to === side) || (x.op === 'mkdir' && x.side === side)) arriving.push(x.path);
      if (x.op === 'rename' && x.side === side) arriving.push(x.to);
    }
    const mark = (q: string) => {
      for (let cut = q.lastIndexOf('/'); cut > 0; cut = q.lastIndexOf('/', cut - 1)) {
        const anc = q.slice(0, cut);
        if (suspects[side].has(anc)) needed[side].add(anc);
      }
    };
    for (const q of entries[side].keys()) if (!gone.has(q)) mark(q);
    for (const q of arriving) mark(q);
  }
  const out: Action[] = [];
  const conflicts: Conflict[] = [];
  for (const x of actions) {
    if (x.op === 'delete' && needed[x.side].has(x.path)) {
      const there = other(x.side);
      if (allowed(there))
        out.push({
          op: 'mkdir',
          side: there,
          path: x.path,
          src: x.entry,
          why: `kept: ${x.path} still has content on ${x.side}`,
        });
      continue;
    }
    if (x.op === 'copy' && needed[x.to].has(x.path)) {
      conflicts.push({
        path: x.path,
        reason: 'type',
        resolution: 'skipped',
        message: `${x.path} is a ${x.entry.type} on ${x.from} but a directory with content on ${x.to}: rename one of them`,
      });
      continue;
    }
    out.push(x);
  }
  return { actions: out, conflicts };
}
