import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { globSetMatcher } from '../../allowlist/glob.js';
import { GitCommandManager } from '../../git/git-command-manager.js';
import { registeredSecrets } from '../../git/secrets.js';
import { changedBetween, commitPaths, pathsInHead, snapshotWorktree } from '../../git/worktree-snapshot.js';
import { failResult, newResult, type Finding, type PathChange } from '../../report/result.js';
import { renderTemplate } from '../../util/placeholders.js';
import { runProcess, tail } from '../shell.js';
import type { KindAdapter, KindContext } from './types.js';

/**
 * The `command` kind: a repository's own sync scripts. Push runs the script with the files matching
 * `inputs`; pull runs it and commits only what it changed under `outputs` (no change, no commit).
 * Whatever else the script changed is reported as a finding and left uncommitted.
 */
export const runCommandTarget: KindAdapter<'command'> = async (ctx) => {
  const { target, root } = ctx;
  const o = target.options;
  const r = newResult(target.name, 'command', ctx.dryRun);
  r.direction = target.direction;
  const entrypoint = o.entrypoint;
  const script = path.join(root, entrypoint);
  if (!existsSync(script))
    return failResult(r, `entrypoint ${entrypoint} not found (${where(ctx)}). Create it or fix entrypoint.`);
  const outputs = o.outputs ?? [];
  const inputs = o.inputs ?? [];
  const pulls = target.direction !== 'push';
  // Checked before the script runs: a bad template must not cost a run.
  const message = pulls && target.commit ? commitMessage(ctx) : '';
  const git = new GitCommandManager(root, { env: stringEnv(ctx.env), logger: ctx.logger });

  const inputFiles = inputs.length ? await matchTracked(git, inputs) : [];
  if (inputs.length && !inputFiles.length)
    r.findings.push({
      severity: 'warning',
      code: 'no-inputs',
      message: `inputs of '${target.name}' (${inputs.join(', ')}) match no tracked file`,
      file: target.where.file,
      line: target.where.line,
    });
  r.counts.inputs = inputFiles.length;

  if (ctx.dryRun) {
    r.message =
      `dry run: would run ${entrypoint}` +
      (inputs.length ? ` with ${inputFiles.length} input file(s)` : '') +
      (pulls ? ` and ${target.commit ? 'commit' : 'keep'} changes under ${outputs.join(', ')}` : '');
    return r;
  }

  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-cmd-'));
  try {
    const inputsFile = path.join(tmp, 'inputs');
    const outputFile = path.join(tmp, 'output');
    await fs.writeFile(inputsFile, inputFiles.join('\n') + (inputFiles.length ? '\n' : ''));
    await fs.writeFile(outputFile, '');
    const before = await snapshotWorktree(git);
    const env: NodeJS.ProcessEnv = {
      ...ctx.env,
      ...Object.fromEntries(Object.entries(o.env ?? {}).map(([k, v]) => [k, String(v)])),
      FERRY_TARGET: target.name,
      FERRY_DIRECTION: target.direction,
      FERRY_DRY_RUN: 'false',
      FERRY_REPO_ROOT: root,
      FERRY_TARGET_CONFIG: JSON.stringify(o.config ?? {}),
      FERRY_INPUTS_FILE: inputsFile,
      FERRY_OUTPUT: outputFile,
    };
    ctx.logger.info(`$ ${entrypoint} ${(o.args ?? []).join(' ')}`.trimEnd());
    const [file, pre] = await commandLine(script);
    const run = await runProcess(file, [...pre, ...(o.args ?? [])], {
      cwd: root,
      env,
      timeoutMs: target.timeout_minutes * 60_000,
      onLine: (line) => ctx.logger.info(line),
    });
    r.counts.exit_code = run.exitCode;
    const after = await snapshotWorktree(git);
    const touched = changedBetween(before, after);
    const declared = globsMatcher(outputs);
    const mine = pulls ? touched.filter(declared) : [];
    for (const p of touched.filter((p) => !mine.includes(p)))
      r.findings.push({
        severity: 'warning',
        code: 'undeclared-change',
        message: `${entrypoint} changed ${p}, which is not among the declared outputs of '${target.name}'; it was not committed`,
        file: p,
      });
    const reported = parseOutputFile(await fs.readFile(outputFile, 'utf8'));
    if (run.timedOut) return failResult(r, `${entrypoint} timed out after ${target.timeout_minutes} minutes`);
    if (run.exitCode !== 0)
      return failResult(
        r,
        `${entrypoint} exited ${run.exitCode}${run.stderr || run.stdout ? `: ${tail(run.stderr || run.stdout, 3)}` : ''}`,
      );

    if (!pulls) {
      r.changed = reported.changed !== undefined ? reported.changed === 'true' : true;
      r.message = reported.message ?? `ran ${entrypoint} with ${inputFiles.length} input file(s)`;
      return r;
    }
    const inHead = await pathsInHead(git, mine);
    r.changes = await describeChanges(root, mine, inHead);
    r.outputsCreated = r.changes.filter((c) => c.change !== 'deleted').map((c) => c.path);
    r.counts.added = r.changes.filter((c) => c.change === 'added').length;
    r.counts.modified = r.changes.filter((c) => c.change === 'modified').length;
    r.counts.deleted = r.changes.filter((c) => c.change === 'deleted').length;
    const leaks = await secretLeaks(root, r.outputsCreated);
    if (leaks.length)
      return failResult(r, `refusing to commit: a secret value appears in the outputs`, leaks);
    if (target.commit && mine.length) r.commit = await commitPaths(git, mine, message);
    r.changed = mine.length > 0;
    r.message =
      reported.message ??
      (mine.length === 0
        ? `no changes to outputs`
        : `${mine.length} output path(s) changed${r.commit ? `, committed ${r.commit.slice(0, 7)}` : target.commit ? '' : ' (commit off)'}`);
    return r;
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
};

function where(ctx: KindContext<'command'>): string {
  return `${ctx.target.where.file}:${ctx.target.where.line}`;
}

/** The commit message of a pull target; its placeholders are `{target}` and `{direction}`. */
function commitMessage(ctx: KindContext<'command'>): string {
  const template = ctx.target.options.commit_message ?? ctx.config.defaults.commit_message;
  const values = { target: ctx.target.name, direction: ctx.target.direction };
  return renderTemplate(template, values, `commit_message of '${ctx.target.name}' (${where(ctx)})`);
}

/** Glob list → predicate; a glob naming a directory covers everything under it. */
export function globsMatcher(globs: readonly string[]): (p: string) => boolean {
  const m = globSetMatcher(globs.map((g) => g.replace(/\/+$/, '/**')));
  return (p) => {
    if (m(p)) return true;
    for (let i = p.indexOf('/'); i >= 0; i = p.indexOf('/', i + 1)) if (m(p.slice(0, i))) return true;
    return false;
  };
}

async function matchTracked(git: GitCommandManager, globs: readonly string[]): Promise<string[]> {
  const m = globsMatcher(globs);
  return (await git.exec(['ls-files', '-z'])).split('\0').filter((p) => p && m(p));
}

async function describeChanges(root: string, paths: string[], inHead: Set<string>): Promise<PathChange[]> {
  const out: PathChange[] = [];
  for (const p of paths) {
    const st = await fs.lstat(path.join(root, p)).catch(() => undefined);
    if (!st) out.push({ path: p, change: 'deleted' });
    else out.push({ path: p, change: inHead.has(p) ? 'modified' : 'added', bytes: st.size });
  }
  return out;
}

/** A registered secret (a token, or an env value matching safety.secret_patterns) inside an output file. */
async function secretLeaks(root: string, files: readonly string[]): Promise<Finding[]> {
  const secrets = registeredSecrets().filter((s) => s.length >= 6);
  if (!secrets.length) return [];
  const found: Finding[] = [];
  for (const f of files) {
    const text = await fs.readFile(path.join(root, f), 'utf8').catch(() => '');
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++)
      if (secrets.some((s) => lines[i].includes(s)))
        found.push({
          severity: 'error',
          code: 'secret',
          message: `a secret value is written to ${f} (redacted)`,
          file: f,
          line: i + 1,
        });
  }
  return found;
}

/** `key=value` lines a script may write to $FERRY_OUTPUT (changed=true|false, message=...). */
function parseOutputFile(text: string): { changed?: string; message?: string } {
  const out: Record<string, string> = {};
  for (const l of text.split('\n')) {
    const i = l.indexOf('=');
    if (i > 0) out[l.slice(0, i).trim()] = l.slice(i + 1).trim();
  }
  return out;
}

/** Run executable scripts directly; otherwise pick the interpreter by extension. */
async function commandLine(script: string): Promise<[string, string[]]> {
  const ext = path.extname(script);
  if (ext === '.py') return ['python3', [script]];
  if (['.js', '.mjs', '.cjs'].includes(ext)) return [process.execPath, [script]];
  const st = await fs.stat(script);
  return st.mode & 0o111 ? [script, []] : ['bash', [script]];
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}
