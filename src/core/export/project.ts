/**
 * Select and map a source tree into the target's path space. Pure: data in, plan out.
 * Gitlinks follow the submodule policy; two source paths mapped onto one target path, or a file
 * mapped onto a directory of another, are errors (the export would silently lose one of them).
 */
import type { TreeEntry } from '../git/tree.js';
import type { Finding } from '../report/result.js';
import type { ProjectedTree, SubmodulePolicy, TargetTree } from './types.js';

export interface ProjectOptions {
  select(sourcePath: string): boolean;
  mapPath(sourcePath: string): string;
  submodules: SubmodulePolicy;
  /** Whether mapping can move paths (identity mapping of a git tree cannot collide). */
  mapped: boolean;
}

export function projectEntries(entries: readonly TreeEntry[], opts: ProjectOptions): ProjectedTree {
  const projector = new Projector(opts);
  for (const e of entries) projector.add(e);
  return projector.finish();
}

/** projectEntries one entry at a time (fed while ls-tree streams); same answer. */
export class Projector {
  private readonly tree: TargetTree = new Map();
  private readonly exportedSourcePaths = new Set<string>();
  private readonly sourcePaths = new Set<string>();
  private readonly findings: Finding[] = [];

  constructor(private readonly opts: ProjectOptions) {}

  add(e: TreeEntry): void {
    const opts = this.opts;
    this.sourcePaths.add(e.path);
    if (!opts.select(e.path)) return;
    if (e.mode === '160000' && opts.submodules !== 'keep') {
      this.findings.push(submoduleSkipped(e.path));
      return;
    }
    const target = opts.mapPath(e.path);
    const prev = this.tree.get(target);
    if (prev) {
      this.findings.push(mapCollision(e.path, prev.sourcePath ?? 'a target file', target));
      return;
    }
    this.exportedSourcePaths.add(e.path);
    this.tree.set(target, { mode: e.mode, oid: e.oid, size: e.size, sourcePath: e.path, origin: 'source' });
  }

  finish(): ProjectedTree {
    const { tree, exportedSourcePaths, sourcePaths, findings } = this;
    if (this.opts.mapped) findings.push(...fileDirConflicts(tree));
    return { tree, exportedSourcePaths, sourcePaths, findings };
  }
}

/** A path that is both a file and a directory prefix cannot be written as one tree. */
export function fileDirConflicts(tree: TargetTree): Finding[] {
  const out: Finding[] = [];
  for (const p of tree.keys()) {
    let i = p.indexOf('/');
    while (i > 0) {
      const dir = p.slice(0, i);
      if (tree.has(dir)) {
        out.push(fileDirCollision(dir, p));
        break;
      }
      i = p.indexOf('/', i + 1);
    }
  }
  return out;
}

/*
 * The projection's findings, also made by the paths that project part of a tree (the incremental
 * export, incremental-map.ts and incremental.ts; the history replay, history/state.ts): one wording.
 */

/** A gitlink left out under `submodules: skip`. */
export function submoduleSkipped(sourcePath: string): Finding {
  return {
    severity: 'warning',
    code: 'submodule-skipped',
    file: sourcePath,
    message: `Submodule ${sourcePath} was skipped. Set submodules: keep to export it as a gitlink.`,
  };
}

/** `sourcePath` maps onto `target`, which `other` (first in git's order) already holds. */
export function mapCollision(sourcePath: string, other: string, target: string): Finding {
  return {
    severity: 'error',
    code: 'map-collision',
    file: sourcePath,
    message: `${sourcePath} and ${other} both map to ${target}. Fix the map rules so each target path has one source.`,
  };
}

/** Target path `dir` is a file and also the directory of `path`. */
export function fileDirCollision(dir: string, path: string): Finding {
  return {
    severity: 'error',
    code: 'map-collision',
    file: path,
    message: `Target path ${dir} is both a file and the directory of ${path}. Fix the map rules.`,
  };
}
