/**
 * Where a replay starts. The only state is the target's newest `Ferry-Origin-Rev:` trailer:
 *  - `trailer`: the last exported revision; replay what came after it.
 *  - `since`:   first run with `since REV`: a snapshot commit of REV, then replay REV..source.
 *     Also when REV is newer than the last exported revision (skip ahead: a reconciliation
 *     commit at REV). An older REV is ignored, so a `since` left in a workflow does no harm.
 *  - `snapshot`: first run without `since`: one snapshot commit of the source revision; later
 *     runs replay from there.
 *  - `root`:    first run with `since: root`: replay the whole first-parent history.
 *  - `ahead`:   the target already carries a newer revision than the one asked for: nothing to do.
 */
import { ConfigurationError } from '../../errors.js';
import { commitHeaders, commitIdentity } from '../../git/index-builder.js';
import type { ExportBuildContext } from '../types.js';
import { SINCE_ROOT } from './settings.js';
import { settingAssign, settingName } from '../../settings/surface.js';

export interface ReplayBase {
  kind: 'trailer' | 'since' | 'snapshot' | 'root' | 'ahead';
  /** The base revision (exclusive start of the replay); undefined for `root`. */
  rev?: string;
  /** The base's committer date as `@<epoch> <tz>` (dates the reconciliation commit). */
  committerDate: string;
  note: string;
}

export async function resolveBase(ctx: ExportBuildContext, tip: string | undefined): Promise<ReplayBase> {
  const s = ctx.settings;
  const src = ctx.sourceGit;
  const head = ctx.sourceCommit;
  const last = s.force ? undefined : await ctx.lastExportedRev(tip);
  // The common case, without a git process: the last export is a few first parents below head.
  const noSince = !s.since || s.since.trim().toLowerCase() === SINCE_ROOT;
  const near = last && noSince ? await firstParentAncestor(ctx, last, head) : undefined;
  if (near) return { kind: 'trailer', rev: last, committerDate: near, note: `last exported ${last}` };
  if (last) {
    if (!(await src.tryRevParse(last))) {
      if (await src.isShallow())
        throw new ConfigurationError(
          `History mode needs the source history back to ${last}, the last exported revision, but the source checkout is shallow. Check out with fetch-depth: 0 (actions/checkout) or run git fetch --unshallow.`,
        );
      throw new ConfigurationError(
        `The last exported revision ${last} (the Ferry-Origin-Rev trailer on ${ctx.targetLabel}) is not in the source repository: was the source history rewritten? Set force to start a new target history, or fetch that revision.`,
      );
    }
    if (last === head || (await src.isAncestor(last, head))) {
      // `since` newer than the last export skips ahead (a reconciliation commit at `since`);
      // anything older is already exported and ignored, so a fixed `since` input stays harmless.
      const since =
        s.since && s.since.trim().toLowerCase() !== SINCE_ROOT ? await src.tryRevParse(s.since) : undefined;
      if (
        since &&
        since !== last &&
        (await src.isAncestor(last, since)) &&
        (await src.isAncestor(since, head))
      )
        return {
          kind: 'since',
          rev: since,
          committerDate: await dateOf(ctx, since),
          note: `skipping ahead to ${since}`,
        };
      return {
        kind: 'trailer',
        rev: last,
        committerDate: await dateOf(ctx, last),
        note: `last exported ${last}`,
      };
    }
    if (await src.isAncestor(head, last))
      return {
        kind: 'ahead',
        rev: last,
        committerDate: '',
        note: `${ctx.targetLabel} already carries ${last}, which is newer than ${head}: nothing to replay.`,
      };
    throw new ConfigurationError(
      `The last exported revision ${last} is not an ancestor of ${head}: the source history diverged from what was exported. Export a revision that contains ${last.slice(0, 7)}, or set force to start a new target history.`,
    );
  }
  if (s.since && s.since.trim().toLowerCase() === SINCE_ROOT) {
    if (await src.isShallow())
      throw new ConfigurationError(
        `${settingAssign('since', SINCE_ROOT)} replays the whole history, but the source checkout is shallow. Check out with fetch-depth: 0.`,
      );
    return { kind: 'root', committerDate: '@0 +0000', note: 'replaying from the root commit' };
  }
  if (s.since) {
    const rev = await src.tryRevParse(s.since);
    if (!rev)
      throw new ConfigurationError(
        `${settingName('since')}: revision '${s.since}' was not found in the source repository${(await src.isShallow()) ? ' (the checkout is shallow: use fetch-depth: 0)' : ''}.`,
      );
    if (rev !== head && !(await src.isAncestor(rev, head)))
      throw new ConfigurationError(
        `since: ${s.since} (${rev.slice(0, 7)}) is not an ancestor of ${head.slice(0, 7)}.`,
      );
    return { kind: 'since', rev, committerDate: await dateOf(ctx, rev), note: `first run, since ${rev}` };
  }
  return {
    kind: 'snapshot',
    rev: head,
    committerDate: await dateOf(ctx, head),
    note: 'first run: snapshot commit',
  };
}

/** firstParentAncestor asks for this many first parents at once, then for the rest up to NEAR_COMMITS. */
const NEAR_FIRST = 16;
const NEAR_COMMITS = 64;

/**
 * The committer date of `last` (`@<epoch> <tz>`) when it is the source commit or one of its
 * NEAR_COMMITS first-parent ancestors, else undefined (then git answers, as before). The commits
 * `head~0`, `head~1`, ... are asked of the export's `cat-file --batch` reader together (a write or
 * two, and no git process, instead of rev-parse, merge-base and show). Only commits reached from the source
 * commit are read, so one found this way is in the source and an ancestor of it.
 */
async function firstParentAncestor(
  ctx: ExportBuildContext,
  last: string,
  head: string,
): Promise<string | undefined> {
  // The id of the commit read next: head~n is the first parent named by head~(n-1).
  let sha: string | undefined = head;
  for (const [from, to] of [
    [0, NEAR_FIRST],
    [NEAR_FIRST, NEAR_COMMITS + 1],
  ]) {
    const texts = await Promise.all(
      Array.from({ length: to - from }, (_, i) => ctx.readObject(`${head}~${from + i}`)),
    );
    for (const body of texts) {
      const raw = body?.toString('utf8');
      if (!raw?.startsWith('tree ')) return undefined;
      if (sha === last) return commitIdentity(raw, 'committer')?.date;
      sha = commitHeaders(raw).parent;
      if (!sha) return undefined;
    }
  }
  return undefined;
}

async function dateOf(ctx: ExportBuildContext, rev: string): Promise<string> {
  const raw = await ctx.sourceGit.exec(['show', '-s', '--date=raw', '--format=%cd', rev]);
  return `@${raw.trim()}`;
}
