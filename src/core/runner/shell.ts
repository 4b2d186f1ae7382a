/**
 * Runs the user's commands (entrypoints, checks, verification, drift gates). These are the user's
 * own shell lines from ferry.yml, written to be run by a shell, so they go through `bash -c`; nothing
 * Ferry builds itself is ever passed through a shell.
 */
import { spawn } from 'node:child_process';
import { redact } from '../git/secrets.js';

export interface ShellResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

export interface ShellOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Called with each output line (already redacted), for live logs. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

const KEEP_BYTES = 1 << 20;

export function runProcess(file: string, args: readonly string[], opts: ShellOptions): Promise<ShellResult> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(file, [...args], {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so a timeout kills the whole script tree
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const partial = { stdout: '', stderr: '' };
    const feed = (stream: 'stdout' | 'stderr', chunk: string) => {
      if (stream === 'stdout') stdout = (stdout + chunk).slice(-KEEP_BYTES);
      else stderr = (stderr + chunk).slice(-KEEP_BYTES);
      if (!opts.onLine) return;
      const lines = (partial[stream] + chunk).split('\n');
      partial[stream] = lines.pop() ?? '';
      for (const l of lines) opts.onLine(redact(l), stream);
    };
    child.stdout.setEncoding('utf8').on('data', (d: string) => feed('stdout', d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => feed('stderr', d));
    const timer =
      opts.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            try {
              process.kill(-child.pid!, 'SIGKILL');
            } catch {
              child.kill('SIGKILL');
            }
          }, opts.timeoutMs)
        : undefined;
    const finish = (code: number) => {
      if (timer) clearTimeout(timer);
      for (const s of ['stdout', 'stderr'] as const)
        if (partial[s] && opts.onLine) opts.onLine(redact(partial[s]), s);
      resolve({ exitCode: code, stdout, stderr, timedOut, durationMs: Math.round(performance.now() - t0) });
    };
    child.on('error', (e) => {
      stderr += `${(e as Error).message}\n`;
      finish(127);
    });
    child.on('close', (code, signal) => finish(code ?? (signal ? 128 + 9 : 1)));
  });
}

export function runShell(command: string, opts: ShellOptions): Promise<ShellResult> {
  return runProcess('bash', ['-c', command], opts);
}

/** The last number a command printed (`wc -l` output, a count, a score), or undefined. */
export function lastNumber(text: string): number | undefined {
  const all = text.match(/-?\d+(?:\.\d+)?/g);
  return all ? Number(all[all.length - 1]) : undefined;
}

/** The last few lines of output, for a failure message. */
export function tail(text: string, lines = 5): string {
  return redact(text.trim().split('\n').slice(-lines).join('\n'));
}
