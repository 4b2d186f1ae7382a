import type { GitCommandManager } from '../git/git-command-manager.js';
import type { SourceFileReader } from '../safety/imports/layout.js';
import type { ReadBlob } from './content-checks.js';

/**
 * Source files of one revision by path, for the import-closure gate's config files (tsconfig,
 * package.json, pyproject.toml, ...): `<rev>:<path>` through the export's `cat-file --batch`, and
 * one `ls-tree` to find them. Nothing is checked out, and only these files are read.
 */
export function sourceFileReader(git: GitCommandManager, readBlob: ReadBlob, rev: string): SourceFileReader {
  return {
    async readText(path) {
      if (/[\n\r]/.test(path)) return undefined;
      const body = await readBlob(`${rev}:${path}`);
      return body?.toString('utf8').replace(/^\uFEFF/, '');
    },
    async listByName(names) {
      // ls-tree takes no glob pathspecs: list the names and keep the wanted base names (once per
      // export, and only when an import needs the workspace or Python layout).
      const wanted = new Set(names);
      const out = await git.execRaw(['ls-tree', '-r', '-z', '--name-only', rev]);
      return out.stdout
        .toString('utf8')
        .split('\0')
        .filter((p) => p !== '' && wanted.has(p.slice(p.lastIndexOf('/') + 1)));
    },
  };
}

/** One blob of any size as a stream of chunks (`git cat-file blob`); throws when git fails. */
export async function* streamGitBlob(git: GitCommandManager, oid: string): AsyncIterable<Buffer> {
  const child = git.spawn(['cat-file', 'blob', oid]);
  child.stdin.end();
  child.stderr.resume();
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 128)));
  try {
    for await (const chunk of child.stdout) yield chunk as Buffer;
  } finally {
    if (child.exitCode === null) child.kill();
  }
  const code = await exited;
  if (code !== 0) throw new Error(`git cat-file blob ${oid} failed (exit ${code})`);
}
