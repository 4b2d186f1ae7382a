/**
 * The common incremental case without listing any tree. When the target tip is Ferry's own commit
 * of the base revision made with this configuration (tip-state.ts), its tree IS the snapshot of
 * the base: no reconciliation can be needed, and the replay only has to know the target entries
 * of the paths the range touches. Those are the old sides of the range's raw diffs (plus, under
 * map rules, the unchanged source files that land on the same target paths), checked against the
 * tip's tree objects along those paths: a target edited by hand falls back, with a notice.
 *
 * Everything else the replay needs about the untouched rest comes from tree objects or from the
 * tip's own record: the target's file count for the mass-deletion gate (counted only as far as the
 * range's deletions need, TreeReader.countFiles), the exported symlinks (`Ferry-Symlink:` trailers,
 * seeded into the start so each link is checked as the full start checks it), whether a link's
 * target exists (the tip's tree along that path), and the import check's source paths (the base
 * revision through one `cat-file --batch-check`, overlaid with the range's own changes). So
 * deletions, renames, mode and type changes, symlinks, gitlinks, preserved paths and map rules all
 * take the quick start; the property tests check it against the full start commit for commit.
 */
import { NameChecker } from '../../git/batch-check.js';
import type { LogCommit } from '../../git/log-reader.js';
import { TREE_MODE, TreeReader, type TreeItem } from '../../git/tree-reader.js';
import { gitPathOrder } from '../projection-view.js';
import { sourceProbe } from '../source-probe.js';
import { edited, type FerryTip, type FullPath } from '../tip-state.js';
import type { ExportBuildContext, TargetEntry, TargetTree } from '../types.js';
import type { StepViews } from './gates.js';
import type { ReplayState } from './state.js';
import type { LinkBase } from './symlinks.js';

export interface QuickStart {
  /** The tip's entries at the touched target paths and at its exported symlinks. */
  start: TargetTree;
  /** The base projection's symlinks (what each replayed commit records, see ReplayState). */
  links: TargetTree;
  /** Target files the start leaves out (the count, or enough of it, see countFiles). */
  countOffset: number;
  linkBase: LinkBase;
  /** Views for the gates at a step, given the replay state (which holds the timelines). */
  viewsAt(state: ReplayState, step: number): StepViews;
  close(): Promise<void>;
}

const GITLINK = '160000';
const SYMLINK = '120000';
const ZERO = '000000';

/** The quick start for `commits` (the whole range, read), or why the full start must run. */
export async function quickStart(
  ctx: ExportBuildContext,
  tip: FerryTip,
  commits: readonly LogCommit[],
  /** Tree objects read through the export's reader (some may be read already, see readAhead). */
  trees: TreeReader = new TreeReader({ read: (oid) => ctx.readObject(oid) }),
): Promise<QuickStart | FullPath> {
  const names = new NameChecker(ctx.git);
  const close = () => Promise.all([trees.close(), names.close()]).then(() => undefined);
  try {
    const q = await build(ctx, tip, commits, trees, names);
    if ('fullPath' in q) await close();
    return 'fullPath' in q ? q : { ...q, close };
  } catch (e) {
    await close();
    throw e;
  }
}

