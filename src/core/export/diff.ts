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
  const oids = new Map<string, string>();
  for (const [p, a] of after) {
    const b = before.get(p);
    if (b && b.oid === a.oid && b.mode === a.mode) continue;
    const change = b ? 'modified' : 'added';
    changes.push({ path: p, change, ...(a.size >= 0 ? { bytes: a.size } : {}) });
    gateChanges.push({ sourcePath: a.sourcePath ?? p, targetPath: p, change, oid: a.oid, mode: a.mode });
    oids.set(p, a.oid);
  }
  for (const [p, b] of before) {
    if (after.has(p)) continue;
    changes.push({ path: p, change: 'deleted', ...(b.size >= 0 ? { bytes: b.size } : {}) });
    gateChanges.push({ sourcePath: b.sourcePath ?? p, targetPath: p, change: 'deleted', mode: b.mode });
    oids.set(p, b.oid);
  }
  changes.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  return { changes, gateChanges, oids };
}
