import * as path from 'node:path';
import { RemoteError, ConfigurationError } from '../errors.js';
import { createGitAuth } from '../git/git-auth-helper.js';
import { GitError, type GitCommandManager } from '../git/git-command-manager.js';
import { isLocalRemote, remoteLabel, resolveRemote } from '../git/remote.js';
import { fetchRefs, lsRemote, pushRefs } from '../git/transport.js';
import type { Logger } from '../logger.js';
import { newResult, summarizeChanges, type TargetResult } from '../report/result.js';
import {
  diffTrees,
  effectiveBase,
  formatTrailers,
  mergeWiki,
  parseTrailers,
  treesEqual,
  type WikiEdit,
} from './merge.js';
import type { WikiPlan } from './plan.js';
import type { WikiSource } from './source.js';
import type { WikiAudience, WikiSettings, WikiTargetSettings, WikiTree } from './types.js';
import { DEFAULT_AUTHOR } from './types.js';
import {
  blobId,
  commitTree,
  createScratchRepo,
  lastFerryCommit,
  readWikiTree,
  writeBlobs,
  writeTree,
} from './wiki-git.js';

/**
 * One wiki: fetch it, merge what Ferry generated with what it has, commit when the tree changed,
 * push without force (rebuilding on a moved wiki), and report.
 */
const WORK_REF = 'refs/ferry/wiki';
const PUSH_ATTEMPTS = 3;

export interface WikiTargetOutcome {
  result: TargetResult;
  /** Wiki-side edits to bring back (bidirectional). */
  edits: WikiEdit[];
  /** The scratch repo holding the wiki's objects, for the sync-back; clean up when done. */
  scratch?: { git: GitCommandManager; cleanup: () => Promise<void> };
}

