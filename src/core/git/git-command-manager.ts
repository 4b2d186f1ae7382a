import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ConfigurationError, RemoteError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { redact } from './secrets.js';
import { explainSshFailure } from './git-auth-helper.js';

/** GIT_CONFIG_COUNT (used to pass credentials without argv or files) arrived in git 2.31. */
export const MINIMUM_GIT_VERSION = '2.31.0';

export interface ExecOptions {
  input?: string | Buffer;
  env?: Record<string, string>;
  cwd?: string;
  /** Exit codes that are not failures (the result carries the code). */
  allowedExitCodes?: number[];
}

export interface ExecResult {
  stdout: Buffer;
  stderr: string;
  exitCode: number;
}

export class GitError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number,
    readonly stderr: string,
  ) {
    super(
      `git ${args[0]} failed (exit ${exitCode}): ${redact(stderr.trim()).split('\n').slice(-6).join('\n')}`,
    );
    this.name = 'GitError';
  }
}

/** Patterns in git's stderr that mean "the network or server hiccuped: try again". */
const TRANSIENT = [
  /returned error: 5\d\d/,
  /RPC failed/,
  /early EOF/,
  /remote end hung up unexpectedly/,
  /Connection (reset|refused|timed out)/i,
  /Empty reply from server/,
  /Could not resolve host/,
  /Operation timed out/,
  /unexpected disconnect/,
  /transfer closed/,
  /HTTP\/2 stream \d+ was not closed cleanly/,
  /The requested URL returned error: 429/,
];

/**
 * Patterns that mean "the repository lacks objects its refs need, or is corrupt". Its server
 * aborts with "unable to read <id>" and the client then also sees a dropped connection or a bad
 * pack header: retrying cannot help, so these win over TRANSIENT.
 */
const MISSING_OBJECTS = [
  /unable to read [0-9a-f]{40}/,
  /possible repository corruption/,
  /did not send all necessary objects/,
  /(missing|bad) (blob|tree|commit|tag) (object )?[0-9a-f]{40}/i,
  /bad object [0-9a-f]{40}/,
];

function isMissingObjectsError(e: unknown): boolean {
  return e instanceof GitError && MISSING_OBJECTS.some((re) => re.test(e.stderr));
}

/**
 * The error for a repository that lacks objects, when git's `stderr` says so (else undefined).
 * `label` names the repository that lacks them: for a fetch, the remote; for a push from a
 * repository that borrows a local one's objects (alternates), that local one.
 */
export function missingObjectsError(stderr: string, label: string): RemoteError | undefined {
  const lines = stderr.split('\n');
  // The most specific line ("unable to read <id>" names the object), without git's prefixes.
  const line = MISSING_OBJECTS.map((re) => lines.find((l) => re.test(l))).find(Boolean);
  if (line === undefined) return undefined;
  const what = line.replace(/^(remote: )?((fatal|error): )*/, '').trim();
  return new RemoteError(
    `${label} is missing objects that its branches need, or is corrupt (${what}). ` +
      `Run 'git fsck' in it and restore the missing objects (from a clone that has them); retrying will not help.`,
  );
}

export function isTransientGitError(e: unknown): boolean {
  return e instanceof GitError && !isMissingObjectsError(e) && TRANSIENT.some((re) => re.test(e.stderr));
}

/** Turn auth/not-found failures into errors that tell the user what to do. */
export function explainRemoteFailure(e: unknown, remoteLabel: string): unknown {
  if (!(e instanceof GitError)) return e;
  const s = e.stderr;
  // ssh's own messages first (a refused deploy key also says "Could not read from remote").
  const ssh = explainSshFailure(s, remoteLabel);
  if (ssh) return ssh;
  const missing = missingObjectsError(s, `Repository ${remoteLabel}`);
  if (missing) return missing;
  if (
    /returned error: 40[13]|Authentication failed|could not read Username|Invalid username or password|terminal prompts disabled/i.test(
      s,
    )
  ) {
    return new RemoteError(
      `Authentication to ${remoteLabel} failed. Check that the token is set, has not expired, and has 'contents: write' on that repository (a GITHUB_TOKEN only reaches the current repository: use a fine-grained PAT or a GitHub App token for another).`,
    );
  }
  if (/Repository not found|returned error: 404|does not appear to be a git repository|not found/i.test(s)) {
    return new RemoteError(
      `Repository ${remoteLabel} was not found, or the token cannot see it. Check the name and the token's repository access.`,
    );
  }
  if (/Failed to connect to|Couldn't connect to server|Connection refused/i.test(s)) {
    return new RemoteError(
      `Could not connect to ${remoteLabel}: the server refused the connection. Check the repository URL (and GITHUB_SERVER_URL), and that the server is up and reachable from this machine.`,
    );
  }
  if (/Host key verification failed/i.test(s)) {
    return new RemoteError(
      `SSH host key verification for ${remoteLabel} failed. Add the server's key to the known-hosts input (ssh-keyscan HOST).`,
    );
  }
  return e;
}

/**
 * The one wrapper around the git binary. Arguments are arrays (never a shell string);
 * credentials come in through the environment (see git-auth-helper), never argv.
 */
export class GitCommandManager {
  readonly cwd: string;
  private readonly env: Record<string, string>;
  private readonly logger: Logger;

