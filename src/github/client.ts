import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { RemoteError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { redact, registerSecret } from '../core/git/secrets.js';

/**
 * The one Octokit for Ferry: retry (5xx, 429, dropped connections) and throttling (primary and
 * secondary rate limits, honouring retry-after). The base URL comes from GITHUB_API_URL, so GHES
 * works and tests point it at loopback.
 */
const FerryOctokit = Octokit.plugin(throttling, retry);
export type GitHubClient = InstanceType<typeof FerryOctokit>;

export interface GitHubClientOptions {
  token: string;
  /** Default: GITHUB_API_URL, else https://api.github.com. */
  baseUrl?: string;
  logger: Logger;
  /** Retries after a 5xx / 429 / network error, and after a rate limit. Default 3. */
  retries?: number;
  /**
   * Milliseconds per second of `retry-after` (and of the retry plugin's backoff unit). 1000 in
   * production; test timing makes it 5 so a 'retry-after: 1' costs 5 ms.
   */
  retryBaseMs?: number;
  /**
   * Space writes 1 s apart and notifying writes 3 s apart, as GitHub asks of integrations
   * (the throttling plugin's default). Only test timing turns it off.
   */
  paceWrites?: boolean;
}

export const DEFAULT_API_URL = 'https://api.github.com';

/**
 * FERRY_GITHUB_TEST_TIMING=1 (set by Ferry's own tests against the loopback API, never needed in a
 * workflow) shrinks retry/rate-limit waits to milliseconds and turns off write pacing.
 */
export function testTiming(): boolean {
  return process.env.FERRY_GITHUB_TEST_TIMING === '1';
}

/** A throttling-plugin limiter group that lets every job through at once (test timing only). */
const UNPACED = {
  key: () => ({ schedule: (_o: unknown, fn: (...a: unknown[]) => unknown, ...a: unknown[]) => fn(...a) }),
};

export function createGitHubClient(o: GitHubClientOptions): GitHubClient {
  registerSecret(o.token);
  const retries = o.retries ?? 3;
  const base = o.retryBaseMs ?? (testTiming() ? 5 : 1000);
  const pace = o.paceWrites ?? !testTiming();
  const log = o.logger;
  const limited =
    (kind: string) =>
    (
      retryAfter: number,
      options: { method?: string; url?: string },
      _octokit: unknown,
      retryCount: number,
    ) => {
      const again = retryCount < retries;
      log.info(
        `GitHub API ${kind} on ${options.method} ${options.url}: ${again ? `retrying after ${retryAfter} s` : 'giving up'}.`,
      );
      return again;
    };
  return new FerryOctokit({
    auth: o.token,
    baseUrl: (o.baseUrl || process.env.GITHUB_API_URL || DEFAULT_API_URL).replace(/\/+$/, ''),
    userAgent: 'ferry-bilateral-mirror',
    // Octokit logs every failed request, retried or not, as an error. Only Ferry's final finding
    // may be an error or warning (an annotation on the job), so its own log stays plain log lines.
    log: {
      debug: (m: string) => log.debug(redact(m)),
      info: (m: string) => log.debug(redact(m)),
      warn: (m: string) => log.info(redact(m)),
      error: (m: string) => log.info(redact(m)),
    },
    retry: { retries, retryAfterBaseValue: base },
    throttle: {
      retryAfterBaseValue: base,
      ...(pace ? {} : { write: UNPACED as never, notifications: UNPACED as never }),
      fallbackSecondaryRateRetryAfter: 60,
      onRateLimit: limited('rate limit'),
      onSecondaryRateLimit: limited('secondary rate limit'),
    },
  });
}

/**
 * Turn an Octokit failure into an error that says what to do. Never includes the token. `need` is
 * the permission the call needs (divergence issues: issues; an export's pull requests: pull-requests).
 */
export function explainApiError(e: unknown, what: string, repo: string, need = 'issues: write'): unknown {
  const status = (e as { status?: number })?.status;
  if (typeof status !== 'number') return e;
  const msg = redact((e as Error).message.split('\n')[0]);
  const issues = need.startsWith('issues');
  if (status === 401)
    return new RemoteError(
      `${what}: the GitHub API rejected the token (401 ${msg}). Check the ${issues ? 'github-token' : 'token'} input: it must be set and not expired.`,
    );
  if (status === 403)
    return new RemoteError(
      `${what}: the GitHub API refused access to ${repo} (403 ${msg}). The token needs '${need}' on ${repo} (workflow: permissions: ${need}).`,
    );
  if (status === 404)
    return new RemoteError(
      issues
        ? `${what}: repository ${repo} was not found, or the token cannot see it (404). Check the issue-repo input and the token's repository access.`
        : `${what}: ${repo} or the pull request was not found, or the token cannot see it (404). Check the target repository and the token's repository access.`,
    );
  if (status === 410 && issues)
    return new RemoteError(
      `${what}: issues are disabled on ${repo} (410). Enable them, or use on-divergence: fail.`,
    );
  return new RemoteError(`${what}: GitHub API error ${status}: ${msg}`);
}
