/**
 * The private side of an import: the change moved onto the base branch and written to
 * `ferry/import/<owner>-<repo>-<N>` with plain fast-forward pushes through the one push helper
 * (a branch Ferry wrote before is extended, never rewritten), then the private pull request.
 * Each build checks again that the public pull request has not moved since it was pinned.
 */
import { ConfigurationError } from '../errors.js';
import { commitHeaders, commitIdentity, commitTree, type CommitIdentity } from '../git/index-builder.js';
import { DEFAULT_MAX_RETRIES, rebuildAndPush, throwIfRefused } from '../git/rebuild-and-push.js';
import { lastTrailer } from '../git/trailers.js';
import { isLocalRemote } from '../git/remote.js';
import { pushRefs } from '../git/transport.js';
import type { Finding } from '../report/result.js';
import { moveOnto } from './apply.js';
import { moved, type ImportJob } from './import-one.js';
import { hasCommit, readCommit, treeOfCommit } from './objects.js';
import { bringRefs, type RemoteRef } from './remote-refs.js';
import type { ImportStatus, PrivatePullRequest, PublicPullRequest } from './types.js';

export interface BranchInput {
  n: number;
  pr: PublicPullRequest;
  head: string;
  prRef: RemoteRef;
  branch: string;
  /** The change as a commit on R. */
  onR: string;
  /** Its tree. */
  onRTree: string;
  /** R: the private revision the public base was exported from. */
  base: string;
  message: string;
  author: CommitIdentity;
  committer: CommitIdentity;
}

export interface BranchOutcome {
  status: ImportStatus;
  commit?: string;
  pushed: boolean;
  attempts: number;
  message: string;
  findings: Finding[];
  privatePullRequest: (PrivatePullRequest & { operation: 'created' | 'updated' | 'commented' }) | null;
}

interface Plan {
  status: ImportStatus;
  commit?: string;
  /** The commit's tree. */
  tree?: string;
  message: string;
  findings: Finding[];
  conflicts?: string[];
}

/** Hidden marker of Ferry's comment on a private pull request whose branch someone else moved on. */
const LEFT_MARKER = (head: string) => `<!-- ferry-import:left ${head} -->`;

