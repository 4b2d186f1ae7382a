/**
 * The one kind of scratch repository: a throw-away bare repository that sees other repositories'
 * objects through `objects/info/alternates`. Builds use the source's blob ids directly and never
 * copy them, and a push only packs what the target lacks. The export, the wiki sync and the mirror
 * each work in one; `dispose()` removes it.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { GitCommandManager } from './git-command-manager.js';

export interface ScratchRepo {
  dir: string;
  git: GitCommandManager;
  dispose(): Promise<void>;
}

/** Absolute object directory of a repository (work tree or bare). */
export async function objectsDir(git: GitCommandManager): Promise<string> {
  const p = await git.exec(['rev-parse', '--git-path', 'objects']);
  return path.resolve(git.cwd, p);
}

/**
 * objectsDir of a local repository given as a remote, without a git process for the two plain
 * layouts git itself recognises there: a work tree whose `.git` is a directory, or a bare
 * repository (`objects/`, `refs/` and `HEAD` in the directory itself). Anything else (a `.git`
 * file, a linked work tree's `commondir`, an environment that points git elsewhere) asks git.
 */
export async function localObjectsDir(git: GitCommandManager): Promise<string> {
  const dotGit = await fs.stat(path.join(git.cwd, '.git')).catch(() => undefined);
  if (!REDIRECTING_ENV.some((k) => process.env[k]) && (!dotGit || dotGit.isDirectory()))
    for (const gitDir of [path.join(git.cwd, '.git'), git.cwd]) {
      const has = await Promise.all(
        ['objects', 'refs', 'HEAD', 'commondir'].map((f) =>
          fs.stat(path.join(gitDir, f)).then(
            (st) => (f === 'HEAD' ? st.isFile() : f === 'commondir' || st.isDirectory()),
            () => false,
          ),
        ),
      );
      if (has[0] && has[1] && has[2] && !has[3]) return path.resolve(gitDir, 'objects');
      if (has.some(Boolean)) break;
    }
  return objectsDir(git);
}

/** Environment variables that make git look for a repository's objects somewhere else. */
const REDIRECTING_ENV = ['GIT_DIR', 'GIT_OBJECT_DIRECTORY', 'GIT_COMMON_DIR'];

export interface ScratchOptions {
  /** Object directories whose objects the scratch repository sees (none: a plain empty repository). */
  alternates?: readonly string[];
  /** Directory to create it in (default os.tmpdir()). */
  parent?: string;
  /** Names the temporary directory (`ferry-<name>-XXXXXX`), for whoever looks at the disk. */
  name: string;
}

/**
 * Let the scratch repository in `dir` see the objects of `alternates` (object directories), for a
 * caller that creates the repository while it still looks those directories up.
 */
export async function addAlternates(dir: string, alternates: readonly string[]): Promise<void> {
  if (!alternates.length) return;
  const info = path.join(dir, 'objects', 'info');
  await fs.mkdir(info, { recursive: true });
  // Alternates of the alternates are followed by git itself (chained up to 5 deep).
  await fs.writeFile(path.join(info, 'alternates'), alternates.map((a) => a + '\n').join(''));
}

/** A new scratch repository; its git manager shares `base`'s environment (auth) and logger. */
export async function createScratchRepo(base: GitCommandManager, opts: ScratchOptions): Promise<ScratchRepo> {
  const dir = await fs.mkdtemp(path.join(opts.parent ?? os.tmpdir(), `ferry-${opts.name}-`));
  const git = base.with({ cwd: dir });
  await git.exec(['init', '--quiet', '--bare', dir]);
  // Own settings only: no hooks, no gc while we work, no auto-maintenance after fetches.
  // Appended to the fresh config file directly: three fewer git processes per export.
  await fs.appendFile(
    path.join(dir, 'config'),
    '[gc]\n\tauto = 0\n[maintenance]\n\tauto = false\n[core]\n\thooksPath = /dev/null\n',
  );
  if (opts.alternates?.length) await addAlternates(dir, opts.alternates);
  return {
    dir,
    git,
    dispose: () => fs.rm(dir, { recursive: true, force: true }),
  };
}
