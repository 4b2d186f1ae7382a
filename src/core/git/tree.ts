import { GitError, type GitCommandManager } from './git-command-manager.js';
import { decodeGitPaths } from './path-bytes.js';

export interface TreeEntry {
  /** 100644, 100755, 120000 (symlink), 160000 (gitlink/submodule) */
  mode: string;
  type: 'blob' | 'commit' | 'tree';
  oid: string;
  path: string;
  /** Blob size in bytes when read with sizes (-l); -1 otherwise. */
  size: number;
}

/**
 * Every file of a tree, recursively, with one `ls-tree -r -z` process. No working tree is read.
 * With `sizes`, `-l` adds blob sizes (used for plans and reports).
 */
export async function readTree(
  git: GitCommandManager,
  rev: string,
  opts: { sizes?: boolean } = {},
): Promise<TreeEntry[]> {
  const entries: TreeEntry[] = [];
  await streamTree(git, rev, (e) => entries.push(e), opts);
  return entries;
}

/**
 * readTree's streaming form: `onEntry` is called for each entry while `ls-tree` is still writing,
 * so parsing (and whatever the caller does per entry) overlaps git's own work instead of waiting
 * for all of its output. Entries come in ls-tree order.
 */
export function streamTree(
  git: GitCommandManager,
  rev: string,
  onEntry: (e: TreeEntry) => void,
  opts: { sizes?: boolean } = {},
): Promise<void> {
  const args = ['ls-tree', '-r', '-z', '--full-tree'];
  if (opts.sizes) args.push('-l');
  args.push(rev);
  const withSizes = !!opts.sizes;
  const child = git.spawn(args);
  return new Promise<void>((resolve, reject) => {
    let carry: Buffer | undefined;
    let failure: unknown;
    const stderr: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => {
      if (failure) return;
      const buf = carry ? Buffer.concat([carry, d]) : d;
      // Only whole records: a chunk may end inside a path (or inside a UTF-8 character).
      const end = buf.lastIndexOf(0);
      if (end < 0) {
        carry = buf;
        return;
      }
      carry = end + 1 < buf.length ? Buffer.from(buf.subarray(end + 1)) : undefined;
      try {
        parseLsTreeInto(decodeGitPaths(buf, 0, end + 1), withSizes, onEntry);
      } catch (e) {
        failure = e;
        child.kill();
      }
    });
    child.stderr.on('data', (d: Buffer) => stderr.push(d));
    child.stdin.end();
    child.on('error', (e) => {
      failure ??= e;
    });
    child.on('close', (code) => {
      if (failure) return reject(failure instanceof Error ? failure : new Error(String(failure)));
      if (code !== 0) return reject(new GitError(args, code ?? 128, Buffer.concat(stderr).toString('utf8')));
      try {
        if (carry?.length) parseLsTreeInto(decodeGitPaths(carry), withSizes, onEntry);
      } catch (e) {
        return reject(e instanceof Error ? e : new Error(String(e)));
      }
      resolve();
    });
  });
}

export function parseLsTree(out: string, withSizes: boolean): TreeEntry[] {
  const entries: TreeEntry[] = [];
  parseLsTreeInto(out, withSizes, (e) => entries.push(e));
  return entries;
}

function parseLsTreeInto(out: string, withSizes: boolean, onEntry: (e: TreeEntry) => void): void {
  let start = 0;
  while (start < out.length) {
    const end = out.indexOf('\0', start);
    const rec = end < 0 ? out.slice(start) : out.slice(start, end);
    start = end < 0 ? out.length : end + 1;
    if (!rec) continue;
    const tab = rec.indexOf('\t');
    const meta = rec.slice(0, tab);
    const path = rec.slice(tab + 1);
    // "<mode> SP <type> SP <oid>[ SP+ <size>]"
    const s1 = meta.indexOf(' ');
    const s2 = meta.indexOf(' ', s1 + 1);
    const mode = meta.slice(0, s1);
    const type = meta.slice(s1 + 1, s2) as TreeEntry['type'];
    let oid: string;
    let size = -1;
    if (withSizes) {
      const rest = meta.slice(s2 + 1);
      const sp = rest.indexOf(' ');
      oid = rest.slice(0, sp);
      const sz = rest.slice(sp + 1).trim();
      size = sz === '-' ? 0 : Number(sz);
    } else {
      oid = meta.slice(s2 + 1);
    }
    onEntry({ mode, type, oid, path, size });
  }
}
