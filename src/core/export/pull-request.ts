/**
 * Export as a pull request: the export is built exactly as for a direct push (on the target
 * branch's tip, gates included), then pushed to a branch of the target (`ferry/export/<branch>`)
 * and proposed through one rolling pull request into the target branch.
 *
 * The only state is on GitHub. The branch's tip is Ferry's when it is an export commit (it carries
 * `Ferry-Origin-Rev`); then it is the lease of the next push (`--force-with-lease=<branch>:<sha>`),
 * so a commit someone pushes meanwhile is never overwritten, and a tip someone else wrote stops
 * the run. The body also records the commit Ferry wrote (a hidden marker, for people and tools). A
 * pull request closed without merging is a veto on its content: the same content is not proposed
 * again, new content opens a new pull request that names the old one.
 *
 * `plan` runs inside the rebuild-and-push build step (reads only, repeatable); `finish` makes the
 * API writes after the push, and none in a dry run.
 */
import { ConfigurationError } from '../errors.js';
import type { GitCommandManager } from '../git/git-command-manager.js';
import { lastTrailer } from '../git/trailers.js';
import { fetchRefs, lsRemote, pushRefs, type PushResult } from '../git/transport.js';
import type { Logger } from '../logger.js';
import type { PullRequestDetails } from '../report/details.js';
import { hasErrors } from '../report/result.js';
import {
  PullRequestExistsError,
  type ExportPullRequest,
  type ExportPullRequestApi,
} from './pull-request-api.js';
import type { BuildOutcome } from './types.js';

export interface PullRequestSettings {
  /** The branch of the target the export is pushed to. */
  branch: string;
  /** Title template (`{short_sha}`, `{sha}`, `{source_repo}`, `{branch}`), rendered by the caller. */
  title: string;
  labels: readonly string[];
  draft: boolean;
}

export const DEFAULT_PULL_REQUEST_BRANCH = 'ferry/export/{branch}';
export const DEFAULT_PULL_REQUEST_TITLE = 'Export {short_sha} from {source_repo}';

/** GitHub refuses bodies over 65536 characters. */
const MAX_BODY = 60_000;

/** What the run found on the target: the pull request branch and the rolling pull requests. */
interface PrState {
  branchTip?: string;
  open?: ExportPullRequest;
  /** The newest closed one: merged, or closed without merging (a veto). */
  lastClosed?: ExportPullRequest;
}

export type PrAction =
  /** Push `commit` to the branch, leased on `lease` ('' = the branch must not exist). */
  | { kind: 'push'; commit: string; lease: string }
  /** The branch holds this content already (a pull request may still have to be opened). */
  | { kind: 'unchanged' }
  /** The content is what a pull request closed without merging proposed. */
  | { kind: 'vetoed'; pr: ExportPullRequest }
  /** Someone else wrote the branch's tip: stop. */
  | { kind: 'foreign'; tip: string }
  /** Nothing to publish while a pull request is open: close it and delete the branch. */
  | { kind: 'close'; lease: string }
  /** Nothing to publish, no open pull request, Ferry's branch is left over (merged): delete it. */
  | { kind: 'delete-branch'; lease: string }
  | { kind: 'none' };

export interface PrPlan {
  state: PrState;
  action: PrAction;
}

export interface PullRequestTargetOptions {
  /** The scratch repository (it sees the source objects and the fetched target). */
  git: GitCommandManager;
  url: string;
  /** The target branch the pull request goes into. */
  base: string;
  settings: PullRequestSettings;
  api: ExportPullRequestApi;
  dryRun: boolean;
  logger: Logger;
}

export class PullRequestTarget {
  readonly ref: string;

  constructor(private readonly o: PullRequestTargetOptions) {
    this.ref = `refs/heads/${o.settings.branch}`;
  }

  /** Decide what to do with a build's outcome (reads the target and the API; writes nothing). */
  async plan(outcome: BuildOutcome, baseTip: string | undefined): Promise<PrPlan> {
    if (!baseTip)
      throw new ConfigurationError(
        `The target branch ${this.o.base} does not exist yet: a pull request needs a branch to go into. ` +
          `Create it first (one commit, a README say), or make the first export without pull-request.`,
      );
    const state = await this.readState();
    if (hasErrors(outcome.findings)) return { state, action: { kind: 'none' } };
    const tip = state.branchTip;
    if (tip && (await this.isForeign(tip))) return { state, action: { kind: 'foreign', tip } };
    if (!outcome.tip) {
      if (!tip) return { state, action: { kind: 'none' } };
      return { state, action: { kind: state.open ? 'close' : 'delete-branch', lease: tip } };
    }
    const tree = await this.treeOf(outcome.tip);
    if (tip && (await this.treeOf(tip)) === tree) {
      const veto = state.open ? undefined : this.veto(state, tip);
      return { state, action: veto ? { kind: 'vetoed', pr: veto } : { kind: 'unchanged' } };
    }
    const last = state.lastClosed;
    if (!state.open && last && !last.merged && (await this.pullTree(last)) === tree)
      return { state, action: { kind: 'vetoed', pr: last } };
    return { state, action: { kind: 'push', commit: outcome.tip, lease: tip ?? '' } };
  }

