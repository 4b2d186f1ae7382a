import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigurationError } from '../errors.js';
import { registerSecret } from './secrets.js';

export interface GitAuthSettings {
  /** HTTPS token (GITHUB_TOKEN, a PAT or an App token). */
  token?: string;
  /** The server the token is for, e.g. https://github.com. The header is scoped to it. */
  serverUrl?: string;
  /** SSH deploy key (private key text). */
  sshKey?: string;
  /** known_hosts lines for SSH. Without them the default known_hosts is used, still strictly checked. */
  sshKnownHosts?: string;
}

export interface GitAuth {
  /** Environment for git processes: carries the credentials. */
  env: Record<string, string>;
  /** Removes temporary key files. */
  cleanup(): Promise<void>;
}

/**
 * Credentials for git, the way actions/checkout scopes them but without touching any config file
 * or argv: the token goes in `http.<server>/.extraheader` through GIT_CONFIG_COUNT environment
 * variables, and an SSH key goes in a 0600 temp file named by GIT_SSH_COMMAND.
 */
export async function createGitAuth(s: GitAuthSettings): Promise<GitAuth> {
  const env: Record<string, string> = {};
  const cleanups: string[] = [];
  const config: [string, string][] = [];
  if (s.token) {
    registerSecret(s.token);
    const server = normalizeServerUrl(s.serverUrl ?? 'https://github.com');
    const basic = Buffer.from(`x-access-token:${s.token}`).toString('base64');
    config.push([`http.${server}/.extraheader`, `AUTHORIZATION: basic ${basic}`]);
    // Never fall back to a credential helper that might prompt or store the token.
    config.push(['credential.helper', '']);
  }
  if (s.sshKey) {
    registerSecret(s.sshKey.trim());
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-ssh-'));
    cleanups.push(dir);
    const keyFile = path.join(dir, 'key');
    await fs.writeFile(keyFile, s.sshKey.trim() + '\n', { mode: 0o600 });
    const opts = [
      '-i',
      keyFile,
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'BatchMode=yes',
    ];
    if (s.sshKnownHosts) {
      const kh = path.join(dir, 'known_hosts');
      await fs.writeFile(kh, s.sshKnownHosts.trim() + '\n', { mode: 0o600 });
      opts.push('-o', `UserKnownHostsFile=${kh}`);
    }
    env.GIT_SSH_COMMAND = ['ssh', ...opts].map(shellQuote).join(' ');
  }
  if (config.length) {
    env.GIT_CONFIG_COUNT = String(config.length);
    config.forEach(([k, v], i) => {
      env[`GIT_CONFIG_KEY_${i}`] = k;
      env[`GIT_CONFIG_VALUE_${i}`] = v;
    });
  }
  return {
    env,
    cleanup: async () => {
      for (const d of cleanups) await fs.rm(d, { recursive: true, force: true });
    },
  };
}

export function normalizeServerUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConfigurationError(
      `Invalid server URL '${url}'. Expected e.g. https://github.com or https://ghes.example.com.`,
    );
  }
  return `${u.protocol}//${u.host}`;
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
