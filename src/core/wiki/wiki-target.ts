/**
 * One wiki: fetch it, merge what Ferry generated with what it has, commit when the tree changed,
 * push without force through the one rebuild-and-push helper (rebuilding on a moved wiki), and
 * report.
 */
import * as path from 'node:path';
import { RemoteError, ConfigurationError, isExpectedError } from '../errors.js';
import { createGitAuth } from '../git/git-auth-helper.js';
import type { GitCommandManager } from '../git/git-command-manager.js';
import { commitTree, writeBlobs, writeTreeFromEntries } from '../git/index-builder.js';
import { DEFAULT_MAX_RETRIES, rebuildAndPush, throwIfRefused } from '../git/rebuild-and-push.js';
import { isLocalRemote, remoteLabel, resolveRemote } from '../git/remote.js';
import { createScratchRepo, type ScratchRepo } from '../git/scratch-repo.js';
import { findTrailerCommit, withTrailers } from '../git/trailers.js';
import { fetchRefs, lsRemote, pushRefs } from '../git/transport.js';
import type { Logger } from '../logger.js';
import { newResult, summarizeChanges, type Finding, type ResultOf } from '../report/result.js';
import { renderTemplate, revisionPlaceholders } from '../util/placeholders.js';
import {
  diffTrees,
  effectiveBase,
  mergeWiki,
  pendingBases,
  syncTrailers,
  treesEqual,
  type MergeOutcome,
  type WikiEdit,
} from './merge.js';
import type { PlannedFile, WikiPlan } from './plan.js';
import type { WikiSource } from './source.js';
import type { WikiAudience, WikiSettings, WikiTargetSettings, WikiTree } from './types.js';
import { DEFAULT_AUTHOR } from './types.js';
import { blobId, readWikiTree } from './wiki-git.js';

const WORK_REF = 'refs/ferry/wiki';

export interface WikiTargetOutcome {
  result: ResultOf<'wiki'>;
  /** Wiki-side edits to bring back (bidirectional). */
  edits: WikiEdit[];
  /** The scratch repo holding the wiki's objects, for the sync-back; dispose of it when done. */
  scratch?: ScratchRepo;
}

/** The placeholders of the wiki commit message (docs/templates.md). */
export const WIKI_MESSAGE_PLACEHOLDERS = ['wiki', 'source', 'sha', 'short_sha'] as const;

export function wikiUrl(spec: string, serverUrl = 'https://github.com'): string {
  return resolveRemote(spec, serverUrl, '.wiki.git');
}

/** The clear error for a wiki whose git repository GitHub has not created yet. */
export function uninitializedWikiError(audience: WikiAudience, url: string): RemoteError {
  if (isLocalRemote(url))
    return new RemoteError(
      `The ${audience} wiki repository ${url} does not exist. Fix: create it (git init --bare ${url}) or correct the path.`,
    );
  const label = remoteLabel(url);
  const web = /\.wiki\.git$/.test(label) ? label.replace(/\.wiki\.git$/, '/wiki') : undefined;
  return new RemoteError(
    `The ${audience} wiki ${label} does not exist yet. GitHub serves no wiki git repository until the wiki's first page is created in the web UI. ` +
      `Fix: open ${web ?? "the repository's Wiki tab"}, click "Create the first page", save it (any content; Ferry replaces it), then run again. ` +
      `If the wiki already has pages: check that Wikis are enabled in the repository's Settings → Features and that the token can access the repository.`,
  );
}

