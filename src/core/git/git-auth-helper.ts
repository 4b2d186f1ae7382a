import { promises as fs, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigurationError, RemoteError } from '../errors.js';
import { checkServerUrl, remoteLabel } from './remote.js';
import { registerSecret } from './secrets.js';

export interface GitAuthSettings {
  /** HTTPS token (GITHUB_TOKEN, a PAT or an App token). */
  token?: string;
  /** The server the token is for, e.g. https://github.com. The header is scoped to it. */
  serverUrl?: string;
  /** SSH deploy key (private key text). */
  sshKey?: string;
  /**
   * known_hosts lines for SSH. Given: they are the only host keys trusted (not ~/.ssh/known_hosts,
   * not /etc/ssh/ssh_known_hosts). Without them the default known_hosts is used, still strictly checked.
   */
  sshKnownHosts?: string;
  /** Where the 0600 key file goes. Default: RUNNER_TEMP (the runner wipes it after the job), else the OS temp dir. */
  tempDir?: string;
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
    const ssh = await writeSshFiles(s.sshKey, s.sshKnownHosts, s.tempDir);
    cleanups.push(ssh.dir);
    trackKeyDir(ssh.dir);
    env.GIT_SSH_COMMAND = ssh.command;
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
      for (const d of cleanups) {
        await fs.rm(d, { recursive: true, force: true });
        untrackKeyDir(d);
      }
    },
  };
}

/**
 * Key directories still on disk. A cancelled job gets SIGINT, then SIGTERM, and never reaches the
 * `finally` that calls cleanup(): the signal handler removes them (synchronously, the process is
 * going), then lets the signal do what it would have done. The handlers are installed only while a
 * key is on disk, so Ferry's signal behaviour is otherwise the default one.
 */
const liveKeyDirs = new Set<string>();
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function removeKeyDirsNow(): void {
  for (const d of liveKeyDirs) rmSync(d, { recursive: true, force: true });
  liveKeyDirs.clear();
}

function onStopSignal(signal: NodeJS.Signals): void {
  removeKeyDirsNow();
  uninstallKeyCleanup();
  // No handler left: the default action ends the process with the signal (exit 128 + n).
  process.kill(process.pid, signal);
}

function trackKeyDir(dir: string): void {
  if (liveKeyDirs.size === 0) {
    for (const s of STOP_SIGNALS) process.on(s, onStopSignal);
    process.on('exit', removeKeyDirsNow);
  }
  liveKeyDirs.add(dir);
}

function untrackKeyDir(dir: string): void {
  if (liveKeyDirs.delete(dir) && liveKeyDirs.size === 0) uninstallKeyCleanup();
}

function uninstallKeyCleanup(): void {
  for (const s of STOP_SIGNALS) process.off(s, onStopSignal);
  process.off('exit', removeKeyDirsNow);
}

export function normalizeServerUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConfigurationError(
      `Invalid server URL '${remoteLabel(url)}'. Expected e.g. https://github.com or https://ghes.example.com.`,
    );
  }
  checkServerUrl(url);
  return `${u.protocol}//${u.host}`;
}

/**
 * The key (and known hosts) in a fresh 0700 directory as 0600 files, and the ssh command that uses
 * exactly them: only this identity (IdentitiesOnly, no agent), host keys always checked, never a
 * prompt. GIT_SSH_COMMAND is run by a shell, so every path is quoted (temp dirs may hold spaces).
 */
