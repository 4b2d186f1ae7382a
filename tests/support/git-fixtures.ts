import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/** Deterministic identity and dates, so fixture commit ids are stable within a run. */
export const GIT_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.com',
  GIT_COMMITTER_NAME: 'Test Committer',
  GIT_COMMITTER_EMAIL: 'committer@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_TERMINAL_PROMPT: '0',
};

export function git(cwd: string, args: string[], input?: string): string {
  return execFileSync('git', args, {
    cwd,
    env: GIT_ENV,
    input,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
  }).replace(/\n$/, '');
}

export type FileSpec = string | { content: string; mode?: 'exec' | 'symlink' };

/** Write files (a null value deletes) into a work tree. */
export async function writeFiles(dir: string, files: Record<string, FileSpec | null>): Promise<void> {
  for (const [p, spec] of Object.entries(files)) {
    const full = path.join(dir, p);
    if (spec === null) {
      await fs.rm(full, { recursive: true, force: true });
      continue;
    }
    await fs.mkdir(path.dirname(full), { recursive: true });
    await fs.rm(full, { force: true });
    if (typeof spec === 'string') await fs.writeFile(full, spec);
    else if (spec.mode === 'symlink') await fs.symlink(spec.content, full);
    else await fs.writeFile(full, spec.content, { mode: spec.mode === 'exec' ? 0o755 : 0o644 });
  }
}

/** A non-bare repo on branch main with one commit of `files`. */
export async function makeRepo(
  dir: string,
  files: Record<string, FileSpec>,
  message = 'initial',
): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  git(dir, ['init', '-q', '-b', 'main']);
  await writeFiles(dir, files);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '--allow-empty', '-m', message]);
  return git(dir, ['rev-parse', 'HEAD']);
}

/** Change files and commit; returns the new sha. */
export async function commitFiles(
  dir: string,
  files: Record<string, FileSpec | null>,
  message = 'change',
): Promise<string> {
  await writeFiles(dir, files);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '--allow-empty', '-m', message]);
  return git(dir, ['rev-parse', 'HEAD']);
}

/** An empty bare repo (HEAD → main). */
export async function makeBare(dir: string): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  git(dir, ['init', '-q', '--bare', '-b', 'main']);
  return dir;
}

/** Paths of a ref's tree, sorted; [] when the ref does not exist. */
export function lsTree(repo: string, ref = 'main'): string[] {
  try {
    return git(repo, ['ls-tree', '-r', '--name-only', '-z', ref]).split('\0').filter(Boolean).sort();
  } catch {
    return [];
  }
}

export function revParse(repo: string, ref: string): string | undefined {
  try {
    return git(repo, ['rev-parse', '--verify', '-q', ref]);
  } catch {
    return undefined;
  }
}

export function showFile(repo: string, ref: string, p: string): string {
  return git(repo, ['show', `${ref}:${p}`]);
}

/**
 * A linear `main` history from fast-import file commands, one commit per step (author and committer
 * `A <a@example.com>`, one minute apart from 1,700,000,000, message `step N`); returns the ids, oldest first.
 */
export function importLinearHistory(dir: string, steps: readonly (readonly string[])[]): string[] {
  git(dir, ['init', '-q', '-b', 'main']);
  let stream = '';
  steps.forEach((lines, i) => {
    const msg = `step ${i}\n`;
    stream += `commit refs/heads/main\nmark :${i + 1}\n`;
    stream += `author A <a@example.com> ${1_700_000_000 + i * 60} +0000\n`;
    stream += `committer A <a@example.com> ${1_700_000_000 + i * 60} +0000\n`;
    stream += `data ${msg.length}\n${msg}${i ? `from :${i}\n` : ''}${lines.map((l) => `${l}\n`).join('')}\n`;
  });
  execFileSync('git', ['fast-import', '--quiet', '--date-format=raw'], {
    cwd: dir,
    env: GIT_ENV,
    input: stream,
  });
  return git(dir, ['rev-list', '--reverse', '--first-parent', 'main']).split('\n');
}
