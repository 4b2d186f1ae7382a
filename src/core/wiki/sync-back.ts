/**
 * Bidirectional: wiki edits come back into the source folder as one commit on a branch of the
 * source repository, parented on the published revision. Pages map back to their files and their
 * wiki links back to relative links. A conflict never overwrites the source file: the wiki's
 * version is written beside it as `<file>.wiki-conflict.md` (`.public-wiki-conflict.md` for the
 * public wiki).
 */
import { ConfigurationError } from '../errors.js';
import { BlobReader } from '../git/cat-file.js';
import type { GitCommandManager } from '../git/git-command-manager.js';
import { commitTree, writeBlobs, writeTreeIncremental } from '../git/index-builder.js';
import { lastTrailer, withTrailers } from '../git/trailers.js';
import type { Finding } from '../report/result.js';
import { settingName } from '../settings/surface.js';
import { sourceLinkFor } from './link-targets.js';
import { rewriteLinks } from './markdown-links.js';
import type { WikiEdit } from './merge.js';
import {
  CONFLICT_SUFFIX,
  isMarkdown,
  PUBLIC_CONFLICT_SUFFIX,
  sourceForNewWikiFile,
  type PageMap,
} from './page-map.js';
import type { WikiSource } from './source.js';
import type { WikiAudience } from './types.js';

export interface SyncBackFile {
  /** Path in the source repository. */
  path: string;
  change: 'added' | 'modified' | 'deleted';
  from: WikiAudience;
  wikiPath: string;
  conflict: boolean;
}

export interface SyncBackOutcome {
  branch: string;
  /** The branch commit (made, or that would be made in a dry run); undefined when nothing came back. */
  commit?: string;
  /** Whether the branch was moved (false in a dry run or when it already had this tree). */
  updated: boolean;
  files: SyncBackFile[];
  findings: { from: WikiAudience; finding: Finding }[];
}

export interface WikiEditsFrom {
  audience: WikiAudience;
  edits: WikiEdit[];
  git: GitCommandManager;
}

export function conflictCopyPath(sourcePath: string, audience: WikiAudience): string {
  return sourcePath + (audience === 'public' ? PUBLIC_CONFLICT_SUFFIX : CONFLICT_SUFFIX);
}

/** A change that could not come back as it is, reported on the wiki it came from. */
function conflictFinding(
  from: WikiAudience,
  file: string,
  message: string,
): SyncBackOutcome['findings'][number] {
  return { from, finding: { severity: 'warning', code: 'wiki-conflict', file, message } };
}

