import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

const REPO_ROOT = path.resolve(new URL('../..', import.meta.url).pathname);

/**
 * A file of the `shared` folder that sits beside the repository (`../shared/<rel>`), read in
 * place, never copied in. From a linked worktree (`git worktree add`) the folder sits beside the
 * main worktree instead. Undefined when absent, as on a user's fresh clone.
 */
export function sharedFile(rel: string): string | undefined {
  const roots = [REPO_ROOT];
  try {
    const common = execFileSync('git', ['rev-parse', '--path-format=absolute', '--git-common-dir'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    roots.push(path.dirname(common));
  } catch {
    // not a git checkout: the repository root only
  }
  return roots.map((r) => path.join(r, '../shared', rel)).find((f) => existsSync(f));
}
