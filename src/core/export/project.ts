import type { TreeEntry } from '../git/tree.js';
import type { Finding } from '../report/result.js';
import type { ProjectedTree, SubmodulePolicy, TargetTree } from './types.js';

/**
 * Select and map a source tree into the target's path space. Pure: data in, plan out.
 * Gitlinks follow the submodule policy; two source paths mapped onto one target path, or a file
 * mapped onto a directory of another, are errors (the export would silently lose one of them).
 */
export interface ProjectOptions {
  select(sourcePath: string): boolean;
  mapPath(sourcePath: string): string;
  submodules: SubmodulePolicy;
  /** Whether mapping can move paths (identity mapping of a git tree cannot collide). */
  mapped: boolean;
}

export function projectEntries(entries: readonly TreeEntry[], opts: ProjectOptions): ProjectedTree {
  const tree: TargetTree = new Map();
  const exportedSourcePaths = new Set<string>();
  const sourcePaths = new Set<string>();
  const findings: Finding[] = [];
  for (const e of entries) {
    sourcePaths.add(e.path);
    if (!opts.select(e.path)) continue;
    if (e.mode === '160000' && opts.submodules !== 'keep') {
      findings.push({
        severity: 'warning',
        code: 'submodule-skipped',
        file: e.path,
        message: `Submodule ${e.path} was skipped. Set submodules: keep to export it as a gitlink.`,
      });
      continue;
    }
    const target = opts.mapPath(e.path);
    const prev = tree.get(target);
    if (prev) {
      findings.push({
        severity: 'error',
        code: 'map-collision',
        file: e.path,
        message: `${e.path} and ${prev.sourcePath} both map to ${target}. Fix the map rules so each target path has one source.`,
      });
      continue;
    }
    exportedSourcePaths.add(e.path);
    tree.set(target, { mode: e.mode, oid: e.oid, size: e.size, sourcePath: e.path, origin: 'source' });
  }
  if (opts.mapped) findings.push(...fileDirConflicts(tree));
  return { tree, exportedSourcePaths, sourcePaths, findings };
}

/** A path that is both a file and a directory prefix cannot be written as one tree. */
export function fileDirConflicts(tree: TargetTree): Finding[] {
  const out: Finding[] = [];
  for (const p of tree.keys()) {
    let i = p.indexOf('/');
    while (i > 0) {
      const dir = p.slice(0, i);
      if (tree.has(dir)) {
        out.push({
          severity: 'error',
          code: 'map-collision',
          file: p,
          message: `Target path ${dir} is both a file and the directory of ${p}. Fix the map rules.`,
        });
        break;
      }
      i = p.indexOf('/', i + 1);
    }
  }
  return out;
}
