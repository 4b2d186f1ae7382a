import { runMirror } from '../../core/mirror/mirror.js';
import { mirrorSettings } from '../../core/mirror/settings.js';
import * as path from 'node:path';
import { divergedCommitsText, mirrorDetailsMarkdown } from '../../core/mirror/summary.js';
import type { DivergenceIssueSink } from '../../core/mirror/types.js';
import { toJsonReport, toText } from '../../core/report/render.js';
import { lookupToken } from '../../core/settings/token.js';
import { writeFileAtomic } from '../../core/util/fs-atomic.js';
import { createGitHubClient } from '../../github/client.js';
import { GitHubDivergenceIssues } from '../../github/divergence-issues.js';
import { annotationLines } from '../annotations.js';
import {
  COMMON_OPTIONS,
  EXIT_FAILED,
  EXIT_OK,
  flag,
  list,
  requireStr,
  str,
  type Command,
} from '../command.js';

/**
 * `ferry mirror`: the bilateral-mirror action from a terminal, same engine, same settings.
 * Tokens come from the environment only (FERRY_TOKEN_A, FERRY_TOKEN_B, else FERRY_TOKEN or
 * GITHUB_TOKEN; the last also for issues), never from argv. Without --issue-repo and a token,
 * `--on-divergence issue` behaves as `fail`.
 */
export const mirrorCommand: Command = {
  name: 'mirror',
  summary: 'Fast-forward branches both ways between two repositories; report divergence',
  usage: 'ferry mirror --a URL_OR_PATH --b URL_OR_PATH [--branch NAME]... [options]',
  action: 'bilateral-mirror',
  options: {
    ...COMMON_OPTIONS,
    a: {
      type: 'string',
      arg: 'URL_OR_PATH',
      help: 'Side A: owner/name, a git URL, or a local path.',
      input: 'repo-a',
    },
    b: { type: 'string', arg: 'URL_OR_PATH', help: 'Side B.', input: 'repo-b' },
    branch: {
      type: 'string',
      multiple: true,
      arg: 'NAME',
      help: 'A branch (or glob) to mirror (default main).',
      input: 'branches',
    },
    tags: { type: 'string', arg: 'none|all|GLOB', help: 'Tags to mirror (default none).', input: 'tags' },
    'on-divergence': {
      type: 'string',
      arg: 'issue|fail|warn',
      help: 'What a diverged branch does (default issue).',
      input: 'on-divergence',
    },
    'issue-repo': {
      type: 'string',
      arg: 'OWNER/NAME',
      help: 'Repository for divergence issues.',
      input: 'issue-repo',
    },
    'issue-label': {
      type: 'string',
      multiple: true,
      arg: 'L',
      help: 'A label for the divergence issue (default sync-failure, urgent).',
      input: 'issue-labels',
    },
    'max-listed-commits': {
      type: 'string',
      arg: 'N',
      help: 'Commits listed per side of a divergence (default 20; the count covers all).',
      input: 'max-listed-commits',
    },
    'dry-run': { type: 'boolean', help: 'Analyse only: push nothing, touch no issue.', input: 'dry-run' },
    report: { type: 'string', arg: 'FILE', help: 'Write the JSON report to FILE.', input: 'report-path' },
  },
  env: {
    'token-a': 'FERRY_TOKEN_A, FERRY_TOKEN or GITHUB_TOKEN',
    'token-b': 'FERRY_TOKEN_B, FERRY_TOKEN or GITHUB_TOKEN',
    'ssh-key-a': 'FERRY_SSH_KEY_A',
    'ssh-key-b': 'FERRY_SSH_KEY_B',
    'ssh-known-hosts': 'FERRY_SSH_KNOWN_HOSTS',
    'github-token': 'FERRY_TOKEN or GITHUB_TOKEN',
  },
  async run(args, ctx) {
    const env = process.env;
    const settings = mirrorSettings({
      repoA: requireStr(args, 'a', this),
      repoB: requireStr(args, 'b', this),
      tokenA: lookupToken(env, { vars: ['FERRY_TOKEN_A'] }),
      tokenB: lookupToken(env, { vars: ['FERRY_TOKEN_B'] }),
      sshKeyA: env.FERRY_SSH_KEY_A,
      sshKeyB: env.FERRY_SSH_KEY_B,
      sshKnownHosts: env.FERRY_SSH_KNOWN_HOSTS,
      branches: list(args, 'branch').length ? list(args, 'branch') : ['main'],
      tags: str(args, 'tags'),
      onDivergence: str(args, 'on-divergence'),
      dryRun: flag(args, 'dry-run'),
      maxListedCommits: str(args, 'max-listed-commits'),
      serverUrl: env.GITHUB_SERVER_URL,
    });
    let issues: DivergenceIssueSink | undefined;
    const issueRepo = str(args, 'issue-repo');
    if (settings.onDivergence === 'issue' && !settings.dryRun) {
      const apiToken = lookupToken(env);
      if (issueRepo && apiToken) {
        const octokit = createGitHubClient({ token: apiToken, logger: ctx.logger });
        const labels = list(args, 'issue-label');
        issues = new GitHubDivergenceIssues(octokit, {
          repository: issueRepo,
          labels: labels.length ? labels : ['sync-failure', 'urgent'],
          logger: ctx.logger,
        });
      } else {
        ctx.logger.info(
          'No --issue-repo, or no FERRY_TOKEN / GITHUB_TOKEN: a divergence fails without opening an issue.',
        );
      }
    }
    const results = await runMirror(settings, ctx.logger, issues);
    const report = toJsonReport('mirror', results);
    const file = str(args, 'report');
    if (file) await writeFileAtomic(path.resolve(ctx.cwd, file), JSON.stringify(report, null, 2) + '\n');
    if (flag(args, 'json')) ctx.out(JSON.stringify(report, null, 2) + '\n');
    else {
      ctx.out(toText(results));
      // A divergence is only actionable with the commits on each side: list them, as the issue does.
      ctx.out(divergedCommitsText(results));
      const details = mirrorDetailsMarkdown(results);
      if (details && flag(args, 'verbose')) ctx.out('\n' + details);
    }
    if (ctx.ci && !flag(args, 'json'))
      for (const line of annotationLines(results.flatMap((r) => r.findings))) ctx.out(line + '\n');
    return results.every((r) => r.success) ? EXIT_OK : EXIT_FAILED;
  },
};
