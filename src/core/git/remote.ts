import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigurationError } from '../errors.js';

/**
 * Resolve what a user wrote as a repository into a git URL:
 * `owner/name` → `${serverUrl}/owner/name.git`; URLs and scp-style SSH as they are;
 * anything else is a local path (made absolute).
 * A URL with credentials in it is refused: tokens never go in URLs (nor, through a URL, in git's
 * argument list). So is a host or user that starts with `-`, which ssh would read as an option
 * (`ssh://-oProxyCommand=...`).
 * `serverUrl` is GITHUB_SERVER_URL, which the adapters pass in (GHES, the demo, tests).
 */
export function resolveRemote(spec: string, serverUrl = 'https://github.com', suffix = '.git'): string {
  const s = spec.trim();
  if (!s) throw new ConfigurationError('Empty repository. Expected {owner}/{repo}, a URL, or a local path.');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) {
    const u = parseUrl(s, 'Repository URL');
    if (hasCredentials(u)) {
      throw new ConfigurationError(
        `Repository URL '${u.protocol}//***@${u.host}${u.pathname}' carries credentials. Remove them and pass the token through the token input instead.`,
      );
    }
    refuseOptionLike(u.username, u.hostname, s);
    return s;
  }
  const scp = /^([\w.-]+)@([\w.-]+):/.exec(s); // git@github.com:owner/repo.git
  if (scp) {
    refuseOptionLike(scp[1], scp[2], s);
    return s;
  }
  if (existsSync(s)) return path.resolve(s);
  if (/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(s) && !s.startsWith('.') && !s.endsWith('.git')) {
    checkServerUrl(serverUrl);
    return `${serverUrl.replace(/\/+$/, '')}/${s}${suffix}`;
  }
  if (s.startsWith('/') || s.startsWith('.') || s.includes(path.sep)) return path.resolve(s);
  throw new ConfigurationError(
    `Invalid repository '${s}'. Expected format {owner}/{repo}, a URL, or a local path.`,
  );
}

function parseUrl(s: string, what: string): URL {
  try {
    return new URL(s);
  } catch {
    throw new ConfigurationError(
      `${what} '${remoteLabel(s)}' is not a valid URL. Expected e.g. https://github.com/owner/repo.git or ssh://git@host/owner/repo.git.`,
    );
  }
}

function hasCredentials(u: URL): boolean {
  return !!u.password || (!!u.username && u.protocol.startsWith('http'));
}

function refuseOptionLike(user: string, host: string, spec: string): void {
  if (user.startsWith('-') || host.startsWith('-'))
    throw new ConfigurationError(
      `Repository '${spec}' names a ${host.startsWith('-') ? 'host' : 'user'} that starts with '-', which ssh would take as an option. Fix the repository URL (e.g. ssh://git@host/owner/repo.git).`,
    );
}

/**
 * GITHUB_SERVER_URL with user info (`https://x-access-token:TOKEN@host`) would put the token in every
 * repository URL built from it, hence in git's argument list: refused, as a repository URL with
 * credentials is.
 */
export function checkServerUrl(serverUrl: string): void {
  const u = parseUrl(serverUrl, 'GITHUB_SERVER_URL');
  if (u.username || u.password)
    throw new ConfigurationError(
      `GITHUB_SERVER_URL '${u.protocol}//***@${u.host}${u.pathname}' carries credentials. Set it to the bare server URL (e.g. https://ghes.example.com) and pass the token through the token input or FERRY_TOKEN.`,
    );
}

/** A label safe to print: the URL without any user info. */
export function remoteLabel(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return url;
  }
}

export function isLocalRemote(url: string): boolean {
  return url.startsWith('/') || url.startsWith('file://');
}
