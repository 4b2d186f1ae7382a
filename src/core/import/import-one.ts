/**
 * One pull request, from its pinned head to the private import branch: find and check the public
 * base, trace every changed path back, run the gates on what comes in, apply the change on R, and
 * hand it to the branch writer (private-branch.ts). Every stop before the push writes nothing.
 */
import type { ExportBuildContext } from '../export/types.js';
import { runSafetyGates } from '../export/gates.js';
import type { BlobReader } from '../git/cat-file.js';
import type { GitCommandManager } from '../git/git-command-manager.js';
import { commitTree } from '../git/index-builder.js';
import { RemoteError } from '../errors.js';
import type { MapRule } from '../export/path-map.js';
import type { Logger } from '../logger.js';
import { hasErrors, newResult, summarizeChanges, type Finding } from '../report/result.js';
import type { SafetySettings } from '../safety/types.js';
import { DEFAULT_COMMITTER } from '../export/types.js';
import { applyOnRevision } from './apply.js';
import { checkBaseAlongPaths, type BaseDrift } from './base-check.js';
import { classifyChanges, describeRefusal, type SourceChange } from './classify.js';
import { authorOf, importMessage } from './message.js';
import { writeImportBranch } from './private-branch.js';
import { findPublicBase } from './public-side.js';
import { hasCommit, rememberObjects, treeOfCommit } from './objects.js';
import { remoteRef } from './remote-refs.js';
import type {
  ImportResult,
  ImportSettings,
  ImportStatus,
  PublicPullRequest,
  PullRequestHost,
  RefusedPath,
} from './types.js';

export interface ImportJob {
  settings: ImportSettings;
  host: PullRequestHost;
  logger: Logger;
  /** The scratch repository (sees the private checkout's objects). */
  git: GitCommandManager;
  scratchDir: string;
  source: GitCommandManager;
  ctx: ExportBuildContext;
  mapRules: readonly MapRule[];
  safety: SafetySettings;
  blobs: BlobReader;
  publicUrl: string;
  privateUrl: string;
  /** The first pull request of the run, asked for while the run was set up. */
  first?: { n: number; pr: Promise<PublicPullRequest> };
}

/** Hidden marker of Ferry's comment on a refused pull request (one comment per refused head). */
export const REFUSED_MARKER = (head: string) => `<!-- ferry-import:refused ${head} -->`;

