/** Posix path helpers for repo-relative paths ('' is the root). */
export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** Join and normalise `.` and `..`; undefined when the result would leave the repository. */
export function joinRelative(dir: string, spec: string): string | undefined {
  const parts = dir === '' ? [] : dir.split('/');
  for (const seg of spec.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else {
      parts.push(seg);
    }
  }
  return parts.join('/');
}
