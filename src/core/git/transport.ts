/**
 * Network operations: fetch, ls-remote and push, each through the one retry helper.
 * Transient failures (5xx, dropped connections) are retried; auth and not-found failures become
 * RemoteErrors that say what to do. Pushes never force unless `force` is given by name.
 */
import { RemoteError } from '../errors.js';
import type { Logger } from '../logger.js';
import {
  explainRemoteFailure,
  GitError,
  isTransientGitError,
  type GitCommandManager,
} from './git-command-manager.js';
import { remoteLabel } from './remote.js';
import { withRetry } from './retry.js';
import { redact } from './secrets.js';

/** Attempts per network operation when NetOptions.attempts is not given. */
const DEFAULT_ATTEMPTS = 4;

export interface NetOptions {
  attempts?: number;
  logger?: Logger;
  baseDelayMs?: number;
}

async function net<T>(url: string, what: string, opts: NetOptions, fn: () => Promise<T>): Promise<T> {
  try {
    return await withRetry(fn, {
      attempts: opts.attempts ?? DEFAULT_ATTEMPTS,
      baseDelayMs: opts.baseDelayMs ?? 300,
      isRetryable: isTransientGitError,
      onRetry: (e, n, d) =>
        opts.logger?.warning(
          `${what} ${remoteLabel(url)} failed (attempt ${n}), retrying in ${d} ms: ${(e as Error).message.split('\n')[0]}`,
        ),
    });
  } catch (e) {
    const explained = explainRemoteFailure(e, remoteLabel(url));
    // Whatever else git said about a remote (a server still failing after the retries, a refusal
    // we have no words for) is a failed sync, told in one line: not a Ferry bug with a stack.
    if (explained instanceof GitError) {
      const attempts = isTransientGitError(explained)
        ? ` after ${opts.attempts ?? DEFAULT_ATTEMPTS} attempts`
        : '';
      const said = redact(explained.stderr.trim()).split('\n').filter(Boolean).slice(-2).join(' ');
      throw new RemoteError(
        `${what} ${remoteLabel(url)} failed${attempts} (git exit ${explained.exitCode}): ${said || 'no message from git'}`,
      );
    }
    throw explained;
  }
}

/** Remote refs as name → sha (`refs/heads/main` → sha). Empty map for an empty repo. */
export async function lsRemote(
  git: GitCommandManager,
  url: string,
  patterns: string[] = [],
  opts: NetOptions = {},
): Promise<Map<string, string>> {
  const out = await net(url, 'ls-remote', opts, () => git.exec(['ls-remote', '--', url, ...patterns]));
  const refs = new Map<string, string>();
  for (const line of out.split('\n')) {
    if (!line) continue;
    const [sha, ref] = line.split('\t');
    refs.set(ref, sha);
  }
  return refs;
}

export interface FetchOptions extends NetOptions {
  depth?: number;
  /** Deepens a shallow history from its current boundary (not from the tip). */
  deepen?: number;
  /** A partial-clone filter (`blob:none`, `tree:0`); false passes `--no-filter` (none, even if configured). */
  filter?: string | false;
  /**
   * Treat the remote as a promisor for this one command (`-c remote.<url>.promisor=true`, nothing
   * written to the repository's config): objects git finds missing while it works (the bases of a
   * thin pack sent against commits fetched without their blobs) are fetched from this same remote,
   * with the credentials of this command.
   */
  promisor?: boolean;
  /** Offer only these commits as "have"s; an empty list offers none. Default: every local ref. */
  negotiationTips?: readonly string[];
}

export async function fetchRefs(
  git: GitCommandManager,
  url: string,
  refspecs: string[],
  opts: FetchOptions = {},
): Promise<void> {
  const args = [...promisorConfig(url, opts), 'fetch', '--quiet', '--no-tags', '--no-write-fetch-head'];
  if (opts.depth) args.push(`--depth=${opts.depth}`);
  if (opts.deepen) args.push(`--deepen=${opts.deepen}`);
  if (opts.filter) args.push(`--filter=${opts.filter}`);
  else if (opts.filter === false) args.push('--no-filter');
  if (opts.negotiationTips?.length) for (const t of opts.negotiationTips) args.push(`--negotiation-tip=${t}`);
  args.push('--', url, ...refspecs);
  await net(url, 'fetch', opts, () => git.exec(args));
}

