import type { GitCommandManager } from './git-command-manager.js';

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
  const args = ['ls-tree', '-r', '-z', '--full-tree'];
  if (opts.sizes) args.push('-l');
  args.push(rev);
  const out = (await git.execRaw(args)).stdout.toString('utf8');
  return parseLsTree(out, !!opts.sizes);
}

export function parseLsTree(out: string, withSizes: boolean): TreeEntry[] {
  const entries: TreeEntry[] = [];
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
    entries.push({ mode, type, oid, path, size });
  }
  return entries;
}
