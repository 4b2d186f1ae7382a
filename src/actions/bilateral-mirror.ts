import * as core from '@actions/core';
import { ConfigurationError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { registerSecret } from '../core/git/secrets.js';
import { runMirror } from '../core/mirror/mirror.js';
import { mirrorSettings } from '../core/mirror/settings.js';
import type { DivergenceIssueSink, MirrorSettings } from '../core/mirror/types.js';
import { toJsonReport } from '../core/report/render.js';
import type { TargetResult } from '../core/report/result.js';
import { createGitHubClient } from '../github/client.js';
import { GitHubDivergenceIssues } from '../github/divergence-issues.js';
import { mirrorDetailsMarkdown } from '../core/mirror/summary.js';
import {
  annotate,
  boolInput,
  intInput,
  listInput,
  runActionMain,
  secretInput,
  writeSummary,
} from './action-runner.js';

export const INPUT = {
  repoA: 'repo-a',
  repoB: 'repo-b',
  tokenA: 'token-a',
  tokenB: 'token-b',
  sshKeyA: 'ssh-key-a',
  sshKeyB: 'ssh-key-b',
  sshKnownHosts: 'ssh-known-hosts',
  branches: 'branches',
  tags: 'tags',
  onDivergence: 'on-divergence',
  issueRepo: 'issue-repo',
  issueLabels: 'issue-labels',
  githubToken: 'github-token',
  dryRun: 'dry-run',
  maxListedCommits: 'max-listed-commits',
} as const;

export const OUTPUT = {
  results: 'results',
  diverged: 'diverged',
  changed: 'changed',
  issueNumber: 'issue-number',
  issueUrl: 'issue-url',
} as const;

interface ActionSettings {
  mirror: MirrorSettings;
  issueRepo: string;
  issueLabels: string[];
  githubToken?: string;
}

function readInputs(): ActionSettings {
  const mirror = mirrorSettings({
    repoA: core.getInput(INPUT.repoA),
    repoB: core.getInput(INPUT.repoB),
    tokenA: secretInput(INPUT.tokenA),
    tokenB: secretInput(INPUT.tokenB),
    sshKeyA: secretInput(INPUT.sshKeyA),
    sshKeyB: secretInput(INPUT.sshKeyB),
    sshKnownHosts: core.getInput(INPUT.sshKnownHosts),
    branches: listInput(INPUT.branches),
    tags: core.getInput(INPUT.tags),
    onDivergence: core.getInput(INPUT.onDivergence),
    dryRun: boolInput(INPUT.dryRun),
    maxListedCommits: intInput(INPUT.maxListedCommits, 20),
    serverUrl: process.env.GITHUB_SERVER_URL,
  });
  const githubToken = secretInput(INPUT.githubToken);
  registerSecret(githubToken);
  const issueRepo = core.getInput(INPUT.issueRepo).trim() || process.env.GITHUB_REPOSITORY || '';
  if (mirror.onDivergence === 'issue' && !mirror.dryRun) {
    if (!issueRepo)
      throw new ConfigurationError(
        `'${INPUT.issueRepo}' is empty and GITHUB_REPOSITORY is not set. Name the repository for divergence issues.`,
      );
    if (!githubToken)
      throw new ConfigurationError(
        `'${INPUT.githubToken}' is empty, but on-divergence is 'issue'. Pass a token with issues: write, or set on-divergence: fail.`,
      );
  }
  return { mirror, issueRepo, issueLabels: listInput(INPUT.issueLabels), githubToken };
}

function issueSink(s: ActionSettings, logger: Logger): DivergenceIssueSink | undefined {
  if (s.mirror.onDivergence !== 'issue' || s.mirror.dryRun || !s.githubToken) return undefined;
  const octokit = createGitHubClient({ token: s.githubToken, logger });
  return new GitHubDivergenceIssues(octokit, { repository: s.issueRepo, labels: s.issueLabels, logger });
}

function setOutputs(results: TargetResult[]): void {
  const report = toJsonReport('bilateral-mirror', results);
  core.setOutput(OUTPUT.results, JSON.stringify(report.results));
  const diverged = results.some((r) => r.details?.state === 'diverged');
  core.setOutput(OUTPUT.diverged, String(diverged));
  core.setOutput(OUTPUT.changed, String(results.some((r) => r.changed)));
  // The first branch with an open (or just closed) issue.
  const issue = results
    .map((r) => r.details?.issue as { number: number; url: string } | null | undefined)
    .find((i) => i);
  core.setOutput(OUTPUT.issueNumber, issue ? String(issue.number) : '');
  core.setOutput(OUTPUT.issueUrl, issue ? issue.url : '');
}

export async function run(): Promise<void> {
  await runActionMain(async (logger) => {
    const s = readInputs();
    const results = await runMirror(s.mirror, logger, issueSink(s, logger));
    setOutputs(results);
    await writeSummary('Bilateral mirror', results);
    const details = mirrorDetailsMarkdown(results);
    if (details && process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(details).write();
    annotate(results.flatMap((r) => r.findings));
    const failed = results.filter((r) => !r.success);
    if (failed.length)
      core.setFailed(
        `Bilateral mirror failed for ${failed.map((r) => r.target).join(', ')}: ${failed[0].message}`,
      );
  });
}
