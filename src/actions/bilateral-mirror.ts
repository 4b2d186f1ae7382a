import { ConfigurationError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { runMirror } from '../core/mirror/mirror.js';
import { mirrorSettings } from '../core/mirror/settings.js';
import { mirrorDetailsMarkdown } from '../core/mirror/summary.js';
import type { DivergenceIssueSink, MirrorSettings } from '../core/mirror/types.js';
import { toJsonReport, toJsonResult, toMarkdown } from '../core/report/render.js';
import { detailsOf } from '../core/report/result.js';
import { settingName } from '../core/settings/surface.js';
import { lookupToken } from '../core/settings/token.js';
import { createGitHubClient } from '../github/client.js';
import { GitHubDivergenceIssues } from '../github/divergence-issues.js';
import { runActionMain } from './action-runner.js';
import { BILATERAL_MIRROR } from './constants.js';
import { readInputs, type Inputs } from './input-helper.js';
import { publish } from './publish.js';

interface ActionSettings {
  mirror: MirrorSettings;
  issueRepo: string;
  issueLabels: string[];
  githubToken?: string;
}

function settingsFrom(i: Inputs<typeof BILATERAL_MIRROR.inputs>): ActionSettings {
  const mirror = mirrorSettings({
    repoA: i.repoA,
    repoB: i.repoB,
    tokenA: lookupToken(process.env, { value: i.tokenA, vars: ['FERRY_TOKEN_A'] }),
    tokenB: lookupToken(process.env, { value: i.tokenB, vars: ['FERRY_TOKEN_B'] }),
    sshKeyA: i.sshKeyA,
    sshKeyB: i.sshKeyB,
    sshKnownHosts: i.sshKnownHosts,
    branches: i.branches,
    tags: i.tags,
    onDivergence: i.onDivergence,
    dryRun: i.dryRun,
    maxListedCommits: i.maxListedCommits,
    serverUrl: process.env.GITHUB_SERVER_URL,
  });
  const githubToken = lookupToken(process.env, { value: i.githubToken });
  const issueRepo = i.issueRepo || process.env.GITHUB_REPOSITORY || '';
  if (mirror.onDivergence === 'issue' && !mirror.dryRun) {
    if (!issueRepo)
      throw new ConfigurationError(
        `${settingName('issue-repo')} is empty and GITHUB_REPOSITORY is not set. Name the repository for divergence issues.`,
      );
    if (!githubToken)
      throw new ConfigurationError(
        `${settingName('github-token')} is empty, but on-divergence is 'issue'. Pass a token with issues: write, or set on-divergence: fail.`,
      );
  }
  return { mirror, issueRepo, issueLabels: i.issueLabels, githubToken };
}

function issueSink(s: ActionSettings, logger: Logger): DivergenceIssueSink | undefined {
  if (s.mirror.onDivergence !== 'issue' || s.mirror.dryRun || !s.githubToken) return undefined;
  const octokit = createGitHubClient({ token: s.githubToken, logger });
  return new GitHubDivergenceIssues(octokit, { repository: s.issueRepo, labels: s.issueLabels, logger });
}

export async function run(): Promise<void> {
  await runActionMain(async (logger) => {
    const i = readInputs(BILATERAL_MIRROR.inputs);
    const s = settingsFrom(i);
    const results = await runMirror(s.mirror, logger, issueSink(s, logger));
    const branches = results.map((r) => detailsOf(r, 'mirror-branch')).filter((d) => d !== undefined);
    // The first branch with an open (or just closed) issue.
    const issue = branches.map((d) => d.issue).find((x) => x);
    const o = BILATERAL_MIRROR.outputs;
    const failed = results.filter((r) => !r.success);
    await publish({
      report: toJsonReport('bilateral-mirror', results),
      reportPathInput: i.reportPath,
      defaultReportName: 'ferry-bilateral-mirror-report.json',
      outputs: {
        [o.results]: JSON.stringify(results.map(toJsonResult)),
        [o.diverged]: String(branches.some((d) => d.state === 'diverged')),
        [o.changed]: String(results.some((r) => r.changed)),
        [o.issueNumber]: issue ? String(issue.number) : '',
        [o.issueUrl]: issue ? issue.url : '',
      },
      summary: toMarkdown('Bilateral mirror', results) + '\n' + mirrorDetailsMarkdown(results),
      findings: results.flatMap((r) => r.findings),
      failure: failed.length
        ? `Bilateral mirror failed for ${failed.map((r) => r.target).join(', ')}: ${failed[0].message}`
        : undefined,
    });
  });
}