async function build(
  ctx: ExportBuildContext,
  tip: FerryTip,
  commits: readonly LogCommit[],
  trees: TreeReader,
  names: NameChecker,
): Promise<Omit<QuickStart, 'close'> | FullPath> {
  const keep = ctx.settings.submodules === 'keep';
  const exported = (mode: string) => mode !== ZERO && mode !== TREE_MODE && (mode !== GITLINK || keep);
  const base = tip.originRev;
  const ids = await ctx.treesOf([tip.commit, base]);
  if (!ids) return { fullPath: 'old-revision-missing' };
  const [tipTree, baseTree] = ids;
  const entry = (p: string, item: { mode: string; oid: string }): TargetEntry => ({
    mode: item.mode,
    oid: item.oid,
    size: -1,
    sourcePath: p,
    origin: 'source',
  });

  // Target path → the selected sources on it at the base: the old side of each changed source's
  // first change in the range, and (under map rules) the unchanged preimages, read at the base.
  const first = new Map<string, { mode: string; oid: string }>();
  for (const c of commits)
    for (const ch of c.changes)
      if (ctx.select(ch.path) && !first.has(ch.path))
        first.set(ch.path, { mode: ch.srcMode, oid: ch.srcOid });
  const touched = new Map<string, { source: string; entry: TargetEntry }[]>();
  for (const [p, old] of first) {
    const t = ctx.mapPath(p);
    const on = touched.get(t) ?? [];
    touched.set(t, on);
    if (exported(old.mode)) on.push({ source: p, entry: entry(p, old) });
  }
  const baseEntryOf = async (t: string, skip: (q: string) => boolean) => {
    const qs = ctx.sourcesFor(t).filter((q) => !skip(q) && ctx.select(q));
    const items = await trees.entries(baseTree, qs);
    return qs.flatMap((q, i) =>
      items[i] && exported(items[i]!.mode) ? [{ source: q, entry: entry(q, items[i]!) }] : [],
    );
  };
  if (ctx.mapped)
    await Promise.all(
      [...touched].map(async ([t, on]) => on.push(...(await baseEntryOf(t, (q) => first.has(q))))),
    );

  // The recorded symlinks the range does not touch: seeded too, so the link check sees them all.
  const links: TargetTree = new Map();
  const untouchedLinks = tip.links.filter((t) => !touched.has(t));
  const linkSources = await Promise.all(untouchedLinks.map((t) => baseEntryOf(t, () => false)));

  const touchedPaths = [...touched.keys()];
  const atTip = await trees.entries(tipTree, [...touchedPaths, ...untouchedLinks]);
  const fileAt = (i: number): TreeItem | undefined => (atTip[i]?.mode === TREE_MODE ? undefined : atTip[i]);
  const start: TargetTree = new Map();
  const same = (a: TreeItem | undefined, b: TargetEntry | undefined) =>
    a?.oid === b?.oid && a?.mode === b?.mode;
  for (let i = 0; i < touchedPaths.length; i++) {
    const t = touchedPaths[i];
    const on = touched.get(t)!.sort((a, b) => gitPathOrder(a.source, b.source));
    if (on[0]?.entry.mode === SYMLINK) links.set(t, on[0].entry);
    const got = fileAt(i);
    if (ctx.isPreserved(t) && got) {
      // Frozen: overlayPreserved keeps the tip's copy.
      start.set(t, { mode: got.mode, oid: got.oid, size: -1, origin: 'preserved' });
      continue;
    }
    if (on.length > 1 || !same(got, on[0]?.entry))
      return edited(ctx, tip.commit, `${t} is not what the last export wrote`);
    if (on[0]) start.set(t, on[0].entry);
  }
  for (let i = 0; i < untouchedLinks.length; i++) {
    const t = untouchedLinks[i];
    const src = linkSources[i].sort((a, b) => gitPathOrder(a.source, b.source))[0];
    if (src?.entry.mode !== SYMLINK) continue;
    links.set(t, src.entry);
    const got = fileAt(touchedPaths.length + i);
    if (ctx.isPreserved(t) && got) continue;
    if (!same(got, src.entry)) return edited(ctx, tip.commit, `${t} is not what the last export wrote`);
    start.set(t, src.entry);
  }

  const count = await baseFileCount(ctx, trees, tipTree, commits, exported);
  const countOffset = count === undefined ? 0 : count - start.size;
  const seeded = new Set([...touched.keys(), ...start.keys()]);
  const linkBase: LinkBase = {
    // The tip's untouched files, as the full start's tree holds them (preserved ones are frozen).
    async exists(p) {
      if (seeded.has(p)) return false;
      const item = await trees.entry(tipTree, p);
      if (!item) return false;
      if (item.mode !== TREE_MODE) return !ctx.isPreserved(p);
      return trees.someFile(tipTree, p, (x) => !seeded.has(x) && !ctx.isPreserved(x));
    },
  };

  const probe = sourceProbe(names, base);
  return {
    start,
    links,
    countOffset,
    linkBase,
    viewsAt(state, step) {
      const overlay = state.sourceTimeline;
      const exportedAt = state.exportedTimeline;
      return {
        sourcePaths: {
          async existing(asked) {
            const found = new Set<string>();
            const unknown = asked.filter((p) => overlay.at(p, step) === undefined);
            const atBase = await probe.existing(unknown);
            for (const p of asked) if (overlay.at(p, step) ?? atBase.has(p)) found.add(p);
            return found;
          },
        },
        exportedSourcePaths: {
          // Asked only about paths the source view found: selected, and not a skipped gitlink.
          has: (p: string) =>
            exportedAt.at(p, step) ?? (ctx.select(p) && (keep || probe.known.get(p)?.type !== 'commit')),
        } as ReadonlySet<string>,
      };
    },
  };
}

/**
 * The tip's file count as far as the mass-deletion gate needs it: at every step the gate is
 * quiet once the count before it reaches that step's deletions / ratio, and the count can have
 * dropped by at most the range's earlier deletions. Past that bound the exact figure cannot change
 * a decision; below it, the whole tree is counted (from its tree objects).
 */
async function baseFileCount(
  ctx: ExportBuildContext,
  trees: TreeReader,
  tipTree: string,
  commits: readonly LogCommit[],
  exported: (mode: string) => boolean,
): Promise<number | undefined> {
  const ratio = ctx.safety.maxDeleteRatio;
  let need = 0;
  let earlier = 0;
  for (const c of commits) {
    let deletions = 0;
    for (const ch of c.changes) if (ctx.select(ch.path) && !exported(ch.dstMode)) deletions++;
    if (!deletions) continue;
    need = Math.max(need, ratio > 0 ? Math.ceil(deletions / ratio) + earlier + 1 : Infinity);
    earlier += deletions;
  }
  // No deletion: the gate never runs.
  if (!need) return undefined;
  return (await trees.countFiles(tipTree, need)).count;
}
