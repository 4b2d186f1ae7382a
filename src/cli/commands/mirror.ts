import { runMirror } from '../../core/mirror/mirror.js';
import { mirrorSettings } from '../../core/mirror/settings.js';
import { mirrorDetailsMarkdown } from '../../core/mirror/summary.js';
import type { DivergenceIssueSink } from '../../core/mirror/types.js';
import { toJsonReport, toText } from '../../core/report/render.js';
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
 * `ferry mirror`: the bilateral-mirror action from a terminal, same engine, same flags.
 * Tokens come from the environment only (FERRY_TOKEN_A, FERRY_TOKEN_B, GITHUB_TOKEN for issues),
 * never from argv. Without --issue-repo and GITHUB_TOKEN, `--on-divergence issue` behaves as `fail`.
 */
export const mirrorCommand: Command = {
  name: 'mirror',
  summary: 'Fast-forward branches both ways between two repositories; report divergence',
  usage:
    'ferry mirror --a URL_OR_PATH --b URL_OR_PATH --branch NAME... [--tags none|all|PATTERN] ' +
    '[--on-divergence issue|fail|warn] [--issue-repo OWNER/NAME] [--issue-label L...] [--dry-run] [--json]',
  options: {
    ...COMMON_OPTIONS,
    a: { type: 'string' },
    b: { type: 'string' },
    branch: { type: 'string', multiple: true },
    tags: { type: 'string' },
    'on-divergence': { type: 'string' },
    'issue-repo': { type: 'string' },
    'issue-label': { type: 'string', multiple: true },
    'max-listed-commits': { type: 'string' },
    'dry-run': { type: 'boolean' },
  },
  async run(args, ctx) {
    const env = process.env;
    const max = str(args, 'max-listed-commits');
    const settings = mirrorSettings(
      {
        repoA: requireStr(args, 'a', this),
        repoB: requireStr(args, 'b', this),
        tokenA: env.FERRY_TOKEN_A,
        tokenB: env.FERRY_TOKEN_B,
        sshKeyA: env.FERRY_SSH_KEY_A,
        sshKeyB: env.FERRY_SSH_KEY_B,
        sshKnownHosts: env.FERRY_SSH_KNOWN_HOSTS,
        branches: list(args, 'branch').length ? list(args, 'branch') : ['main'],
        tags: str(args, 'tags'),
        onDivergence: str(args, 'on-divergence'),
        dryRun: flag(args, 'dry-run'),
        maxListedCommits: max === undefined ? undefined : Number(max),
        serverUrl: env.GITHUB_SERVER_URL,
      },
      { a: '--a', b: '--b' },
    );
    let issues: DivergenceIssueSink | undefined;
    const issueRepo = str(args, 'issue-repo');
    if (settings.onDivergence === 'issue' && !settings.dryRun) {
      if (issueRepo && env.GITHUB_TOKEN) {
        const octokit = createGitHubClient({ token: env.GITHUB_TOKEN, logger: ctx.logger });
        const labels = list(args, 'issue-label');
        issues = new GitHubDivergenceIssues(octokit, {
          repository: issueRepo,
          labels: labels.length ? labels : ['sync-failure', 'urgent'],
          logger: ctx.logger,
        });
      } else {
        ctx.logger.info('No --issue-repo or GITHUB_TOKEN: a divergence fails without opening an issue.');
      }
    }
    const results = await runMirror(settings, ctx.logger, issues);
    if (flag(args, 'json')) ctx.out(JSON.stringify(toJsonReport('mirror', results), null, 2) + '\n');
    else {
      ctx.out(toText(results));
      const details = mirrorDetailsMarkdown(results);
      if (details && flag(args, 'verbose')) ctx.out('\n' + details);
    }
    if (ctx.ci && !flag(args, 'json'))
      for (const line of annotationLines(results.flatMap((r) => r.findings))) ctx.out(line + '\n');
    return results.every((r) => r.success) ? EXIT_OK : EXIT_FAILED;
  },
};