  constructor(cwd: string, opts: { env?: Record<string, string>; logger?: Logger } = {}) {
    this.cwd = cwd;
    this.env = opts.env ?? {};
    this.logger = opts.logger ?? silentLogger;
  }

  /** A manager for another directory (or with more environment) sharing auth and logger. */
  with(opts: { cwd?: string; env?: Record<string, string> }): GitCommandManager {
    return new GitCommandManager(opts.cwd ?? this.cwd, {
      env: { ...this.env, ...(opts.env ?? {}) },
      logger: this.logger,
    });
  }

  private childEnv(extra?: Record<string, string>): NodeJS.ProcessEnv {
    return {
      ...process.env,
      GIT_TERMINAL_PROMPT: '0',
      GIT_ASKPASS: '',
      SSH_ASKPASS: '',
      GCM_INTERACTIVE: 'never',
      LC_ALL: 'C',
      ...this.env,
      ...(extra ?? {}),
    };
  }

  spawn(
    args: readonly string[],
    opts: { env?: Record<string, string>; cwd?: string } = {},
  ): ChildProcessWithoutNullStreams {
    this.logger.debug(`git ${args.join(' ')}`);
    return spawn('git', [...args], {
      cwd: opts.cwd ?? this.cwd,
      env: this.childEnv(opts.env),
      stdio: 'pipe',
    });
  }

  async execRaw(args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const child = this.spawn(args, opts);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const done = new Promise<number>((resolve, reject) => {
      child.on('error', (e) => {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') reject(e);
        // spawn says ENOENT for a missing working directory too: name the one that is missing.
        else if (!existsSync(opts.cwd ?? this.cwd))
          reject(
            new ConfigurationError(
              `Directory '${opts.cwd ?? this.cwd}' does not exist. Check the source path (or working directory) you gave.`,
            ),
          );
        else reject(new ConfigurationError('git was not found on PATH. Install git 2.31 or newer.'));
      });
      child.on('close', (code) => resolve(code ?? 128));
    });
    child.stdin.on('error', () => undefined); // git may exit before reading all input; the exit code tells
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
    const exitCode = await done;
    const result = { stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), exitCode };
    if (exitCode !== 0 && !(opts.allowedExitCodes ?? []).includes(exitCode))
      throw new GitError(args, exitCode, result.stderr);
    return result;
  }

  /** Run git, return trimmed stdout. Throws GitError on failure. */
  async exec(args: readonly string[], opts: ExecOptions = {}): Promise<string> {
    const r = await this.execRaw(args, opts);
    return r.stdout.toString('utf8').replace(/\n$/, '');
  }

  /** Run git; true when it exited 0. */
  async tryExec(args: readonly string[], opts: ExecOptions = {}): Promise<boolean> {
    const r = await this.execRaw(args, {
      ...opts,
      allowedExitCodes: [...(opts.allowedExitCodes ?? []), 1, 128, 129],
    });
    return r.exitCode === 0;
  }

  async version(): Promise<string> {
    const v = await this.exec(['version']);
    const m = /(\d+\.\d+\.\d+)/.exec(v);
    if (!m) throw new Error(`cannot parse git version from '${v}'`);
    return m[1];
  }

  async assertMinimumVersion(): Promise<void> {
    const v = await this.version();
    if (compareVersions(v, MINIMUM_GIT_VERSION) < 0) {
      throw new ConfigurationError(`git ${v} is too old: Ferry needs git ${MINIMUM_GIT_VERSION} or newer.`);
    }
  }

  async revParse(rev: string): Promise<string> {
    return this.exec(['rev-parse', '--verify', '--end-of-options', `${rev}^{commit}`]);
  }

  async tryRevParse(rev: string): Promise<string | undefined> {
    const r = await this.execRaw(['rev-parse', '--verify', '-q', '--end-of-options', `${rev}^{commit}`], {
      allowedExitCodes: [1, 128],
    });
    return r.exitCode === 0 ? r.stdout.toString().trim() : undefined;
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const r = await this.execRaw(['merge-base', '--is-ancestor', ancestor, descendant], {
      allowedExitCodes: [1],
    });
    return r.exitCode === 0;
  }

  /**
   * isAncestor in one process for a commit that may be absent (a shallow source): undefined when
   * git does not know either commit, instead of a rev-parse first.
   */
  async ancestry(ancestor: string, descendant: string): Promise<boolean | undefined> {
    const args = ['merge-base', '--is-ancestor', ancestor, descendant];
    const r = await this.execRaw(args, { allowedExitCodes: [1, 128] });
    if (r.exitCode === 128) {
      if (/Not a valid commit name/i.test(r.stderr)) return undefined;
      throw new GitError(args, r.exitCode, r.stderr);
    }
    return r.exitCode === 0;
  }

  async isShallow(): Promise<boolean> {
    return (await this.exec(['rev-parse', '--is-shallow-repository'])) === 'true';
  }

  async isBare(): Promise<boolean> {
    return (await this.exec(['rev-parse', '--is-bare-repository'])) === 'true';
  }

  async gitDir(): Promise<string> {
    return this.exec(['rev-parse', '--absolute-git-dir']);
  }
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}