async function writeSshFiles(
  keyText: string,
  knownHosts: string | undefined,
  tempDir: string | undefined,
): Promise<{ dir: string; command: string }> {
  const key = normalizePrivateKey(keyText);
  const base = tempDir || process.env.RUNNER_TEMP || os.tmpdir();
  const dir = await fs.mkdtemp(path.join(base, 'ferry-ssh-')); // mkdtemp: mode 0700
  try {
    const keyFile = path.join(dir, 'key');
    // 'wx': a fresh file, created 0600 (the mode applies only on creation); ssh refuses looser keys.
    await fs.writeFile(keyFile, key, { mode: 0o600, flag: 'wx' });
    const opts = [
      // Not `-i`: ssh stat()s an -i path before expanding `%` in it, so no escaping works there.
      '-o',
      `IdentityFile=${sshConfigPath(keyFile)}`,
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      'IdentityAgent=none',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'BatchMode=yes',
    ];
    const hosts = knownHosts?.replace(/\r\n?/g, '\n').trim();
    if (hosts) {
      const kh = path.join(dir, 'known_hosts');
      await fs.writeFile(kh, hosts + '\n', { mode: 0o600, flag: 'wx' });
      opts.push('-o', `UserKnownHostsFile=${sshConfigPath(kh)}`, '-o', 'GlobalKnownHostsFile=/dev/null');
    }
    return { dir, command: ['ssh', ...opts].map(shellQuote).join(' ') };
  } catch (e) {
    await fs.rm(dir, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Secrets pasted through a web form often arrive with CRLF line ends or without the final newline,
 * which ssh rejects as "invalid format". A public key or a bare path is a user mistake worth naming.
 * Every line of the key body is registered as a secret, since logs are redacted line by line.
 */
export function normalizePrivateKey(text: string): string {
  const key = text.replace(/\r\n?/g, '\n').trim();
  if (!/^-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----\n[\s\S]+\n-----END [A-Z0-9 ]*PRIVATE KEY-----$/.test(key)) {
    const hint = /^(ssh-|ecdsa-|sk-)/.test(key)
      ? 'It looks like a public key: give the private key, and add the public one as the deploy key.'
      : 'Expected the private key text, from "-----BEGIN OPENSSH PRIVATE KEY-----" to the END line.';
    throw new ConfigurationError(`The SSH key is not a private key. ${hint}`);
  }
  if (isEncryptedKey(key))
    throw new ConfigurationError(
      'The SSH key has a passphrase, and Ferry runs ssh without prompts. Use a deploy key made without one (ssh-keygen -N "").',
    );
  registerSecret(key);
  for (const line of key.split('\n')) if (!line.startsWith('-----')) registerSecret(line.trim());
  return key + '\n';
}

/** A passphrase-protected key: PEM's ENCRYPTED markers, or an OpenSSH key whose cipher is not `none`. */
function isEncryptedKey(key: string): boolean {
  if (/^-----BEGIN ENCRYPTED PRIVATE KEY-----|^Proc-Type: 4,ENCRYPTED/m.test(key)) return true;
  if (!key.startsWith('-----BEGIN OPENSSH PRIVATE KEY-----')) return false;
  const body = Buffer.from(key.split('\n').slice(1, -1).join(''), 'base64');
  const magic = 'openssh-key-v1\0';
  if (body.subarray(0, magic.length).toString('latin1') !== magic || body.length < magic.length + 4)
    return false;
  const len = body.readUInt32BE(magic.length);
  return body.subarray(magic.length + 4, magic.length + 4 + len).toString('latin1') !== 'none';
}

/**
 * What ssh's own failures mean for a deploy-key user, or undefined when `stderr` is not one of them.
 * (explainRemoteFailure covers the token side; this is its ssh half.)
 */
export function explainSshFailure(stderr: string, remoteLabel: string): RemoteError | undefined {
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed/i.test(stderr))
    return new RemoteError(
      `SSH host key of ${remoteLabel} does not match the known-hosts input: the server's key changed, or this is not the server you meant. Check the key (ssh-keyscan HOST, compared with the host's published fingerprints) and update the known-hosts input.`,
    );
  if (/Host key verification failed|No \S+ host key is known/i.test(stderr))
    return new RemoteError(
      `SSH host key verification for ${remoteLabel} failed: the host is not in the known hosts. Add the server's key to the known-hosts input (ssh-keyscan HOST).`,
    );
  if (/Permission denied \(publickey/i.test(stderr))
    return new RemoteError(
      `SSH authentication to ${remoteLabel} failed: the server refused the deploy key. Check that the ssh-key secret holds the private key whose public key is a deploy key of that repository (with write access to push), and that the URL's user is right (git@ on GitHub).`,
    );
  if (/Load key .*: (invalid format|error in libcrypto)|incorrect passphrase/i.test(stderr))
    return new RemoteError(
      `ssh could not read the deploy key for ${remoteLabel}: give the whole private key text, without a passphrase.`,
    );
  return undefined;
}

/**
 * ssh expands `%` tokens (and `${VAR}`) in file names and splits an `-o` value itself (quotes,
 * backslashes). So a path with a space, a quote or a `%` is escaped for ssh here,
 * then quoted again for the shell that runs GIT_SSH_COMMAND. `${` has no escape in ssh: such a temp
 * dir is refused with the fix.
 */
function sshConfigPath(p: string): string {
  if (p.includes('${'))
    throw new ConfigurationError(
      `The temp directory '${p}' contains '\${', which ssh would expand. Set RUNNER_TEMP (or TMPDIR) to another directory.`,
    );
  return `"${p.replace(/%/g, '%%').replace(/[\\"]/g, '\\$&')}"`;
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
