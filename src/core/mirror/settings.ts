import { ConfigurationError } from '../errors.js';
import { settingName } from '../settings/surface.js';
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
  /** A number, or text as an input or a flag gives it. */
  maxListedCommits?: number | string;
  /** GITHUB_SERVER_URL: where `owner/name` points, and the server each token is scoped to. */
  serverUrl?: string;
}

const ON_DIVERGENCE: readonly OnDivergence[] = ['issue', 'fail', 'warn'];

/** Messages name each setting in the user's spelling (settingName): `input 'repo-a'`, `--a`, `targets.x.a`. */
export function mirrorSettings(i: MirrorInput): MirrorSettings {
  const server = i.serverUrl || 'https://github.com';
  const side = (spec: string, id: string, token?: string, sshKey?: string) => {
    if (!spec?.trim())
      throw new ConfigurationError(
        `${settingName(id)} is required: {owner}/{repo}, a git URL, or a local path.`,
      );
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
  const a = side(i.repoA, 'repo-a', i.tokenA, i.sshKeyA);
  const b = side(i.repoB, 'repo-b', i.tokenB, i.sshKeyB);
  if (a.url === b.url)
    throw new ConfigurationError(
      `${settingName('repo-a')} and ${settingName('repo-b')} name the same repository (${a.spec}). Mirror two different repositories.`,
    );
  const branches = i.branches.map((s) => s.trim()).filter(Boolean);
  if (branches.length === 0)
    throw new ConfigurationError(
      `${settingName('branches')} is empty. Give at least one branch name or glob, e.g. main.`,
    );
  for (const b of branches) {
    try {
      compileGlob(b);
    } catch (e) {
      if (e instanceof GlobSyntaxError)
        throw new ConfigurationError(
          `Invalid branch pattern '${b}' (${settingName('branches')}): ${e.message}. ${e.fix}`,
        );
      throw e;
    }
  }
  const onDivergence = (i.onDivergence?.trim() || 'issue') as OnDivergence;
  if (!ON_DIVERGENCE.includes(onDivergence))
    throw new ConfigurationError(
      `Invalid ${settingName('on-divergence')} '${i.onDivergence}'. Expected one of: issue, fail, warn.`,
    );
  const max = i.maxListedCommits === undefined || i.maxListedCommits === '' ? 20 : Number(i.maxListedCommits);
  if (!Number.isInteger(max) || max < 0)
    throw new ConfigurationError(
      `${settingName('max-listed-commits')} must be a whole number ≥ 0, got ${i.maxListedCommits}.`,
    );
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
