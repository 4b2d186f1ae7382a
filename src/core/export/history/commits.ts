import type { LogCommit } from '../../git/log-reader.js';
import { revisionPlaceholders } from '../../util/placeholders.js';
import { DEFAULT_COMMITTER, type ExportBuildContext, type TargetTree } from '../types.js';
import type { AuthorMap } from './author-map.js';
import type { ReplayBase } from './base.js';
import type { MessageScrubber } from './scrub.js';

/**
 * The reconciliation (or first-run snapshot) commit: the base's snapshot tree on the tip. `links`:
 * the symlinks of the base's projection (recorded in the commit, see ctx.withTrailers).
 */
export async function reconcile(
  ctx: ExportBuildContext,
  tree: TargetTree,
  parent: string | undefined,
  base: ReplayBase,
  firstRun: boolean,
  links: Iterable<string>,
): Promise<string> {
  const treeId = await ctx.writeTree(tree);
  const committer = ctx.settings.committer ?? DEFAULT_COMMITTER;
  if (!base.rev) {
    // Replaying from the root onto a target that has other files: clear it first.
    return ctx.commit({
      tree: treeId,
      parents: parent ? [parent] : [],
      message: 'Prepare the target for a history export from the root\n',
      committer: { ...committer, date: '@0 +0000' },
      author: { ...committer, date: '@0 +0000' },
    });
  }
  const src = await ctx.readSourceCommit(base.rev);
  // Deterministic: dated like the base commit, so racing runs make the same reconciliation.
  const date = base.committerDate;
  const message = firstRun
    ? ctx.formatMessage(src, links)
    : ctx.withTrailers(
        `Reconcile with the current export configuration at ${base.rev.slice(0, 7)}\n\n` +
          `The allowlist, map or preserve rules changed since the last export (or the target was edited):\n` +
          `this commit brings the target to the current selection of ${base.rev}.\n` +
          `The replayed commits that follow continue from there.`,
        base.rev,
        links,
      );
  return ctx.commit({
    tree: treeId,
    parents: parent ? [parent] : [],
    message,
    committer: { ...committer, date },
    author: { ...(ctx.settings.author ?? committer), date },
  });
}

/**
 * The replayed commit's message as published: scrubbed, authors mapped, then the origin and config
 * trailers (the config trailer lets the next run start without listing any tree, see
 * quick-start.ts). `text` is for the gates and, usually, the commit itself. `bytes` are written
 * instead when the text would not give the source's bytes back: a message that is not UTF-8
 * (replaced characters in the text), or one stored in another encoding (git gave it re-encoded).
 * Those bytes are the source's, with the trailers (ASCII) after them, and the commit keeps the
 * source's encoding header. A message that scrubbing or the author map changed is published as
 * the text. `readObject` reads the stored commit (the replay's cat-file --batch reader).
 */
export async function publishedMessage(
  c: LogCommit,
  scrubber: MessageScrubber,
  authors: AuthorMap,
  ctx: ExportBuildContext,
  links: Iterable<string>,
  readObject: (oid: string) => Promise<Buffer | undefined>,
): Promise<{ text: string; bytes?: Buffer; encoding?: string }> {
  const listed = [...links];
  const body = authors.mapMessage(scrubber.scrub(c.message, scrubValues(ctx, c.sha)));
  // Trailers copied along from a re-exported source are replaced by this export's.
  const text = ctx.withTrailers(body, c.sha, listed);
  const foreign = c.encoding !== undefined && !/^utf-?8$/i.test(c.encoding);
  if ((!c.rawMessage && !foreign) || body !== c.message) return { text };
  const raw = foreign ? storedMessage(c.sha, await readObject(c.sha)) : c.rawMessage!;
  // Latin-1 maps each byte to one character and back: the trailer logic sees lines and ASCII keys.
  const bytes = Buffer.from(ctx.withTrailers(raw.toString('latin1'), c.sha, listed), 'latin1');
  return { text, bytes, ...(foreign ? { encoding: c.encoding } : {}) };
}

/** A commit's message bytes as stored (after the header's blank line). */
function storedMessage(sha: string, commit: Buffer | undefined): Buffer {
  if (!commit) throw new Error(`internal: source commit ${sha} is not readable`);
  const at = commit.indexOf('\n\n');
  return at < 0 ? Buffer.alloc(0) : commit.subarray(at + 2);
}

/** The placeholders of the scrub template (docs/templates.md). */
export function scrubValues(ctx: ExportBuildContext, sha: string): Record<string, string> {
  return { ...(ctx.settings.vars ?? {}), ...revisionPlaceholders(sha), source_repo: ctx.sourceRepo };
}