export async function importOne(job: ImportJob, n: number): Promise<ImportResult> {
  const t0 = performance.now();
  const s = job.settings;
  const { git, host, logger } = job;
  const result = newResult(`${s.publicSlug}#${n}`, 'import', !!s.dryRun);
  result.direction = 'pull';
  const branch = `ferry/import/${s.publicSlug.replace('/', '-')}-${n}`;
  const pr = await (job.first?.n === n ? job.first.pr : host.getPublic(n));
  result.details = {
    pullRequest: { repo: s.publicSlug, number: n, url: pr.url, head: pr.headSha, author: pr.author.login },
    status: 'imported',
    publicBase: null,
    base: null,
    baseBranch: s.baseBranch,
    branch,
    pushed: false,
    attempts: 0,
    refused: [],
    coAuthors: [],
    privatePullRequest: null,
    publicComment: false,
  };
  const d = result.details;
  const stop = (status: ImportStatus, message: string, findings: Finding[] = [], ok = false) => {
    d.status = status;
    result.success = ok;
    result.message = message;
    result.findings.push(...findings);
    result.durationMs = Math.round(performance.now() - t0);
    return result;
  };
  if (pr.state !== 'open') return stop('closed', `${result.target} is closed: nothing to import.`, [], true);

  // The head is pinned from git, never from the files API (which stops at 3,000 files).
  const prRef = remoteRef(git, job.publicUrl, `refs/pull/${n}/head`, `refs/ferry/pr/${n}`, logger, {
    has: (sha) => hasCommit(job.blobs, sha),
  });
  const head = await prRef.bring();
  if (!head)
    throw new RemoteError(
      `${remoteLabelOf(job)} has no refs/pull/${n}/head: is ${n} a pull request of ${s.publicSlug}?`,
    );
  d.pullRequest.head = head;
  if (head !== pr.headSha) return stop('head-moved', movedMessage(result.target), [moved(result.target)]);

  const found = await findPublicBase(git, head, prRef.deepen, logger);
  if (!found)
    return stop(
      'refused',
      `${result.target} is not based on a Ferry export: no commit on its first-parent line carries Ferry-Origin-Rev.`,
      [
        {
          severity: 'error',
          code: 'import-no-base',
          message: `${result.target}: no commit on its first-parent line carries a Ferry-Origin-Rev trailer, so Ferry cannot tell which private revision it changes. Ask the contributor to rebase on the public main branch.`,
        },
      ],
    );
  if ('diverged' in found)
    return stop('echo', `${result.target} merged Ferry exports from diverging histories: not imported.`, [
      {
        severity: 'error',
        code: 'import-echo',
        message: `${result.target} merged Ferry export commits (${found.diverged.map((c) => c.slice(0, 7)).join(', ')}) that are not on one line of history, so no single export is its base. Ask the contributor to rebase on the public main branch.`,
      },
    ]);
  const base = found;
  d.publicBase = base.commit;
  d.base = base.originRev;
  // R's commit, read through the one object reader: it exists, and its tree is the import's base.
  const [rTree, baseTree] = await Promise.all([
    treeOfCommit(job.blobs, base.originRev),
    treeOfCommit(job.blobs, base.commit),
  ]);
  if (!rTree)
    throw new RemoteError(
      `The public base ${base.commit.slice(0, 7)} was exported from ${base.originRev}, which the private checkout ${job.source.cwd} does not hold. Check it out with its history (actions/checkout: fetch-depth: 0).`,
    );

  // Only the pull request's own commits count: those after its base (merged exports are behind it).
  const { commits } = base;
  const publicChanges = await base.changes;
  if (head === base.commit || commits.exports.length || (base.merged.length && !publicChanges.length))
    return stop('echo', `${result.target} carries Ferry's own export commits: not imported (no echo).`, [
      {
        severity: 'error',
        code: 'import-echo',
        message: `${result.target} ${head === base.commit ? 'is' : commits.exports.length ? 'contains' : 'changes nothing but merging'} a Ferry export commit (Ferry-Origin-Rev): Ferry never imports its own exports.`,
      },
    ]);

  // The public base must be what an export of R gives, along every path the pull request changes.
  const { ctx } = job;
  // R's tree objects along the changed paths are read once: by the base check, then by the writer.
  const trees = rememberObjects(job.blobs);
  const { projected, drift } = await checkBaseAlongPaths(trees, ctx, {
    baseTree: baseTree ?? (await git.exec(['rev-parse', '--verify', `${base.commit}^{tree}`])),
    originRev: base.originRev,
    originTree: rTree,
    publicPaths: publicChanges.map((c) => c.path),
  });
  if (drift.length)
    return stop(
      'hand-edited',
      `The public base ${base.commit.slice(0, 7)} of ${result.target} differs from the export of ${base.originRev.slice(0, 7)} in ${drift.length} path(s) the pull request changes: it was edited by hand. Export again, then import.`,
      drift.slice(0, 20).map((c) => ({
        severity: 'error' as const,
        code: 'import-hand-edited',
        file: c.path,
        message: `${c.path} at the public base is not what the export of ${base.originRev.slice(0, 7)} gives (${DRIFT_WORDS[c.kind]}).`,
      })),
    );

  const classified = await classifyChanges({
    changes: publicChanges,
    projected,
    rules: job.mapRules,
    select: ctx.select,
    isPreserved: ctx.isPreserved,
    readLink: async (oid) => (await job.blobs.read(oid))?.toString('utf8') ?? '',
    exists: (p) => git.tryExec(['cat-file', '-e', `${head}:${p}`]),
  });
  const changes = classified.changes;
  result.changes = changes.map((c) => ({ path: c.sourcePath, change: c.change }));
  result.counts = { ...summarizeChanges(result.changes), commits: 0 };
  const gateFindings = await runImportGates(job, changes);
  if (classified.refused.length || hasErrors(gateFindings)) {
    d.refused = classified.refused;
    const findings = [...classified.refused.map(refusalFinding), ...gateFindings];
    if (!s.dryRun)
      d.publicComment = await host.commentPublic(
        n,
        REFUSED_MARKER(head),
        refusalComment(classified.refused, gateFindings),
      );
    return stop(
      'refused',
      `${result.target} was not imported: ${classified.refused.length} path(s) cannot be taken back, ${gateFindings.filter((f) => f.severity === 'error').length} gate finding(s).`,
      findings,
    );
  }
  result.findings.push(...gateFindings);

  const treeOnR = await applyOnRevision(git, rTree, changes, job.scratchDir, trees);
  if (treeOnR === rTree)
    return stop(
      'already-landed',
      `${result.target} changes nothing in the private tree: already landed.`,
      [],
      true,
    );
  const msg = importMessage({
    pr,
    repo: s.publicSlug,
    head,
    base: base.originRev,
    commitAuthors: commits.authors,
  });
  d.coAuthors = msg.coAuthors;
  const author = authorOf(pr);
  const committer = s.committer ?? DEFAULT_COMMITTER;
  const onR = await commitTree(git, treeOnR, [base.originRev], msg.message, author, committer);

  const written = await writeImportBranch(job, {
    n,
    pr,
    head,
    prRef,
    branch,
    onR,
    onRTree: treeOnR,
    base: base.originRev,
    message: msg.message,
    author,
    committer,
  });
  d.status = written.status;
  d.pushed = written.pushed;
  d.attempts = written.attempts;
  d.privatePullRequest = written.privatePullRequest;
  if (written.commit) result.commit = written.commit;
  result.counts.commits = written.pushed || (s.dryRun && written.commit) ? 1 : 0;
  result.changed = written.pushed || (!!s.dryRun && !!written.commit);
  result.findings.push(...written.findings);
  result.success = !hasErrors(result.findings);
  result.message = written.message;
  result.durationMs = Math.round(performance.now() - t0);
  return result;
}