export async function syncWikiTarget(
  audience: WikiAudience,
  target: WikiTargetSettings,
  plan: WikiPlan,
  source: WikiSource,
  settings: WikiSettings,
  logger: Logger,
): Promise<WikiTargetOutcome> {
  const result = newResult(target.repo, 'wiki', settings.dryRun);
  result.direction = settings.direction;
  let url: string;
  try {
    url = wikiUrl(target.repo, settings.serverUrl);
  } catch (e) {
    if (!(e instanceof ConfigurationError)) throw e;
    // A local path that does not exist is refused by resolveRemote as an invalid name: say what it is.
    const looksLocal = /^[./~]|\.git$/.test(target.repo) || target.repo.split('/').length > 2;
    result.success = false;
    result.message = looksLocal
      ? uninitializedWikiError(audience, path.resolve(target.repo)).message
      : e.message;
    return { result, edits: [] };
  }
  const auth = await createGitAuth({ token: target.token, serverUrl: settings.serverUrl });
  const scratch = await createScratchRepo(source.git.with({ env: auth.env }), {
    alternates: [source.objectsDir],
    name: 'wiki',
  });
  const outcome: WikiTargetOutcome = { result, edits: [], scratch };
  try {
    const wiki: WikiRemote = { git: scratch.git, url, audience, branch: target.branch, logger };
    const ours = new OurPages(plan.files);
    const message = renderTemplate(
      settings.commitMessage,
      { wiki: audience, source: source.prefix || '.', ...revisionPlaceholders(source.rev) },
      'the wiki commit message',
    );
    const loop = await rebuildAndPush({
      label: `the ${audience} wiki ${remoteLabel(url)}`,
      build: () => buildWikiCommit(wiki, ours, source.rev, message, settings),
      push: (updates) =>
        pushRefs(
          wiki.git,
          url,
          updates.map((u) => `${u.from}:${u.ref}`),
          { logger },
        ),
      dryRun: settings.dryRun,
      maxRetries: DEFAULT_MAX_RETRIES,
      logger,
    });
    throwIfRefused(loop);
    outcome.edits = loop.value.merged.wikiEdits;
    reportWikiBuild(result, loop.value, plan, wiki, settings.dryRun);
    return outcome;
  } catch (e) {
    // Config and remote failures (network failures after retries too) are the user's to act on:
    // a failed result. Anything else is a bug: it goes up with its stack (src/core/errors.ts).
    if (!isExpectedError(e)) throw e;
    result.success = false;
    result.changed = false;
    result.message = e.message;
    return outcome;
  } finally {
    await auth.cleanup();
  }
}

/** The wiki repository as the scratch repository reaches it. */
interface WikiRemote {
  git: GitCommandManager;
  url: string;
  audience: WikiAudience;
  /** The branch setting; undefined: the branch the wiki's HEAD names. */
  branch?: string;
  logger: Logger;
}

/**
 * The pages and assets Ferry generated, as a wiki tree. Page texts whose links were rewritten
 * become new blobs: their ids are computed here and the blobs written only when a commit is made;
 * everything else reuses the source blob.
 */
class OurPages {
  readonly tree: WikiTree;
  private readonly rewritten: PlannedFile[];
  private readonly newOid: Map<string, string>;
  private written = false;

  constructor(files: readonly PlannedFile[]) {
    this.rewritten = files.filter((f) => f.content);
    this.newOid = new Map(this.rewritten.map((f) => [f.wikiPath, blobId(f.content!)]));
    this.tree = new Map(
      files.map((f) => [f.wikiPath, { mode: f.mode, oid: this.newOid.get(f.wikiPath) ?? f.oid }]),
    );
  }

  /** Write the rewritten pages' blobs (once), checking that git computed the same ids. */
  async writeBlobs(git: GitCommandManager): Promise<void> {
    if (this.written) return;
    const written = await writeBlobs(
      git,
      this.rewritten.map((f) => f.content!),
    );
    if (written.some((oid, i) => oid !== this.newOid.get(this.rewritten[i].wikiPath)))
      throw new Error('internal: git computed different blob ids (is the source repository SHA-256?)');
    this.written = true;
  }
}

/** One build: the wiki as it is now, merged with ours, and the commit that would update it. */
interface WikiBuild {
  branch: string;
  /** The wiki's tip the build is based on (undefined: an empty wiki). */
  tip?: string;
  theirs: WikiTree;
  merged: MergeOutcome;
  /** Ferry's last sync commit in the wiki's history, and the revision it published. */
  last?: { commit: string; originRev: string };
  /** The new commit; undefined when the wiki already has the merged tree. */
  commit?: string;
}

async function buildWikiCommit(
  wiki: WikiRemote,
  ours: OurPages,
  rev: string,
  message: string,
  settings: WikiSettings,
): Promise<{ value: WikiBuild; updates: { ref: string; from: string }[] }> {
  const { git } = wiki;
  const { branch, tip } = await probe(wiki);
  if (tip) await fetchRefs(git, wiki.url, [`+refs/heads/${branch}:${WORK_REF}`], { logger: wiki.logger });
  const theirs = await readWikiTree(git, tip ? WORK_REF : undefined);
  const last = await findTrailerCommit(git, tip ? WORK_REF : undefined, 'originRev');
  const base = last
    ? effectiveBase(await readWikiTree(git, last.sha), pendingBases(last.message))
    : new Map();
  const merged = mergeWiki(base, ours.tree, theirs, settings.direction);
  const built: WikiBuild = {
    branch,
    tip,
    theirs,
    merged,
    last: last && { commit: last.sha, originRev: last.value },
  };
  if (tip && treesEqual(merged.tree, theirs)) return { value: built, updates: [] };
  await ours.writeBlobs(git);
  const tree = await writeTreeFromEntries(
    git,
    [...merged.tree].map(([p, e]) => ({ path: p, mode: e.mode, oid: e.oid })),
  );
  built.commit = await commitTree(
    git,
    tree,
    tip ? [tip] : [],
    withTrailers(message, syncTrailers(rev, merged.pending)),
    settings.author ?? DEFAULT_AUTHOR,
  );
  return { value: built, updates: [{ ref: `refs/heads/${branch}`, from: built.commit }] };
}

