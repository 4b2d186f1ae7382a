/**
 * The projection of a new source revision (what a full snapshot export would select and map)
 * answered path by path, without listing a tree: the paths the diff touched are known in memory;
 * any other target path is looked up through the tree objects along it, in the source (its
 * preimages under the map) or, for "is there anything below this directory", in the target tip,
 * whose every non-preserved file is part of the projection when the tip is Ferry's own commit
 * (tip-state.ts). Used by the incremental export's symlink and map checks.
 */
import { TREE_MODE, type TreeItem, type TreeReader } from '../git/tree-reader.js';
import type { ExportBuildContext, TargetEntry } from './types.js';

const GITLINK = '160000';

export class ProjectionView {
  private readonly sources = new Map<string, Promise<TargetEntry | undefined>>();

  constructor(
    private readonly ctx: ExportBuildContext,
    private readonly trees: TreeReader,
    private readonly tipTree: string,
    private readonly sourceTree: string,
    /** Touched target path → its entry in the new projection (undefined: not there). */
    private readonly touched: ReadonlyMap<string, TargetEntry | undefined>,
  ) {}

  /** The projection's file (or symlink, or kept gitlink) at target path `t`. */
  entry(t: string): Promise<TargetEntry | undefined> {
    if (this.touched.has(t)) return Promise.resolve(this.touched.get(t));
    return this.sourceEntry(t);
  }

  /**
   * The entry a full projection puts at `t` from the source: of the selected source files that
   * map there, the first in git's order (a second one is a map collision, reported elsewhere).
   */
  sourceEntry(t: string): Promise<TargetEntry | undefined> {
    let e = this.sources.get(t);
    if (!e) {
      e = this.lookUp(t);
      this.sources.set(t, e);
    }
    return e;
  }

  private async lookUp(t: string): Promise<TargetEntry | undefined> {
    const candidates = this.ctx.sourcesFor(t).filter((q) => this.ctx.select(q));
    const found = await this.trees.entries(this.sourceTree, candidates);
    let best: { q: string; item: TreeItem } | undefined;
    candidates.forEach((q, i) => {
      const item = found[i];
      if (!item || !this.exported(item.mode)) return;
      if (!best || gitPathOrder(q, best.q) < 0) best = { q, item };
    });
    return (
      best && { mode: best.item.mode, oid: best.item.oid, size: -1, sourcePath: best.q, origin: 'source' }
    );
  }

  /** Does the projection hold any file below directory `dir` ('' is the root)? */
  async hasDir(dir: string): Promise<boolean> {
    const prefix = dir === '' ? '' : `${dir}/`;
    for (const [t, e] of this.touched) if (e && t.startsWith(prefix)) return true;
    // An untouched non-preserved file of the tip is part of the projection as it was and is.
    return this.trees.someFile(this.tipTree, dir, (x) => this.untouchedFile(x));
  }

  /** Every file of the projection below directory `dir` (reads the tip's whole subtree there). */
  async filesUnder(dir: string): Promise<string[]> {
    const out: string[] = [];
    for (const [t, e] of this.touched) if (e && t.startsWith(`${dir}/`)) out.push(t);
    await this.trees.someFile(this.tipTree, dir, async (x) => {
      if (await this.untouchedFile(x)) out.push(x);
      return false;
    });
    return out;
  }

  /** An untouched file of the tip: in the projection unless it is a preserved path the source lacks. */
  private async untouchedFile(x: string): Promise<boolean> {
    return !this.touched.has(x) && (!this.ctx.isPreserved(x) || !!(await this.sourceEntry(x)));
  }

  /** Is `p` (a file, or a directory of files) part of the projection? */
  async exists(p: string): Promise<boolean> {
    if (p === '' || p === '.') return true;
    return !!(await this.entry(p)) || this.hasDir(p);
  }

  exported(mode: string): boolean {
    return (
      mode !== TREE_MODE && mode !== '000000' && (mode !== GITLINK || this.ctx.settings.submodules === 'keep')
    );
  }
}

/** git's order of paths (byte order of their UTF-8 forms, which is what ls-tree -r lists in). */
export function gitPathOrder(a: string, b: string): number {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(a + b)) return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
