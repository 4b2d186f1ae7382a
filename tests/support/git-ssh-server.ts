import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * A loopback SSH "GitHub" for git: OpenSSH's sshd on 127.0.0.1:<free port>, run in the foreground
 * as the current user with a temp host key and config (never /etc/ssh, never ~/.ssh). Public-key
 * login only, for the keys in its own authorized_keys; every session is forced through a small
 * wrapper that only runs `git-upload-pack` / `git-receive-pack` on bare repos under `root`, so
 * `ssh://USER@127.0.0.1:PORT/owner/name.git` works like a GitHub deploy key.
 *
 * The machine needs openssh-server (CI installs it in .ci/run).
 */
export const SSHD = '/usr/sbin/sshd';

export interface SshKeyPair {
  /** Private key text (OpenSSH format), what a user pastes into an `ssh-key` secret. */
  privateKey: string;
  /** `ssh-ed25519 AAAA... comment` */
  publicKey: string;
}

export class GitSshServer {
  readonly root: string;
  /** The user sshd authenticates (the current user: an sshd not run as root can only be that one). */
  readonly user = os.userInfo().username;
  port = 0;
  /** The deploy key authorized on this server. */
  deployKey!: SshKeyPair;
  /** The server's host public key, `ssh-ed25519 AAAA...`. */
  hostPublicKey = '';
  private readonly dir: string;
  private proc?: ChildProcess;
  private stderr = '';

  /** `dir` holds the server's own files (config, keys, logs); repos live under `dir/repos`. */
  constructor(dir: string) {
    this.dir = dir;
    this.root = path.join(dir, 'repos');
  }

