import type { PathChange } from '../report/result.js';
import type { GateChange } from '../safety/types.js';
import type { TargetTree, TreeDiff } from './types.js';

/**
 * Path-level difference between two target trees (both keyed by target path). Pure. Sizes come
 * from the entries (-1 when unknown is reported as no bytes); a mode change alone is a modification.
 */
export function diffTargetTrees(before: TargetTree, after: TargetTree): TreeDiff {
  const changes: PathChange[] = [];
  const gateChanges: GateChange[] = [];
  for (const [p, a] of after) {
    const b = before.get(p);
    if (b && b.oid === a.oid && b.mode === a.mode) continue;
    const change = b ? 'modified' : 'added';
    changes.push({ path: p, change, ...(a.size >= 0 ? { bytes: a.size } : {}) });
    gateChanges.push({ sourcePath: a.sourcePath ?? p, targetPath: p, change, oid: a.oid, mode: a.mode });
  }
  for (const [p, b] of before) {
    if (after.has(p)) continue;
    changes.push({ path: p, change: 'deleted', ...(b.size >= 0 ? { bytes: b.size } : {}) });
    gateChanges.push({ sourcePath: b.sourcePath ?? p, targetPath: p, change: 'deleted', mode: b.mode });
  }
  const order = (x: { path?: string; targetPath?: string }) => x.path ?? x.targetPath ?? '';
  changes.sort((x, y) => (order(x) < order(y) ? -1 : order(x) > order(y) ? 1 : 0));
  return { changes, gateChanges };
}

export function treesEqual(a: TargetTree, b: TargetTree): boolean {
  if (a.size !== b.size) return false;
  for (const [p, e] of a) {
    const o = b.get(p);
    if (!o || o.oid !== e.oid || o.mode !== e.mode) return false;
  }
  return true;
}
