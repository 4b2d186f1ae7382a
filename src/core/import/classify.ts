/**
 * Each path a public pull request changes, traced back to the private path it came from, or
 * refused with the reason. Pure but for one question (does a symlink's target exist in the pull
 * request's tree), asked through `exists`. Nothing is dropped: every changed path ends up in
 * `changes` or in `refused`.
 */
import * as posix from 'node:path/posix';
import type { MapRule } from '../export/path-map.js';
import type { ProjectedTree } from '../export/types.js';
import { preimagesOf } from './inverse-map.js';
import type { RefusedPath } from './types.js';

/** One line of `git diff-tree -r` between the public base and the pull request's head. */
export interface PublicChange {
  path: string;
  oldMode: string;
  newMode: string;
  oldOid: string;
  newOid: string;
  status: string;
}

/** The same change in the private repository's path space; oid '' deletes the path. */
export interface SourceChange {
  sourcePath: string;
  publicPath: string;
  change: 'added' | 'modified' | 'deleted';
  mode: string;
  oid: string;
}

export interface ClassifyInput {
  changes: readonly PublicChange[];
  /** The export of R at the changed paths (base-check.ts): public path → its private source. */
  projected: ProjectedTree;
  rules: readonly MapRule[];
  select(sourcePath: string): boolean;
  isPreserved(publicPath: string): boolean;
  /** A symlink's body (its target). */
  readLink(oid: string): Promise<string>;
  /** Whether a public path (file or directory) exists in the pull request's head. */
  exists(publicPath: string): Promise<boolean>;
}

const FILE_MODES = new Set(['100644', '100755']);
const NONE = /^0+$/;

export async function classifyChanges(
  input: ClassifyInput,
): Promise<{ changes: SourceChange[]; refused: RefusedPath[] }> {
  const changes: SourceChange[] = [];
  const refused: RefusedPath[] = [];
  for (const c of input.changes) {
    const deleted = NONE.test(c.newOid);
    const added = NONE.test(c.oldOid);
    const refuse = (reason: RefusedPath['reason'], sourcePath?: string) =>
      refused.push({ path: c.path, reason, ...(sourcePath ? { sourcePath } : {}) });
    if (input.isPreserved(c.path)) {
      refuse('preserved');
      continue;
    }
    const existing = input.projected.tree.get(c.path);
    // A path of the export came from exactly one private path; a new one from the map's preimage.
    const sourcePath = existing?.sourcePath ?? (added ? preimagesOf(c.path, input.rules)[0] : undefined);
    if (!sourcePath) {
      refuse('no-preimage');
      continue;
    }
    if (!input.select(sourcePath) || (added && input.projected.sourcePaths.has(sourcePath))) {
      refuse('excluded', sourcePath);
      continue;
    }
    if (c.oldMode === '160000' || c.newMode === '160000') {
      refuse('submodule', sourcePath);
      continue;
    }
    const oldLink = c.oldMode === '120000';
    const newLink = c.newMode === '120000';
    if ((!added && !deleted && oldLink !== newLink) || (!deleted && !newLink && !FILE_MODES.has(c.newMode))) {
      refuse('mode', sourcePath);
      continue;
    }
    if (newLink && !deleted && !(await linkStaysInside(c.path, c.newOid, input))) {
      refuse('symlink', sourcePath);
      continue;
    }
    changes.push({
      sourcePath,
      publicPath: c.path,
      change: deleted ? 'deleted' : added ? 'added' : 'modified',
      mode: deleted ? '0' : c.newMode,
      oid: deleted ? '' : c.newOid,
    });
  }
  return { changes, refused };
}

/** A symlink may point only at something the public tree holds (never out of it, never absolute). */
async function linkStaysInside(linkPath: string, oid: string, input: ClassifyInput): Promise<boolean> {
  const target = await input.readLink(oid);
  if (!target || target.startsWith('/')) return false;
  const resolved = posix.normalize(posix.join(posix.dirname(linkPath), target));
  if (resolved === '..' || resolved.startsWith('../') || resolved === '.') return false;
  return input.exists(resolved);
}

/** `git diff-tree -r -z --no-renames` output → changes. */
export function parseDiffTree(out: string): PublicChange[] {
  const fields = out.split('\0');
  const changes: PublicChange[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    // ":<old mode> <new mode> <old oid> <new oid> <status>" NUL "<path>"
    const [oldMode, newMode, oldOid, newOid, status] = fields[i].replace(/^\n?:/, '').split(' ');
    changes.push({ path: fields[i + 1], oldMode, newMode, oldOid, newOid, status });
  }
  return changes;
}

/** One line per refused path, for the comment and the findings. */
export function describeRefusal(r: RefusedPath): string {
  const from = r.sourcePath && r.sourcePath !== r.path ? ` (private path ${r.sourcePath})` : '';
  switch (r.reason) {
    case 'preserved':
      return `${r.path}: a file the public repository keeps itself (preserved); it has no private source`;
    case 'no-preimage':
      return `${r.path}: no private path maps to it`;
    case 'excluded':
      return `${r.path}${from}: the private path is not in the export's allowlist`;
    case 'submodule':
      return `${r.path}: a submodule (gitlink) change`;
    case 'mode':
      return `${r.path}${from}: a file type or mode change the export cannot carry back`;
    case 'symlink':
      return `${r.path}${from}: a symbolic link that points outside the public tree`;
  }
}