export async function writeImportBranch(job: ImportJob, b: BranchInput): Promise<BranchOutcome> {
  const s = job.settings;
  const { git, logger } = job;
  const target = `${s.publicSlug}#${b.n}`;
  const ref = `refs/heads/${b.branch}`;
  // R as a local ref: fetches of the private branches negotiate from it instead of sending everything.
  if (!isLocalRemote(job.privateUrl)) await git.exec(['update-ref', 'refs/ferry/r', b.base]);
  const baseBranchRef = `refs/heads/${s.baseBranch}`;
  const privateRefs = async () => {
    const tips = await bringRefs(
      git,
      job.privateUrl,
      [
        { ref: baseBranchRef, local: 'refs/ferry/base' },
        { ref, local: 'refs/ferry/branch' },
      ],
      logger,
      { has: (sha) => hasCommit(job.blobs, sha) },
    );
    return [tips.get(baseBranchRef), tips.get(ref)] as const;
  };

  /** The change on R moved onto the base branch's tip: a commit there, a conflict, or nothing new. */
  const moveChange = async (tip: string): Promise<Plan> => {
    const [move, tipTree] = await Promise.all([moveOnto(git, tip, b.onR), treeOfCommit(job.blobs, tip)]);
    let plan: Plan;
    if ('conflict' in move)
      plan = {
        status: 'needs-rebase',
        commit: b.onR,
        tree: b.onRTree,
        conflicts: move.conflict,
        message: `${target} conflicts with ${s.baseBranch} in ${move.conflict.length} path(s): the import branch ${b.branch} stays on the export's revision and needs a rebase.`,
        findings: [
          {
            severity: 'warning',
            code: 'import-needs-rebase',
            message: `${target} does not apply on ${s.baseBranch} (${move.conflict.slice(0, 10).join(', ')}): ${b.branch} is based on the revision the public base was exported from. Rebase it by hand.`,
          },
        ],
      };
    else if (move.tree === tipTree)
      return {
        status: 'already-landed',
        message: `${target} is already in ${s.baseBranch}: nothing to import.`,
        findings: [],
      };
    else
      plan = {
        status: 'imported',
        commit: await commitTree(git, move.tree, [tip], b.message, b.author, b.committer),
        tree: move.tree,
        message: '',
        findings: [],
      };
    return plan;
  };

  const build = async (): Promise<{ value: Plan; updates: { ref: string; from: string }[] }> => {
    const none = (p: Plan) => ({ value: p, updates: [] });
    // Independent lookups side by side: the pull request's head (git and API), the private refs.
    // Both git processes are started before the API is asked: a host that answers synchronously
    // (or spends main-thread time on its request) then does not hold back the second spawn.
    const gitHead = b.prRef.tip();
    const refs = privateRefs();
    const [apiHead, prHead, [tip, existing]] = await Promise.all([
      job.host.getPublic(b.n).then((p) => p.headSha),
      gitHead,
      refs,
    ]);
    if (prHead !== b.head || apiHead !== b.head)
      return none({ status: 'head-moved', message: moved(target).message, findings: [moved(target)] });
    if (!tip)
      throw new ConfigurationError(
        `The private base branch '${s.baseBranch}' does not exist in ${s.privateRepo}.`,
      );
    let plan: Plan;
    // The base branch is still at R: the change on R is already the change on the base branch.
    if (tip === b.base)
      plan = { status: 'imported', commit: b.onR, tree: b.onRTree, message: '', findings: [] };
    else plan = await moveChange(tip);
    if (!plan.commit) return none(plan);
    const parent = plan.status === 'needs-rebase' ? b.base : tip;
    if (existing) {
      const raw = await readCommit(job.blobs, existing);
      if (raw === undefined)
        throw new Error(`${b.branch}: commit ${existing} was fetched but cannot be read`);
      const ours =
        lastTrailer(raw, 'import') === target &&
        commitIdentity(raw, 'committer')?.email === b.committer.email;
      if (!ours)
        return none({
          status: 'branch-edited',
          message: `${b.branch} has commits Ferry did not write: left as it is (${target} is now at ${b.head.slice(0, 7)}).`,
          findings: [
            {
              severity: 'warning',
              code: 'import-branch-edited',
              message: `${b.branch} was changed by someone else after Ferry's import; Ferry does not overwrite it. Import ${target} again after deleting the branch, or carry the change over by hand.`,
            },
          ],
        });
      // Ferry's last import, read from the commit object already in hand (no rev-parse of it).
      const last = commitHeaders(raw);
      if (plan.status === 'needs-rebase' && last.parent !== parent)
        // On top of an import made on the base branch, a tree made on R would undo the base
        // branch's newer changes: the branch keeps the previous import until someone rebases.
        return none({
          ...plan,
          commit: undefined,
          message: `${plan.message} ${b.branch} keeps its previous import.`,
        });
      const tree = plan.tree!;
      if (lastTrailer(raw, 'importHead') === b.head && last.tree === tree)
        return none({
          status: 'unchanged',
          commit: existing,
          message: `${b.branch} already holds ${target} at ${b.head.slice(0, 7)}.`,
          findings: [],
        });
      // Never rewritten: the new state goes on top of Ferry's last import (with the new base as a
      // second parent when the old branch does not hold it).
      const parents = [existing, ...((await git.isAncestor(parent, existing)) ? [] : [parent])];
      plan.commit = await commitTree(git, tree, parents, b.message, b.author, b.committer);
      if (plan.status === 'imported') plan.status = 'updated';
    }
    if (plan.status === 'imported' || plan.status === 'updated')
      plan.message = `${s.dryRun ? 'Dry run: would write' : 'Wrote'} ${b.branch}: ${target} at ${b.head.slice(0, 7)} on ${s.baseBranch}.`;
    return { value: plan, updates: [{ ref, from: plan.commit! }] };
  };

  const loop = await rebuildAndPush({
    label: s.privateRepo,
    build,
    push: (updates) =>
      pushRefs(
        git,
        job.privateUrl,
        updates.map((u) => `${u.from}:${u.ref}`),
        { logger },
      ),
    dryRun: s.dryRun,
    maxRetries: s.maxRetries ?? DEFAULT_MAX_RETRIES,
    logger,
  });
  throwIfRefused(loop);
  const plan = loop.value;
  const pushed = loop.pushed.length > 0;
  const out: BranchOutcome = {
    status: plan.status,
    commit: plan.commit,
    pushed,
    attempts: loop.attempts,
    message: plan.message,
    findings: plan.findings,
    privatePullRequest: null,
  };
  if (!s.dryRun) out.privatePullRequest = await privatePullRequest(job, b, plan);
  return out;
}

/** Open or update the private pull request; on a branch someone else moved, comment on it. */
async function privatePullRequest(
  job: ImportJob,
  b: BranchInput,
  plan: Plan,
): Promise<BranchOutcome['privatePullRequest']> {
  const s = job.settings;
  if (plan.status === 'branch-edited') {
    const open = await job.host.findPrivate(b.branch);
    if (!open) return null;
    const said = await job.host.commentPrivate(
      open.number,
      LEFT_MARKER(b.head),
      `${LEFT_MARKER(b.head)}\n${s.publicSlug}#${b.n} moved to ${b.head} after the import, but this branch has commits Ferry did not write, so Ferry left it as it is. Carry the new change over by hand: ${b.pr.url}`,
    );
    return said ? { ...open, operation: 'commented' } : null;
  }
  if (!s.openPullRequest || !['imported', 'updated', 'unchanged', 'needs-rebase'].includes(plan.status))
    return null;
  const title = `${b.pr.title} (${s.publicSlug}#${b.n})`;
  const body = privateBody(job, b, plan);
  const open = await job.host.findPrivate(b.branch);
  if (open) {
    if (plan.status === 'unchanged') return null;
    await job.host.updatePrivate(open.number, { title, body });
    return { ...open, operation: 'updated' };
  }
  const created = await job.host.openPrivate({ head: b.branch, base: s.baseBranch, title, body });
  job.logger.info(`Opened private pull request #${created.number}: ${created.url}`);
  return { ...created, operation: 'created' };
}

function privateBody(job: ImportJob, b: BranchInput, plan: Plan): string {
  const s = job.settings;
  const lines = [
    `Imported from ${b.pr.url} (${s.publicSlug}#${b.n}) by @${b.pr.author.login}, head ${b.head}.`,
    '',
    b.pr.body.trim() || '_No description._',
  ];
  if (plan.status === 'needs-rebase')
    lines.push(
      '',
      `**Needs a rebase:** the change conflicts with \`${s.baseBranch}\` in ${plan.conflicts?.map((c) => `\`${c}\``).join(', ')}. The branch is based on the revision the public base was exported from.`,
    );
  return lines.join('\n');
}
