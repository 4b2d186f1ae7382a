/**
 * Where a symlink of the exported tree really ends, following the other exported symlinks on the
 * way as the file system would (`root -> .`, then `x -> root/../../../etc/passwd` ends outside).
 * `links` maps every exported symlink path to its target text. Pure.
 */
export interface LinkEnd {
  /** The path it resolves to inside the tree ('' is the root). */
  resolved?: string;
  /** It leaves the tree (an absolute target, or `..` above the root at some step). */
  escapes?: boolean;
  /** More than 40 links on the way (the kernel's ELOOP limit). */
  loop?: boolean;
}

const MAX_HOPS = 40;

export function resolveLink(linkPath: string, links: ReadonlyMap<string, string>): LinkEnd {
  const target = links.get(linkPath) ?? '';
  const stack = linkPath.split('/').slice(0, -1);
  if (target.startsWith('/')) return { escapes: true };
  let queue = target.split('/');
  let hops = 0;
  while (queue.length) {
    const seg = queue.shift()!;
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (!stack.length) return { escapes: true };
      stack.pop();
      continue;
    }
    stack.push(seg);
    const next = links.get(stack.join('/'));
    if (next === undefined) continue;
    if (++hops > MAX_HOPS) return { loop: true };
    stack.pop();
    if (next.startsWith('/')) return { escapes: true };
    queue = [...next.split('/'), ...queue];
  }
  return { resolved: stack.join('/') };
}