  /** Push the export to the branch with the lease the plan took. */
  push(commit: string, plan: PrPlan): Promise<PushResult> {
    const lease = plan.action.kind === 'push' ? plan.action.lease : '';
    return pushRefs(this.o.git, this.o.url, [`${commit}:${this.ref}`], {
      logger: this.o.logger,
      force: true,
      expect: new Map([[this.ref, lease]]),
    });
  }

  /**
   * The API side of the plan, after the push: open, update or close the pull request, delete a
   * spent branch. `body` renders the pull request body for the export commit. In a dry run nothing
   * is written and the operation is what would be done.
   */
  async finish(
    plan: PrPlan,
    exportCommit: string | undefined,
    body: () => string,
    title: string,
  ): Promise<PullRequestDetails & { failure?: string }> {
    const { state, action } = plan;
    const { api, dryRun, logger, settings } = this.o;
    const base: PullRequestDetails = { branch: settings.branch, number: null, url: null, operation: null };
    const ref = (pr: ExportPullRequest | undefined) => (pr ? { number: pr.number, url: pr.url } : {});
    switch (action.kind) {
      case 'none':
        return { ...base, ...ref(state.open ?? state.lastClosed) };
      case 'foreign': {
        const failure =
          `The pull request branch ${settings.branch} has commits Ferry did not write (tip ${action.tip.slice(0, 7)}). ` +
          `Ferry never overwrites them: merge or close the pull request, or delete the branch, and run again.`;
        if (state.open && !dryRun)
          await api.commentOnce(
            state.open.number,
            `<!-- ferry:foreign ${action.tip} -->`,
            `Ferry did not update this pull request: the branch \`${settings.branch}\` has commits Ferry did not write (tip ${action.tip}). ` +
              'Merge or close this pull request, or delete the branch, so the next export can proceed.',
          );
        return { ...base, ...ref(state.open), failure };
      }
      case 'vetoed':
        logger.info(
          `Pull request #${action.pr.number} proposed this content and was closed without merging: Ferry does not propose it again.`,
        );
        return { ...base, ...ref(action.pr), operation: 'unchanged', vetoed: true };
      case 'close': {
        const pr = state.open!;
        if (!dryRun) {
          await api.commentOnce(
            pr.number,
            `<!-- ferry:closed ${exportCommit ?? 'source'} -->`,
            `The source is back to what \`${this.o.base}\` holds: nothing is left to publish. Ferry closes this pull request and deletes its branch.`,
          );
          await api.update(pr.number, { state: 'closed' });
          await this.deleteBranch(action.lease);
        }
        return { ...base, ...ref(pr), operation: 'closed' };
      }
      case 'delete-branch':
        if (!dryRun) await this.deleteBranch(action.lease);
        return {
          ...base,
          ...ref(state.lastClosed),
          operation: state.lastClosed ? 'unchanged' : null,
          branchDeleted: true,
        };
      case 'unchanged':
        if (state.open) return { ...base, ...ref(state.open), operation: 'unchanged' };
        return { ...base, ...(await this.open(state, exportCommit!, body, title)) };
      case 'push':
        if (state.open) {
          if (!dryRun) await api.update(state.open.number, { title, body: this.body(body(), action.commit) });
          return { ...base, ...ref(state.open), operation: 'updated' };
        }
        return { ...base, ...(await this.open(state, action.commit, body, title)) };
    }
  }

  private async open(
    state: PrState,
    commit: string,
    body: () => string,
    title: string,
  ): Promise<Partial<PullRequestDetails>> {
    const { api, dryRun, settings, logger } = this.o;
    const replaces = state.lastClosed && !state.lastClosed.merged ? state.lastClosed : undefined;
    const note = replaces
      ? `\n\nThis pull request replaces #${replaces.number}, which was closed without merging (Ferry does not reopen it).`
      : '';
    if (dryRun) return { operation: 'created', replaces: replaces?.number };
    const text = this.body(body() + note, commit);
    try {
      const pr = await api.create({
        head: settings.branch,
        base: this.o.base,
        title,
        body: text,
        draft: settings.draft,
      });
      if (settings.labels.length) await api.addLabels(pr.number, settings.labels);
      logger.info(`Opened pull request #${pr.number}: ${pr.url}`);
      return { number: pr.number, url: pr.url, operation: 'created', replaces: replaces?.number };
    } catch (e) {
      if (!(e instanceof PullRequestExistsError)) throw e;
      // Another run opened it meanwhile (after this run looked): it is the rolling pull request.
      const [pr] = (await api.list(settings.branch, this.o.base)).filter((p) => p.state === 'open');
      if (!pr) throw e;
      await api.update(pr.number, { title, body: text });
      return { number: pr.number, url: pr.url, operation: 'updated' };
    }
  }

