import { ConfigurationError } from '../errors.js';
import { compileGlob, GlobSyntaxError } from '../allowlist/glob.js';
import { resolveRemote } from '../git/remote.js';
import { parseTagMode } from './analyze.js';
import type { MirrorSettings, OnDivergence } from './types.js';

/** Raw mirror inputs as the action and the CLI read them: validated here once, for both. */
export interface MirrorInput {
  repoA: string;
  repoB: string;
  tokenA?: string;
  tokenB?: string;
  sshKeyA?: string;
  sshKeyB?: string;
  sshKnownHosts?: string;
  branches: string[];
  tags?: string;
  onDivergence?: string;
  dryRun?: boolean;
  maxListedCommits?: number;
  /** GITHUB_SERVER_URL: where `owner/name` points, and the server each token is scoped to. */
  serverUrl?: string;
}

const ON_DIVERGENCE: readonly OnDivergence[] = ['issue', 'fail', 'warn'];

export function mirrorSettings(i: MirrorInput, names = { a: 'repo-a', b: 'repo-b' }): MirrorSettings {
  const server = i.serverUrl || 'https://github.com';
  const side = (spec: string, name: string, token?: string, sshKey?: string) => {
    if (!spec?.trim())
      throw new ConfigurationError(`'${name}' is required: {owner}/{repo}, a git URL, or a local path.`);
    const url = resolveRemote(spec, server);
    // A token is scoped to the server of the side's own URL (GHES, loopback in tests).
    let serverUrl = server;
    try {
      const u = new URL(url);
      if (u.protocol.startsWith('http')) serverUrl = `${u.protocol}//${u.host}`;
    } catch {
      /* a path or scp-style ssh: the token is unused */
    }
    return {
      spec: spec.trim(),
      url,
      auth: {
        token: token || undefined,
        sshKey: sshKey || undefined,
        sshKnownHosts: i.sshKnownHosts || undefined,
        serverUrl,
      },
    };
  };
  const a = side(i.repoA, names.a, i.tokenA, i.sshKeyA);
  const b = side(i.repoB, names.b, i.tokenB, i.sshKeyB);
  if (a.url === b.url)
    throw new ConfigurationError(
      `'${names.a}' and '${names.b}' name the same repository (${a.spec}). Mirror two different repositories.`,
    );
  const branches = i.branches.map((s) => s.trim()).filter(Boolean);
  if (branches.length === 0)
    throw new ConfigurationError(`'branches' is empty. Give at least one branch name or glob, e.g. main.`);
  for (const b of branches) {
    try {
      compileGlob(b);
    } catch (e) {
      if (e instanceof GlobSyntaxError)
        throw new ConfigurationError(`Invalid branch pattern '${b}': ${e.message}. ${e.fix}`);
      throw e;
    }
  }
  const onDivergence = (i.onDivergence?.trim() || 'issue') as OnDivergence;
  if (!ON_DIVERGENCE.includes(onDivergence))
    throw new ConfigurationError(
      `Invalid on-divergence '${i.onDivergence}'. Expected one of: issue, fail, warn.`,
    );
  const max = i.maxListedCommits ?? 20;
  if (!Number.isInteger(max) || max < 0)
    throw new ConfigurationError(`max-listed-commits must be a whole number ≥ 0, got ${max}.`);
  return {
    a,
    b,
    branches,
    tags: parseTagMode(i.tags ?? 'none'),
    onDivergence,
    dryRun: i.dryRun ?? false,
    maxListedCommits: max,
  };
}