export function wikiUrl(spec: string, serverUrl?: string): string {
  return resolveRemote(
    spec,
    serverUrl ?? (process.env.GITHUB_SERVER_URL || 'https://github.com'),
    '.wiki.git',
  );
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

async function probe(
  git: GitCommandManager,
  url: string,
  audience: WikiAudience,
  branchSetting: string | undefined,
  logger: Logger,
): Promise<{ branch: string; tip?: string }> {
  let refs: Map<string, string>;
  try {
    refs = await lsRemote(git, url, [], { logger });
  } catch (e) {
    if (e instanceof RemoteError && /was not found/.test(e.message))
      throw uninitializedWikiError(audience, url);
    throw e;
  }
  let branch = branchSetting;
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

function commitMessage(template: string, audience: WikiAudience, source: WikiSource): string {
  return template
    .replace(/\{wiki\}/g, audience)
    .replace(/\{rev\}/g, source.rev)
    .replace(/\{short\}/g, source.rev.slice(0, 12))
    .replace(/\{source\}/g, source.prefix || '.');
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
  const auth = await createGitAuth({
    token: target.token,
    serverUrl: settings.serverUrl ?? process.env.GITHUB_SERVER_URL,
  });
  const scratch = await createScratchRepo(source.git.with({ env: auth.env }), source.objectsDir);
  const git = scratch.git;
  const outcome: WikiTargetOutcome = { result, edits: [], scratch };
  try {
    // Page texts whose links were rewritten become new blobs (ids computed here, written only when
    // a commit is made); everything else reuses the source blob.
    const rewritten = plan.files.filter((f) => f.content);
    const newOid = new Map(rewritten.map((f) => [f.wikiPath, blobId(f.content!)]));
    const ours: WikiTree = new Map(
      plan.files.map((f) => [f.wikiPath, { mode: f.mode, oid: newOid.get(f.wikiPath) ?? f.oid }]),
    );
    let blobsWritten = false;

    for (let attempt = 1; ; attempt++) {
      const { branch, tip } = await probe(git, url, audience, target.branch, logger);
      if (tip) await fetchRefs(git, url, [`+refs/heads/${branch}:${WORK_REF}`], { logger });
      const theirs = await readWikiTree(git, tip ? WORK_REF : undefined);
      const last = await lastFerryCommit(git, tip ? WORK_REF : undefined);
      const trailers = last ? parseTrailers(last.message) : { pending: new Map<string, string>() };
      const base = last ? effectiveBase(await readWikiTree(git, last.sha), trailers.pending) : new Map();
      const merged = mergeWiki(base, ours, theirs, settings.direction);
      outcome.edits = merged.wikiEdits;
      const changes = diffTrees(theirs, merged.tree);
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
        wiki: remoteLabel(url),
        branch,
        pages: plan.pages,
        assets: plan.assets,
        lastSync: last ? { commit: last.sha, originRev: trailers.originRev ?? null } : null,
        wikiEdits: merged.wikiEdits.map((e) => ({ page: e.path, change: e.change, conflict: e.conflict })),
      };
      if (!last && merged.overwritten.length)
        result.findings.push({
          severity: 'notice',
          code: 'wiki-first-sync',
          message: `First Ferry sync of the ${audience} wiki: its existing content (${merged.overwritten.slice(0, 10).join(', ')}${merged.overwritten.length > 10 ? `, and ${merged.overwritten.length - 10} more` : ''}) is replaced; it stays in the wiki's history.`,
        });
      else
        for (const p of merged.overwritten)
          result.findings.push({
            severity: 'warning',
            code: 'wiki-edit-overwritten',
            message: `${p} was edited in the ${audience} wiki since the last sync; direction push replaced it with the source version (it stays in the wiki's history). Use direction bidirectional to bring wiki edits back.`,
          });
      const tipTreeSame = treesEqual(merged.tree, theirs);
      if (tip && tipTreeSame) {
        result.changed = false;
        result.message = `${audience} wiki up to date (${plan.pages.length} pages)`;
        result.commit = tip;
        return outcome;
      }
      if (!blobsWritten) {
        const written = await writeBlobs(
          git,
          rewritten.map((f) => f.content!),
        );
        if (written.some((oid, i) => oid !== newOid.get(rewritten[i].wikiPath)))
          throw new Error('internal: git computed different blob ids (is the source repository SHA-256?)');
        blobsWritten = true;
      }
      const tree = await writeTree(git, merged.tree);
      const message = `${commitMessage(settings.commitMessage, audience, source)}\n\n${formatTrailers(source.rev, merged.pending)}\n`;
      const commit = await commitTree(
        git,
        tree,
        tip ? [tip] : [],
        message,
        settings.author ?? DEFAULT_AUTHOR,
      );
      result.commit = commit;
      result.changed = true;
      if (settings.dryRun) {
        result.message = `would update the ${audience} wiki: ${describe(result.counts)}`;
        return outcome;
      }
      const pushed = await pushRefs(git, url, [`${commit}:refs/heads/${branch}`], { logger });
      const status = pushed.refs.get(`refs/heads/${branch}`)?.status;
      if (pushed.ok) {
        result.message = `updated the ${audience} wiki: ${describe(result.counts)}`;
        return outcome;
      }
      if (status === 'rejected-stale' && attempt < PUSH_ATTEMPTS) {
        logger.info(
          `${audience} wiki moved during the sync; rebuilding on its new tip (attempt ${attempt + 1})`,
        );
        continue;
      }
      throw new RemoteError(
        `The push to the ${audience} wiki ${remoteLabel(url)} was rejected (${status ?? 'unknown'}): ${pushed.stderr.trim().split('\n').slice(-3).join(' ')}`,
      );
    }
  } catch (e) {
    result.success = false;
    result.changed = false;
    // Config and remote failures (and git failures after retries) are the user's to act on: no stack.
    const known = e instanceof ConfigurationError || e instanceof GitError;
    result.message = known
      ? (e as Error).message
      : `internal error: ${e instanceof Error ? e.message : String(e)}`;
    if (!known) logger.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    return outcome;
  } finally {
    await auth.cleanup();
  }
}

function pickCounts(c: ReturnType<typeof summarizeChanges>): Record<string, number> {
  return { added: c.added, modified: c.modified, deleted: c.deleted };
}

function describe(counts: Record<string, number>): string {
  return `${counts.added ?? 0} added, ${counts.modified ?? 0} modified, ${counts.deleted ?? 0} deleted`;
}
