/**
 * The map rules' two errors (project.ts) for the incremental export, found from the touched paths
 * alone: a collision needs a touched target path (the last export had none, or it would not have
 * been made), and so does a path that is a file and a directory at once (a touched file under a
 * file, or files under a touched file). The findings are the full projection's, word for word.
 */
import type { Finding } from '../report/result.js';
import { fileDirCollision, mapCollision } from './project.js';
import { gitPathOrder, type ProjectionView } from './projection-view.js';
import type { TargetEntry } from './types.js';

/** Two or more sources on one target path: the first in git's order wins, as in Projector. */
export function collisionFindings(target: string, sources: readonly { source: string }[]): Finding[] {
  if (sources.length < 2) return [];
  const [first, ...rest] = [...sources].sort((a, b) => gitPathOrder(a.source, b.source));
  return rest.map((s) => mapCollision(s.source, first.source, target));
}

/**
 * fileDirConflicts (project.ts) for the paths the diff put in the projection: each such path under
 * a projected file, and every projected file under such a path, with its outermost file parent.
 */
export async function fileDirFindings(
  view: ProjectionView,
  projectedNew: ReadonlyMap<string, TargetEntry | undefined>,
): Promise<Finding[]> {
  const added = [...projectedNew].filter(([, e]) => e).map(([t]) => t);
  if (!added.length) return [];
  const candidates = new Set(added);
  for (const t of added) for (const p of await view.filesUnder(t)) candidates.add(p);
  const out: Finding[] = [];
  for (const p of [...candidates].sort(gitPathOrder)) {
    for (let i = p.indexOf('/'); i > 0; i = p.indexOf('/', i + 1)) {
      const dir = p.slice(0, i);
      if (!(await view.entry(dir))) continue;
      out.push(fileDirCollision(dir, p));
      break;
    }
  }
  return out;
}
