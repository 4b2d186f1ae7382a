/**
 * What the incremental paths (the snapshot re-export, ./incremental.ts, and the history quick
 * start, ./history/quick-start.ts) may trust about the target tip without listing its tree.
 *
 * A tip qualifies when it is Ferry's own export commit made with the current configuration: its
 * `Ferry-Origin-Rev` names the revision it exported, its `Ferry-Config` equals this run's hash, and
 * its committer is the identity Ferry commits as. Its tree is then the projection of that revision
 * (plus what `preserve` keeps), so the next tree is that tree plus the projected diff, and the
 * facts the checks need come from the tree objects along the changed paths, or from what Ferry
 * recorded in the same commit: the exported symlinks (`Ferry-Symlink:`). A tip edited by hand
 * (a commit on top, an amended commit, a changed path) falls back to the full path with a
 * `target-edited` notice, so the result says why the run listed the whole tree.
 */
import { commitIdentity, commitMessage } from '../git/index-builder.js';
import { lastTrailer, trailerValues, type Trailer } from '../git/trailers.js';
import type { Finding } from '../report/result.js';
import { DEFAULT_COMMITTER, type ExportBuildContext } from './types.js';

/** More exported symlinks than this are not listed in trailers (the next run then lists the tree). */
export const MAX_LISTED_SYMLINKS = 32;

/** Why a run took the full path instead of the incremental one (details of the result). */
export type FullPathReason =
  | 'first-export'
  | 'force'
  | 'disabled'
  | 'config-changed'
  | 'target-edited'
  | 'old-revision-missing'
  | 'too-many-symlinks'
  | 'not-last-export'
  | 'range-too-long'
  | 'kept-merges';

export interface FerryTip {
  commit: string;
  /** The source revision the tip exported. */
  originRev: string;
  /** The exported symlinks (target paths) the tip's commit recorded. */
  links: string[];
}

/** The full path must run, and why (a notice when the target was changed by hand). */
export interface FullPath {
  fullPath: FullPathReason;
  notice?: Finding;
}

export type TipCheck = { tip: FerryTip } | FullPath;

/** The tip as the incremental paths see it (one `cat-file commit`), or why it does not qualify. */
export async function checkTip(ctx: ExportBuildContext, tip: string | undefined): Promise<TipCheck> {
  if (!tip) return { fullPath: 'first-export' };
  if (ctx.settings.force) return { fullPath: 'force' };
  if (!ctx.configHash) return { fullPath: 'disabled' };
  const raw = await ctx.readCommit(tip);
  const message = commitMessage(raw);
  const originRev = lastTrailer(message, 'originRev');
  if (!originRev) return edited(ctx, tip, 'it is not a Ferry export commit');
  // Another configuration (or a Ferry that recorded less): the full path, as the config says.
  if (lastTrailer(message, 'config') !== ctx.configHash) return { fullPath: 'config-changed' };
  const own = ctx.settings.committer ?? DEFAULT_COMMITTER;
  const committer = commitIdentity(raw, 'committer');
  if (committer?.name !== own.name || committer.email !== own.email)
    return edited(
      ctx,
      tip,
      `it carries Ferry's trailers but was committed by ${committer?.name ?? 'someone else'}`,
    );
  if (lastTrailer(message, 'symlinks')) return { fullPath: 'too-many-symlinks' };
  return { tip: { commit: tip, originRev, links: trailerValues(message, 'symlink') } };
}

/** The full path because the target was changed by hand, said in a notice. */
export function edited(ctx: ExportBuildContext, tip: string, why: string): FullPath {
  return {
    fullPath: 'target-edited',
    notice: {
      severity: 'notice',
      code: 'target-edited',
      message: `${ctx.targetLabel} ${ctx.settings.branch} was changed by hand since Ferry's last export (${why}; tip ${tip.slice(0, 12)}): this run compared the whole tree instead of the changed paths.`,
    },
  };
}

/**
 * The trailers that record the exported symlinks (target paths), one a line; past
 * MAX_LISTED_SYMLINKS, or for a path a trailer line cannot carry, only their number.
 */
export function symlinkTrailers(links: Iterable<string>): Trailer[] {
  const list = [...links].sort();
  const listable = list.every((p) => /^[^\s][^\n\r]*$/.test(p) && !/\s$/.test(p));
  if (list.length > MAX_LISTED_SYMLINKS || !listable) return [['symlinks', String(list.length)]];
  return list.map((p) => ['symlink', p] as const);
}
