import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigurationError } from '../errors.js';

/**
 * Resolve what a user wrote as a repository into a git URL:
 * `owner/name` → `${serverUrl}/owner/name.git`; URLs and scp-style SSH as they are;
 * anything else is a local path (made absolute).
 * A URL with credentials in it is refused: tokens never go in URLs.
 * `serverUrl` is GITHUB_SERVER_URL, which the adapters pass in (GHES, the demo, tests).
 */
export function resolveRemote(spec: string, serverUrl = 'https://github.com', suffix = '.git'): string {
  const s = spec.trim();
  if (!s) throw new ConfigurationError('Empty repository. Expected {owner}/{repo}, a URL, or a local path.');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) {
    const u = new URL(s);
    if (u.password || (u.username && u.protocol.startsWith('http'))) {
      throw new ConfigurationError(
        `Repository URL '${u.protocol}//***@${u.host}${u.pathname}' carries credentials. Remove them and pass the token through the token input instead.`,
      );
    }
    return s;
  }
  if (/^[\w.-]+@[\w.-]+:/.test(s)) return s; // git@github.com:owner/repo.git
  if (existsSync(s)) return path.resolve(s);
  if (/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(s) && !s.startsWith('.') && !s.endsWith('.git')) {
    return `${serverUrl.replace(/\/+$/, '')}/${s}${suffix}`;
  }
  if (s.startsWith('/') || s.startsWith('.') || s.includes(path.sep)) return path.resolve(s);
  throw new ConfigurationError(
    `Invalid repository '${s}'. Expected format {owner}/{repo}, a URL, or a local path.`,
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