/** The wiki's branch (the setting, else the one its HEAD names) and that branch's tip. */
async function probe(wiki: WikiRemote): Promise<{ branch: string; tip?: string }> {
  let refs: Map<string, string>;
  try {
    refs = await lsRemote(wiki.git, wiki.url, [], { logger: wiki.logger });
  } catch (e) {
    if (e instanceof RemoteError && /was not found/.test(e.message))
      throw uninitializedWikiError(wiki.audience, wiki.url);
    throw e;
  }
  let branch = wiki.branch;
  if (!branch) {
    const head = refs.get('HEAD');
    const named = [...refs]
      .filter(([r, s]) => r.startsWith('refs/heads/') && s === head)
      .map(([r]) => r.slice(11));
    branch = named.includes('master')
      ? 'master'
      : (named[0] ??
        (refs.has('refs/heads/master') ? 'master' : refs.has('refs/heads/main') ? 'main' : 'master'));
  }
  return { branch, tip: refs.get(`refs/heads/${branch}`) };
}

/** The result of the final build: changes, counts, details, findings and the message. */
function reportWikiBuild(
  result: ResultOf<'wiki'>,
  built: WikiBuild,
  plan: WikiPlan,
  wiki: WikiRemote,
  dryRun: boolean,
): void {
  const { merged } = built;
  const { audience } = wiki;
  const changes = diffTrees(built.theirs, merged.tree);
  result.changes = changes;
  result.counts = {
    pages: plan.pages.length,
    assets: plan.assets.length,
    ...pickCounts(summarizeChanges(changes)),
    wikiEdits: merged.wikiEdits.filter((e) => !e.conflict).length,
    conflicts: merged.wikiEdits.filter((e) => e.conflict).length,
  };
  result.details = {
    audience,
    wiki: remoteLabel(wiki.url),
    branch: built.branch,
    pages: plan.pages,
    assets: plan.assets,
    lastSync: built.last ?? null,
    wikiEdits: merged.wikiEdits.map((e) => ({ page: e.path, change: e.change, conflict: e.conflict })),
  };
  result.findings.push(...overwriteFindings(merged, audience, !built.last));
  if (!built.commit) {
    result.changed = false;
    result.message = `${audience} wiki up to date (${plan.pages.length} pages)`;
    result.commit = built.tip;
    return;
  }
  result.commit = built.commit;
  result.changed = true;
  result.message = `${dryRun ? 'would update' : 'updated'} the ${audience} wiki: ${describe(result.counts)}`;
}

/** What a push replaced in the wiki: its first content (notice), or web edits since the last sync. */
function overwriteFindings(merged: MergeOutcome, audience: WikiAudience, firstSync: boolean): Finding[] {
  const o = merged.overwritten;
  if (firstSync && o.length)
    return [
      {
        severity: 'notice',
        code: 'wiki-first-sync',
        message: `First Ferry sync of the ${audience} wiki: its existing content (${o.slice(0, 10).join(', ')}${o.length > 10 ? `, and ${o.length - 10} more` : ''}) is replaced; it stays in the wiki's history.`,
      },
    ];
  if (firstSync) return [];
  return o.map((p) => ({
    severity: 'warning',
    code: 'wiki-edit-overwritten',
    message: `${p} was edited in the ${audience} wiki since the last sync; direction push replaced it with the source version (it stays in the wiki's history). Use direction bidirectional to bring wiki edits back.`,
  }));
}

function pickCounts(c: ReturnType<typeof summarizeChanges>): Record<string, number> {
  return { added: c.added, modified: c.modified, deleted: c.deleted };
}

function describe(counts: Record<string, number>): string {
  return `${counts.added ?? 0} added, ${counts.modified ?? 0} modified, ${counts.deleted ?? 0} deleted`;
}