  /** The body: the summary, the marker of the commit Ferry wrote, and its trailers (last). */
  private body(summary: string, commit: string): string {
    return `${summary.slice(0, MAX_BODY).trimEnd()}\n\n<!-- ferry:export-pull-request head=${commit} -->\n\n${this.trailersOf(commit)}`;
  }

  private trailerCache = new Map<string, string>();

  /** Filled in by `loadTrailers` before `finish`: the export commit's trailer lines. */
  private trailersOf(commit: string): string {
    return this.trailerCache.get(commit) ?? '';
  }

  /** Read the export commit's trailer lines (Ferry's, then Co-authored-by) for the body. */
  async loadTrailers(commit: string): Promise<void> {
    const msg = await this.o.git.exec(['log', '-1', '--format=%B', commit]);
    const lines = msg.split('\n').filter((l) => /^(Ferry-[A-Za-z-]+|Co-authored-by): /.test(l));
    this.trailerCache.set(commit, lines.join('\n') + '\n');
  }

  private async deleteBranch(lease: string): Promise<void> {
    const res = await pushRefs(this.o.git, this.o.url, [`:${this.ref}`], {
      logger: this.o.logger,
      force: true,
      expect: new Map([[this.ref, lease]]),
    });
    if (!res.ok)
      this.o.logger.warning(
        `The pull request branch ${this.o.settings.branch} was not deleted: ${[...res.refs.values()][0]?.detail ?? res.stderr.trim()}.`,
      );
    else this.o.logger.info(`Deleted the pull request branch ${this.o.settings.branch}.`);
  }

  private async readState(): Promise<PrState> {
    const { git, url, api, settings, logger } = this.o;
    const [refs, pulls] = await Promise.all([
      lsRemote(git, url, [this.ref], { logger }),
      api.list(settings.branch, this.o.base),
    ]);
    const branchTip = refs.get(this.ref);
    if (branchTip) await this.ensureCommit(branchTip, `+${this.ref}:refs/ferry/pull-request-branch`);
    return {
      branchTip,
      open: pulls.find((p) => p.state === 'open'),
      lastClosed: pulls.find((p) => p.state === 'closed'),
    };
  }

  /**
   * Foreign: the tip is not an export commit (no `Ferry-Origin-Rev`): a reviewer's fix, GitHub's
   * "Update branch" merge. Another Ferry run's push (a race) is Ferry's, so it is not foreign.
   */
  private async isForeign(tip: string): Promise<boolean> {
    const msg = await this.o.git.exec(['log', '-1', '--format=%B', tip]);
    return lastTrailer(msg, 'originRev') === undefined;
  }

  /** A closed-unmerged pull request whose head is the branch tip: its content was vetoed. */
  private veto(state: PrState, tip: string): ExportPullRequest | undefined {
    const last = state.lastClosed;
    return last && !last.merged && last.headSha === tip ? last : undefined;
  }

  /** The tree a (closed) pull request proposed, from `refs/pull/N/head`. */
  private async pullTree(pr: ExportPullRequest): Promise<string | undefined> {
    try {
      await this.ensureCommit(pr.headSha, `+refs/pull/${pr.number}/head:refs/ferry/vetoed`);
      return await this.treeOf(pr.headSha);
    } catch {
      return undefined;
    }
  }

  private async ensureCommit(sha: string, refspec: string): Promise<void> {
    if (await this.o.git.tryExec(['cat-file', '-e', `${sha}^{commit}`])) return;
    await fetchRefs(this.o.git, this.o.url, [refspec], { depth: 1, logger: this.o.logger });
  }

  private treeOf(commit: string): Promise<string> {
    return this.o.git.exec(['rev-parse', '--verify', `${commit}^{tree}`]);
  }
}

/** `owner/name` of a GitHub target URL (`https://host/owner/name.git`, `git@host:owner/name.git`). */
export function repositoryOf(url: string): string | undefined {
  const m = /[/:]([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(?:\.git)?\/?$/.exec(url);
  return m && !url.startsWith('/') && !url.startsWith('file:') ? `${m[1]}/${m[2]}` : undefined;
}