/** The export's gates, run on what comes in: no forbidden path and no secret may be added. */
async function runImportGates(job: ImportJob, changes: readonly SourceChange[]): Promise<Finding[]> {
  if (!changes.length) return [];
  return runSafetyGates({
    changes: changes.map((c) => ({
      sourcePath: c.sourcePath,
      targetPath: c.sourcePath,
      change: c.change,
      ...(c.oid ? { oid: c.oid, mode: c.mode } : {}),
    })),
    exportedSourcePaths: new Set(),
    sourcePaths: new Set(),
    targetFileCount: 0,
    readBlob: (oid) => job.blobs.read(oid),
    // The import closure is the export's question (what the public side may import); the next
    // export asks it of the merged change.
    settings: { ...job.safety, importCheck: false },
    context: 'import',
  });
}

function refusalFinding(r: RefusedPath): Finding {
  return { severity: 'error', code: `import-${r.reason}`, file: r.path, message: describeRefusal(r) + '.' };
}

function refusalComment(refused: readonly RefusedPath[], gates: readonly Finding[]): string {
  const lines = [
    'Ferry cannot bring this pull request into the private repository as it is:',
    '',
    ...refused.map((r) => `- ${describeRefusal(r)}`),
    ...gates.filter((f) => f.severity === 'error').map((f) => `- ${f.file ? `${f.file}: ` : ''}${f.message}`),
    '',
    'Nothing was imported. Change the pull request so that it touches only files the public repository exports, then it can be imported again.',
  ];
  return lines.join('\n');
}

function movedMessage(target: string): string {
  return `${target} moved while Ferry was importing it: nothing was written. Run the import again.`;
}

const DRIFT_WORDS: Record<BaseDrift['kind'], string> = {
  missing: 'missing there',
  extra: 'not exported',
  content: 'different content',
  ambiguous: 'two private paths map onto it',
};

export function moved(target: string): Finding {
  return { severity: 'error', code: 'import-head-moved', message: movedMessage(target) };
}

function remoteLabelOf(job: ImportJob): string {
  return job.settings.publicSlug;
}
