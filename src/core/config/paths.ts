/**
 * Paths in ferry.yml name files inside the repository. They must stay inside it: no absolute paths,
 * no `..` segments. Returns what is wrong, or undefined.
 */
export function repoPathError(p: string): string | undefined {
  if (p.trim() === '') return 'empty path';
  if (p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\') || p.startsWith('~'))
    return `absolute path '${p}': write it relative to the repository root`;
  if (p.split(/[\\/]/).includes('..')) return `'..' in '${p}': paths must stay inside the repository`;
  return undefined;
}