  async start(): Promise<void> {
    if (!existsSync(SSHD))
      throw new Error(
        `${SSHD} not found: the SSH tests need openssh-server (apt-get install -y openssh-server; .ci/run installs it).`,
      );
    await fs.mkdir(this.root, { recursive: true });
    const hostKey = path.join(this.dir, 'host_ed25519');
    keygen(hostKey, 'ferry-test-host');
    this.hostPublicKey = publicPart(await fs.readFile(`${hostKey}.pub`, 'utf8'));
    this.deployKey = await this.generateKey('deploy');
    await fs.writeFile(path.join(this.dir, 'authorized_keys'), this.deployKey.publicKey + '\n', {
      mode: 0o600,
    });
    await this.writeWrapper();
    // The privilege-separation directory sshd insists on when it runs as root.
    if (process.getuid?.() === 0) await fs.mkdir('/run/sshd', { recursive: true, mode: 0o755 });
    for (let attempt = 0; ; attempt++) {
      this.port = await freePort();
      try {
        await this.spawnSshd(hostKey);
        return;
      } catch (e) {
        // Another process took the port between freePort() and sshd's bind: try another one.
        if (attempt < 3 && /Address already in use|Bind to port/.test(this.stderr)) continue;
        throw e;
      }
    }
  }

  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill('SIGTERM');
    await exited;
  }

  /** A fresh ed25519 key pair (not authorized unless `authorize`). */
  async generateKey(name: string, authorize = false, passphrase = ''): Promise<SshKeyPair> {
    const file = path.join(this.dir, `client_${name}`);
    keygen(file, `ferry-test-${name}`, passphrase);
    const pair = {
      privateKey: await fs.readFile(file, 'utf8'),
      publicKey: (await fs.readFile(`${file}.pub`, 'utf8')).trim(),
    };
    if (authorize) await fs.appendFile(path.join(this.dir, 'authorized_keys'), pair.publicKey + '\n');
    return pair;
  }

  /** The known_hosts line for this server, as `ssh-keyscan -p PORT 127.0.0.1` would print it. */
  knownHostsLine(): string {
    return `[127.0.0.1]:${this.port} ${this.hostPublicKey}`;
  }

  /** Bare repo path for owner/name (created empty on branch main when `create`). */
  async repo(full: string, create = true): Promise<string> {
    const dir = path.join(this.root, `${full}.git`);
    if (create) {
      await fs.mkdir(dir, { recursive: true });
      execFileSync('git', ['init', '-q', '--bare', '-b', 'main', dir]);
    }
    return dir;
  }

  repoUrl(full: string): string {
    return `ssh://${this.user}@127.0.0.1:${this.port}/${full}.git`;
  }

  /** The git commands the server ran, one per session (what the client asked for). */
  async sessions(): Promise<string[]> {
    const text = await fs.readFile(path.join(this.dir, 'sessions.log'), 'utf8').catch(() => '');
    return text.split('\n').filter(Boolean);
  }

  /** sshd's own log (auth decisions), for diagnosing a failing test. */
  log(): string {
    return this.stderr;
  }

  /**
   * Forced command for every session: SSH_ORIGINAL_COMMAND is what git sent, e.g.
   * `git-receive-pack '/owner/name.git'`. Only the two git services, only paths under root.
   */
  private async writeWrapper(): Promise<void> {
    const script = `#!/bin/sh
set -f
printf '%s\\n' "$SSH_ORIGINAL_COMMAND" >> ${sq(path.join(this.dir, 'sessions.log'))}
case "$SSH_ORIGINAL_COMMAND" in
  "git-upload-pack '"*"'"|"git-receive-pack '"*"'") ;;
  *) echo "test sshd: only git-upload-pack/git-receive-pack are allowed" >&2; exit 1 ;;
esac
cmd=\${SSH_ORIGINAL_COMMAND%% *}
repo=\${SSH_ORIGINAL_COMMAND#* \\'}
repo=\${repo%\\'}
repo=\${repo#/}
case "$repo" in
  *..*|*\\'*|"") echo "test sshd: bad repository path" >&2; exit 1 ;;
esac
if [ ! -d ${sq(this.root)}/"$repo" ]; then echo "ERROR: Repository not found." >&2; exit 1; fi
exec "$cmd" ${sq(this.root)}/"$repo"
`;
    await fs.writeFile(path.join(this.dir, 'git-shell'), script, { mode: 0o755 });
  }

  private async spawnSshd(hostKey: string): Promise<void> {
    const lines = [
      `Port ${this.port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${path.join(this.dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${path.join(this.dir, 'authorized_keys')}`,
      `AllowUsers ${this.user}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'HostbasedAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'PermitUserEnvironment no',
      'AllowAgentForwarding no',
      'AllowTcpForwarding no',
      'X11Forwarding no',
      'PermitTTY no',
      'PrintMotd no',
      'MaxStartups 50',
      'LogLevel VERBOSE',
      `ForceCommand ${path.join(this.dir, 'git-shell')}`,
    ];
    if (process.getuid?.() === 0) lines.push('PermitRootLogin prohibit-password');
    const config = path.join(this.dir, 'sshd_config');
    await fs.writeFile(config, lines.join('\n') + '\n');
    this.stderr = '';
    // -D: stay in the foreground (we own the process); -e: log to stderr.
    const p = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.proc = p;
    // A test process that ends without stop() (a crash, a killed worker) must not leave sshd behind.
    const reap = () => p.kill('SIGTERM');
    process.once('exit', reap);
    p.once('exit', () => process.off('exit', reap));
    p.stderr!.setEncoding('utf8');
    p.stderr!.on('data', (d: string) => (this.stderr += d));
    const died = new Promise<never>((_, rej) =>
      p.once('exit', (code) => rej(new Error(`sshd exited (${code}) on start:\n${this.stderr}`))),
    );
    died.catch(() => undefined);
    await Promise.race([waitForBanner(this.port, 10_000), died]);
  }
}

function keygen(file: string, comment: string, passphrase = ''): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', comment, '-f', file], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

/** `ssh-ed25519 AAAA... comment` → `ssh-ed25519 AAAA...` */
function publicPart(line: string): string {
  return line.trim().split(/\s+/).slice(0, 2).join(' ');
}

function sq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Resolves once the port answers with an SSH banner. */
async function waitForBanner(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.setTimeout(1000);
      s.once('data', (d) => {
        s.destroy();
        resolve(d.toString().startsWith('SSH-'));
      });
      s.once('error', () => resolve(false));
      s.once('timeout', () => {
        s.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`sshd did not answer on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
