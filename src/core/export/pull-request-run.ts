/**
 * runExport's side of an export as a pull request (pull-request.ts does the work): make the
 * pull request target from the settings and the adapters' API, and after the push, let it open,
 * update or close the pull request and say in the result what happened.
 */
import { ConfigurationError } from '../errors.js';
import type { GitCommandManager } from '../git/git-command-manager.js';
import { remoteLabel } from '../git/remote.js';
import type { Logger } from '../logger.js';
import { toMarkdown } from '../report/render.js';
import type { ResultOf } from '../report/result.js';
import { settingName } from '../settings/surface.js';
import { renderTemplate, revisionPlaceholders } from '../util/placeholders.js';
import type { ExportPullRequestApiFactory } from './pull-request-api.js';
import { PullRequestTarget, repositoryOf, type PrPlan } from './pull-request.js';
import type { BuildOutcome, ExportSettings } from './types.js';

export function exportPullRequest(
  s: ExportSettings,
  url: string,
  git: GitCommandManager,
  services: { pullRequests?: ExportPullRequestApiFactory },
  logger: Logger,
): PullRequestTarget {
  const settings = s.pullRequest!;
  const repository = repositoryOf(url);
  if (!repository)
    throw new ConfigurationError(
      `${settingName('pull-request')} needs a GitHub repository as the target (owner/name or its URL), not ${remoteLabel(url)}.`,
    );
  if (!services.pullRequests)
    throw new ConfigurationError(
      `${settingName('pull-request')} needs a token for the GitHub API (${settingName('token')}) that may open pull requests on ${repository}.`,
    );
  return new PullRequestTarget({
    git,
    url,
    base: s.branch,
    settings,
    api: services.pullRequests(repository),
    dryRun: !!s.dryRun,
    logger,
  });
}

export async function pullRequestMessage(
  result: ResultOf<'export' | 'custom'>,
  pr: PullRequestTarget,
  plan: PrPlan,
  outcome: BuildOutcome,
  sourceCommit: string,
  s: ExportSettings,
): Promise<void> {
  const settings = s.pullRequest!;
  const { action } = plan;
  const title = renderTemplate(
    settings.title,
    { ...revisionPlaceholders(sourceCommit), source_repo: s.sourceRepo ?? 'the source', branch: s.branch },
    settingName('pull-request-title'),
  );
  const where = `${result.target} ${settings.branch}`;
  const dry = result.dryRun ? 'Dry run: would ' : '';
  result.changed = action.kind === 'push' && result.success;
  if (action.kind === 'push') {
    result.commit = action.commit;
    result.message = `${dry ? `${dry}push` : 'Pushed'} ${outcome.commits} commit(s) to ${where} (${outcome.changes.length} path(s) changed)`;
  } else if (action.kind === 'unchanged') result.commit = plan.state.branchTip;
  if (outcome.tip) await pr.loadTrailers(outcome.tip);
  const details = await pr.finish(plan, outcome.tip, () => toMarkdown(title, [result]), title);
  const { failure, ...pullRequest } = details;
  if (result.details) result.details.pullRequest = pullRequest;
  const n = pullRequest.number ? `#${pullRequest.number}` : '';
  const op = pullRequest.operation;
  const verb = (v: string) => (result.dryRun ? `would be ${v}` : v);
  switch (action.kind) {
    case 'foreign':
      result.success = false;
      result.changed = false;
      result.message = failure!;
      return;
    case 'push':
      result.message += `; pull request ${n ? `${n} ` : ''}${verb(op === 'created' ? 'opened' : 'updated')}.`;
      return;
    case 'unchanged':
      result.message =
        op === 'created'
          ? `${dry ? `${dry}open` : 'Opened'} pull request ${n} for the export already on ${where}.`
          : `Nothing new: pull request ${n} already proposes this export.`;
      return;
    case 'vetoed':
      result.message = `Nothing new to propose: pull request ${n} proposed this export and was closed without merging (Ferry does not reopen it).`;
      return;
    case 'close':
      result.message = `${result.target} ${s.branch} already holds what the source exports: pull request ${n} ${verb('closed')} and its branch deleted.`;
      return;
    case 'delete-branch':
      result.message = `${result.message} The spent pull request branch ${settings.branch} ${verb('deleted')}.`;
      return;
    case 'none':
      return;
  }
}
