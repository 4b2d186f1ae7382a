/**
 * `keep-merges`: a merge on the replayed first-parent line whose side branch also
 * changes something selected stays a merge. Its side line (the first-parent commits of the second
 * parent that the first parent does not have) is replayed too, on a side ref, starting from the
 * target commit that stands for the fork point; the merge then gets the side line's last commit
 * as its second parent. The merge's own tree is what the linear replay gives (its diff against the
 * first parent), so the final tree is still the snapshot's.
 *
 * The fork point's stand-in: the replayed commit (or the start) that represents it in this run,
 * else the newest target commit whose `Ferry-Origin-Rev` is the fork point or an ancestor of it
 * on the first-parent line (commits in between changed nothing selected).
 */
import type { FileOp } from '../../git/fast-import.js';
import { readFirstParentLog, type LogCommit } from '../../git/log-reader.js';
import { lastTrailer } from '../../git/trailers.js';
import type { ExportBuildContext, TargetTree } from '../types.js';

export const SIDE_REF = 'refs/ferry/history-side';

/** The side line of a two-parent merge, oldest first (empty when the second parent adds nothing). */
export async function readSideLine(ctx: ExportBuildContext, merge: LogCommit): Promise<LogCommit[]> {
  const out: LogCommit[] = [];
  for await (const c of readFirstParentLog(ctx.sourceGit, { from: merge.parents[0], to: merge.parents[1] }))
    out.push(c);
  return out;
}

/** Target commit of the target's first-parent history that stands for source commit `fork`. */
export async function targetStandIn(
  ctx: ExportBuildContext,
  tip: string | undefined,
  fork: string,
): Promise<string | undefined> {
  if (!tip) return undefined;
  const line = new Set((await ctx.sourceGit.exec(['rev-list', '--first-parent', fork])).split('\n'));
  const out = await ctx.git.exec(['log', '--first-parent', '--format=%x01%H%x00%B', '-n', '5000', tip]);
  for (const rec of out.split('\x01')) {
    const nul = rec.indexOf('\0');
    if (nul < 0) continue;
    const origin = lastTrailer(rec.slice(nul + 1), 'originRev');
    if (origin && line.has(origin)) return rec.slice(0, nul).trim();
  }
  return undefined;
}

/** fast-import operations that turn tree `from` into tree `to` (deletions first). */
export function opsBetween(from: TargetTree, to: TargetTree): FileOp[] {
  const dels: FileOp[] = [];
  const mods: FileOp[] = [];
  for (const [p] of from) if (!to.has(p)) dels.push({ op: 'D', path: p });
  for (const [p, e] of to) {
    const o = from.get(p);
    if (!o || o.oid !== e.oid || o.mode !== e.mode) mods.push({ op: 'M', mode: e.mode, oid: e.oid, path: p });
  }
  return [...dels, ...mods];
}