export async function syncBack(
  source: WikiSource,
  map: PageMap,
  home: string,
  inputs: readonly WikiEditsFrom[],
  opts: { branch: string; dryRun: boolean; author: { name: string; email: string } },
): Promise<SyncBackOutcome> {
  const out: SyncBackOutcome = { branch: opts.branch, updated: false, files: [], findings: [] };
  const full = (p: string) => (source.prefix ? `${source.prefix}/${p}` : p);
  const planned = new Map<string, { content?: Buffer; mode: string; file: SyncBackFile }>();
  for (const input of inputs) {
    const reader = new BlobReader(input.git);
    try {
      for (const e of input.edits) {
        const src = map.sourceOfWikiPath.get(e.path) ?? sourceForNewWikiFile(e.path, home);
        let content: Buffer | undefined;
        if (e.oid) {
          const raw = await reader.read(e.oid);
          if (!raw) throw new Error(`internal: wiki blob ${e.oid} missing`);
          content = isMarkdown(src)
            ? Buffer.from(
                rewriteLinks(raw.toString('utf8'), (s) =>
                  s.kind === 'wikilink' ? undefined : sourceLinkFor(map, src, s.target),
                ),
                'utf8',
              )
            : raw;
        }
        let target = src;
        let conflict = e.conflict;
        const earlier = planned.get(full(src));
        if (earlier && !(earlier.content && content && earlier.content.equals(content))) conflict = true;
        else if (earlier) continue; // both wikis made the same edit
        if (conflict) {
          if (!content) {
            out.findings.push(
              conflictFinding(
                input.audience,
                full(src),
                `${e.path} was deleted in the ${input.audience} wiki but changed in the source; the source file is kept. Delete it by hand if the deletion was meant.`,
              ),
            );
            continue;
          }
          target = conflictCopyPath(src, input.audience);
        }
        const file: SyncBackFile = {
          path: full(target),
          change: conflict ? 'added' : e.change,
          from: input.audience,
          wikiPath: e.path,
          conflict,
        };
        planned.set(full(target), { content, mode: '100644', file });
        if (conflict)
          out.findings.push(
            conflictFinding(
              input.audience,
              full(src),
              `${e.path} changed both in the source and in the ${input.audience} wiki; the wiki version is on branch ${opts.branch} as ${full(target)}. Merge it into ${full(src)}, delete the copy, and merge the branch.`,
            ),
          );
      }
    } finally {
      await reader.close();
    }
  }
  if (planned.size === 0) return out;
  const entries = [...planned.values()];
  const withContent = entries.filter((e) => e.content);
  const oids = await writeBlobs(
    source.git,
    withContent.map((e) => e.content!),
  );
  const oidOf = new Map(withContent.map((e, i) => [e.file.path, oids[i]]));
  const changes = entries.map((e) => ({
    path: e.file.path,
    mode: e.mode,
    oid: oidOf.get(e.file.path) ?? '',
  }));
  const tree = await writeTreeIncremental(source.git, `${source.rev}^{tree}`, changes);
  out.files = entries.map((e) => e.file);
  const ref = `refs/heads/${opts.branch}`;
  const head = await source.git.execRaw(['symbolic-ref', '-q', 'HEAD'], { allowedExitCodes: [1, 128] });
  if (head.stdout.toString().trim() === ref)
    throw new ConfigurationError(
      `The sync-back branch '${opts.branch}' is checked out in ${source.root}; Ferry will not move a checked-out branch. Fix: check out another branch (e.g. main) or choose another sync-back branch.`,
    );
  const current = await source.git.tryRevParse(ref);
  if (current) await refuseForeignBranch(source.git, opts.branch, current);
  if (
    current &&
    (await source.git.exec(['rev-parse', `${current}^{tree}`])) === tree &&
    (await source.git.isAncestor(source.rev, current))
  ) {
    out.commit = current;
    return out;
  }
  const body = `Bring back wiki edits into ${source.prefix || '.'}\n\n${out.files.map((f) => `- ${f.from} wiki ${f.wikiPath} → ${f.path}${f.conflict ? ' (conflict copy)' : ''}`).join('\n')}\n`;
  const message = withTrailers(body, [['originRev', source.rev]]);
  const parents = await parentsOnBranch(source.git, source.rev, current);
  out.commit = await commitTree(source.git, tree, parents, message, opts.author);
  if (!opts.dryRun) {
    // The old value makes the update a compare-and-swap: a branch moved meanwhile is not overwritten.
    await source.git.exec([
      'update-ref',
      '-m',
      'ferry wiki: bring back wiki edits',
      ref,
      out.commit,
      current ?? '', // empty: the branch must not exist yet
    ]);
    out.updated = true;
  }
  return out;
}

/**
 * An existing sync-back branch is Ferry's only when its tip carries Ferry's trailer: any other
 * branch (`main`, a branch a person committed on) is refused, never moved.
 */
async function refuseForeignBranch(git: GitCommandManager, branch: string, tip: string): Promise<void> {
  const message = await git.exec(['log', '-1', '--format=%B', tip, '--']);
  if (lastTrailer(message, 'originRev')) return;
  throw new ConfigurationError(
    `The sync-back branch '${branch}' exists and its last commit was not written by Ferry; Ferry will not move it. Fix: choose another ${settingName('sync-back-branch')} (the default is ferry/wiki-sync), or merge and delete that branch if it holds wiki edits you committed on.`,
  );
}

/**
 * Parents that keep the branch a fast-forward: on the published revision when the branch is new or
 * already merged into it, on the branch tip when it was made from this revision or a later one,
 * else both (a merge: earlier wiki edits not yet merged stay in the branch's history).
 */
async function parentsOnBranch(git: GitCommandManager, rev: string, current?: string): Promise<string[]> {
  if (!current || (await git.isAncestor(current, rev))) return [rev];
  if (await git.isAncestor(rev, current)) return [current];
  return [rev, current];
}