/** `-c` options for FetchOptions.promisor and negotiationTips (argv holds no secret: URLs carry none). */
function promisorConfig(url: string, opts: FetchOptions): string[] {
  const c: string[] = [];
  if (opts.negotiationTips?.length === 0) c.push('-c', 'fetch.negotiationAlgorithm=noop');
  // A `=` in the URL would end the key early; such a remote is simply not a promisor (git then
  // registers it in the repository's config itself, which only costs tidiness).
  if (opts.promisor && !url.includes('=')) {
    c.push('-c', `remote.${url}.promisor=true`);
    if (opts.filter) c.push('-c', `remote.${url}.partialclonefilter=${opts.filter}`);
  }
  return c;
}

/** `rejected-stale`: the target moved since we looked (see TARGET_MOVED); rebuild and retry. */
export type PushRefStatus = 'ok' | 'up-to-date' | 'rejected-stale' | 'rejected-workflow' | 'rejected-other';

export interface PushResult {
  ok: boolean;
  /** Per destination ref. */
  refs: Map<string, { status: PushRefStatus; detail: string }>;
  stderr: string;
}

/**
 * Push refspecs. Returns the per-ref outcome instead of throwing on a rejection, so callers can
 * re-fetch and rebuild on a moved target. `expect` gives the remote sha each ref must still have
 * (a lease); it is only used with force.
 */
export async function pushRefs(
  git: GitCommandManager,
  url: string,
  refspecs: string[],
  opts: NetOptions & {
    force?: boolean;
    expect?: Map<string, string>;
    atomic?: boolean;
    /**
     * false: skip git's delta search (`pack.window=0`), sending objects as they are stored. For a
     * first push of objects that are already deltified where it pays (see export/index.ts).
     */
    deltaSearch?: boolean;
  } = {},
): Promise<PushResult> {
  const args = [...(opts.deltaSearch === false ? ['-c', 'pack.window=0'] : []), 'push', '--porcelain'];
  if (opts.atomic) args.push('--atomic');
  if (opts.force) {
    if (opts.expect?.size)
      for (const [ref, sha] of opts.expect) args.push(`--force-with-lease=${ref}:${sha}`);
    else args.push('--force');
  }
  args.push('--', url, ...refspecs);
  const r = await net(url, 'push', opts, async () => {
    const res = await git.execRaw(args, { allowedExitCodes: [1] });
    const stderr = res.stderr;
    // A failed connection also exits 1 or 128: surface it as a GitError so it is retried/explained.
    if (res.exitCode !== 0 && !res.stdout.toString().includes('\t'))
      throw new GitError(args, res.exitCode, stderr);
    return res;
  });
  return parsePushOutput(r.stdout.toString(), r.stderr);
}

/**
 * A rejection because the target moved since we looked: the client saw it (`fetch first`,
 * `non-fast-forward`, a stale lease), or the server lost the race inside receive-pack to a
 * concurrent push (`[remote rejected] (failed to update ref)`, `cannot lock ref ... but expected`,
 * `incorrect old value provided`). Either way: fetch, rebuild on the new tip, push again.
 */
const TARGET_MOVED =
  /fetch first|non-fast-forward|stale info|failed to (update ref|lock)|cannot lock ref|but expected|incorrect old value/i;

/** `push --porcelain` output → the outcome per destination ref. */
export function parsePushOutput(stdout: string, stderr: string): PushResult {
  const refs = new Map<string, { status: PushRefStatus; detail: string }>();
  for (const line of stdout.split('\n')) {
    // "<flag>\t<from>:<to>\t<summary> (<reason>)"
    const m = /^([ +\-*=!])\t([^\t]*):([^\t]*)\t(.*)$/.exec(line);
    if (!m) continue;
    const [, flag, , to, summary] = m;
    let status: PushRefStatus = 'ok';
    if (flag === '=') status = 'up-to-date';
    else if (flag === '!') {
      if (/workflow/i.test(stderr) && /refusing to allow/i.test(stderr)) status = 'rejected-workflow';
      else if (TARGET_MOVED.test(summary)) status = 'rejected-stale';
      else status = 'rejected-other';
    }
    refs.set(to, { status, detail: summary });
  }
  return {
    ok: [...refs.values()].every((v) => v.status === 'ok' || v.status === 'up-to-date'),
    refs,
    stderr,
  };
}

/** The error for a push that GitHub refused because it touches workflows without permission. */
export function workflowPermissionError(url: string): RemoteError {
  return new RemoteError(
    `The push to ${remoteLabel(url)} was refused because it changes files under .github/workflows and the token lacks the 'workflow' permission. ` +
      `Fix: give the token the 'workflows' permission (fine-grained PAT or GitHub App: Workflows: write; classic PAT: the 'workflow' scope), ` +
      `or leave .github/workflows out of the allowlist / add it to preserve.`,
  );
}
