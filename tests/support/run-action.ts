import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { tmpDir } from './tmp.js';

export const REPO_ROOT = path.resolve(new URL('../..', import.meta.url).pathname);

export interface ActionRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** stdout + stderr, for "the token never appears" checks. */
  log: string;
}

export interface RunActionOptions {
  inputs?: Record<string, string>;
  env?: Record<string, string>;
  /** The job's working directory (GITHUB_WORKSPACE). */
  cwd?: string;
  event?: unknown;
  eventName?: string;
  timeoutMs?: number;
  /** Called with the running process (to signal it, as a cancelled job is). */
  onSpawn?: (child: ChildProcess) => void;
}

interface ActionYml {
  inputs?: Record<string, { default?: string; required?: boolean }>;
  runs: { using: string; main: string };
}

/**
 * Run an action's dist bundle exactly the way the Actions runner does: `node <runs.main>` with
 * INPUT_* variables (action.yml defaults, then overrides), GITHUB_OUTPUT, GITHUB_STEP_SUMMARY,
 * GITHUB_EVENT_PATH, GITHUB_SERVER_URL and GITHUB_API_URL. `action` is a folder under actions/,
 * or '.' for the root action.
 */
export async function runAction(action: string, opts: RunActionOptions = {}): Promise<ActionRun> {
  const actionDir = action === '.' ? REPO_ROOT : path.join(REPO_ROOT, 'actions', action);
  const yml = parseYaml(await fs.readFile(path.join(actionDir, 'action.yml'), 'utf8')) as ActionYml;
  if (yml.runs.using !== 'node24') throw new Error(`${action}/action.yml: runs.using must be node24`);
  const main = path.resolve(actionDir, yml.runs.main);
  const work = await tmpDir('ferry-runner-');
  const outputFile = path.join(work, 'output');
  const summaryFile = path.join(work, 'summary');
  const eventFile = path.join(work, 'event.json');
  const temp = path.join(work, 'runner-temp');
  await fs.mkdir(temp);
  await fs.writeFile(outputFile, '');
  await fs.writeFile(summaryFile, '');
  await fs.writeFile(eventFile, JSON.stringify(opts.event ?? {}));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_STATE: path.join(work, 'state'),
    GITHUB_EVENT_PATH: eventFile,
    GITHUB_EVENT_NAME: opts.eventName ?? 'push',
    GITHUB_SERVER_URL: 'https://github.invalid',
    GITHUB_API_URL: 'https://api.github.invalid',
    GITHUB_REPOSITORY: 'acme/private',
    GITHUB_SHA: '0000000000000000000000000000000000000000',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_WORKSPACE: opts.cwd ?? work,
    GITHUB_RUN_ID: '1',
    GITHUB_ACTOR: 'tester',
    RUNNER_TEMP: temp,
    RUNNER_OS: 'Linux',
    GIT_CONFIG_NOSYSTEM: '1',
    ...opts.env,
  };
  for (const [name, def] of Object.entries(yml.inputs ?? {})) {
    if (def.default !== undefined) env[inputVar(name)] = evaluateDefault(String(def.default), env);
  }
  for (const [name, value] of Object.entries(opts.inputs ?? {})) {
    if (!(name in (yml.inputs ?? {}))) throw new Error(`${action}/action.yml has no input '${name}'`);
    env[inputVar(name)] = value;
  }
  const child = spawn(process.execPath, [main], {
    cwd: opts.cwd ?? work,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  opts.onSpawn?.(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
  const exitCode = await new Promise<number>((r) => child.on('close', (c) => r(c ?? 137)));
  clearTimeout(timer);
  return {
    exitCode,
    stdout,
    stderr,
    outputs: parseOutputFile(await fs.readFile(outputFile, 'utf8')),
    summary: await fs.readFile(summaryFile, 'utf8'),
    log: stdout + stderr,
  };
}

/**
 * The runner evaluates expressions in input defaults before the action starts. The few contexts
 * our action.yml files use are evaluated the same way; `github.token` is the job's GITHUB_TOKEN
 * (tests pass it as env GITHUB_TOKEN, else it is empty, as for a fork's pull request).
 */
function evaluateDefault(value: string, env: NodeJS.ProcessEnv): string {
  const ctx: Record<string, string | undefined> = {
    'github.token': env.GITHUB_TOKEN,
    'github.repository': env.GITHUB_REPOSITORY,
    'github.server_url': env.GITHUB_SERVER_URL,
    'github.api_url': env.GITHUB_API_URL,
    'github.workspace': env.GITHUB_WORKSPACE,
    'github.sha': env.GITHUB_SHA,
    'github.ref_name': env.GITHUB_REF?.replace(/^refs\/(heads|tags)\//, ''),
  };
  return value.replace(/\$\{\{\s*([\w.]+)\s*\}\}/g, (m, expr: string) => {
    if (!(expr in ctx)) throw new Error(`run-action: unsupported expression ${m} in an action.yml default`);
    return ctx[expr] ?? '';
  });
}

/** The runner's rule: upper-case, spaces to underscores; dashes stay. */
export function inputVar(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delim] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i]);
      out[name] = value.join('\n');
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

/** Run the CLI bundle (dist/cli) as a user would. */
export async function runCli(
  args: string[],
  opts: {
    cwd?: string;
    env?: Record<string, string>;
    input?: string;
    onSpawn?: (child: ChildProcess) => void;
  } = {},
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist/cli/index.js'), ...args], {
    cwd: opts.cwd ?? REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, GIT_CONFIG_NOSYSTEM: '1', ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  opts.onSpawn?.(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.end(opts.input ?? '');
  const exitCode = await new Promise<number>((r) => child.on('close', (c) => r(c ?? 137)));
  return { exitCode, stdout, stderr };
}
