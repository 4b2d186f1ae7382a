/**
 * Incremental snapshot export: when the target tip is Ferry's own commit of revision `old` made
 * with this configuration (tip-state.ts), the next tree is the tip's tree plus the projected part
 * of ONE `git diff-tree -r old new`: the source tree is never listed, nor is the target's.
 *
 * Every kind of change is taken from the diff: additions, modifications, deletions and renames
 * (a deletion plus an addition), mode and type changes (file, executable, symlink, gitlink under
 * the submodule policy), preserved paths (the tip's copy stays when it has one), map rules (the
 * other source paths that land on a touched target path are its preimages, sourcesFor), and
 * .gitattributes (the LFS check reads the ones on a file's own path). What the gates need about
 * the whole tree comes from tree objects: the target's file count for the mass-deletion ratio is
 * counted only as far as the ratio needs (TreeReader.countFiles), and the symlinks to check are
 * the ones the tip's commit recorded (`Ferry-Symlink:`) plus the diff's, each resolved against the
 * projection path by path (projection-view.ts). The answer is the full path's (same tree, changes
 * and error findings; the property tests compare them), except that warnings about skipped
 * submodules the diff does not touch are not repeated.
 *
 * The full path runs instead when the tip does not qualify: a first export, `force`, another
 * configuration, an old revision the source lacks, more symlinks than a commit lists, or a target
 * changed by hand (a commit on top, an amended commit, or a touched path that is not what the last
 * export wrote), which is said in a `target-edited` notice.
 */
import type { RawChange } from '../git/log-reader.js';
import { readRawDiff } from '../git/log-reader.js';
import { NameChecker } from '../git/batch-check.js';
import { TREE_MODE, TreeReader } from '../git/tree-reader.js';
import { hasErrors, type Finding } from '../report/result.js';
import { attributesUseLfs, checkLinks, parentDirs } from './content-checks.js';
import { collisionFindings, fileDirFindings } from './incremental-map.js';
import { messageGate } from './message-gate.js';
import { submoduleSkipped } from './project.js';
import { gitPathOrder, ProjectionView } from './projection-view.js';
import { sourceProbe } from './source-probe.js';
import { checkTip, edited, type FullPath } from './tip-state.js';
import type { BuildOutcome, ExportBuildContext, ProjectedTree, TargetEntry, TargetTree } from './types.js';

const SYMLINK = '120000';
const GITLINK = '160000';

/** The incremental build, or why the full path must run (with a notice when the target was edited). */
export type IncrementalResult = { outcome: BuildOutcome } | FullPath;

/** One touched target path: the sources that land there before and after, and the tip's entry. */
interface Touched {
  before: { source: string; entry: TargetEntry }[];
  after: { source: string; entry: TargetEntry }[];
}

export async function buildIncremental(
  ctx: ExportBuildContext,
  tip: string | undefined,
): Promise<IncrementalResult> {
  const check = await checkTip(ctx, tip);
  if (!('tip' in check)) return check;
  const git = ctx.git;
  const old = check.tip.originRev;
  // One git call for the three trees. A shallow source may not hold the old revision (or its
  // tree): full path (the tip and the source revision are there, or the full path fails too).
  const ids = await ctx.treesOf([tip!, ctx.sourceCommit, old]);
  if (!ids) return { fullPath: 'old-revision-missing' };
  const [tipTree, sourceTree] = ids;
  const done = (o: BuildOutcome): IncrementalResult => ({
    outcome: { ...o, details: { ...o.details, incremental: true } },
  });
  if (old === ctx.sourceCommit) return done({ commits: 0, changes: [], findings: [] });

  const trees = new TreeReader({ read: (oid) => ctx.readObject(oid) });
  const names = new NameChecker(git);
  try {
    const raw = await readRawDiff(git, old, ctx.sourceCommit);
    const findings: Finding[] = [];
    const touched = await touchedTargets(ctx, trees, sourceTree, raw, findings);

    // The new projection at each touched path, and the tip's entries there, which must be what the
    // last export wrote: the old projection, or the tip's own copy of a preserved path.
    const paths = [...touched.keys()];
    const atTip = await trees.entries(tipTree, paths);
    const before: TargetTree = new Map();
    const after: TargetTree = new Map();
    const projectedNew = new Map<string, TargetEntry | undefined>();
    for (let i = 0; i < paths.length; i++) {
      const t = paths[i];
      const { before: was, after: now } = touched.get(t)!;
      const tipItem = atTip[i] && atTip[i]!.mode !== TREE_MODE ? atTip[i] : undefined;
      const winner = now.sort((a, b) => gitPathOrder(a.source, b.source))[0];
      projectedNew.set(t, winner?.entry);
      findings.push(...collisionFindings(t, now));
      // A preserved path the tip holds keeps the tip's copy, whatever the source did.
      if (tipItem && ctx.isPreserved(t)) continue;
      const expected = was.length === 1 ? was[0].entry : undefined;
      if (was.length > 1 || expected?.oid !== tipItem?.oid || expected?.mode !== tipItem?.mode)
        return edited(ctx, tip!, `${t} is not what the last export wrote`);
      if (tipItem) before.set(t, { mode: tipItem.mode, oid: tipItem.oid, size: -1, origin: 'preserved' });
      if (winner) after.set(t, winner.entry);
    }

    const view = new ProjectionView(ctx, trees, tipTree, sourceTree, projectedNew);
    if (ctx.mapped) findings.push(...(await fileDirFindings(view, projectedNew)));
    const diff = ctx.diffTrees(before, after);
    const links = exportedLinks(check.tip.links, projectedNew);
    // No change, but a new map collision is an error as on the full path (its projection reports it).
    if (!diff.changes.length) return done({ commits: 0, changes: [], findings });

    const probe = sourceProbe(names, ctx.sourceCommit);
    const keepGitlinks = ctx.settings.submodules === 'keep';
    const projected: ProjectedTree = {
      // No tree: the symlinks are checked below against the projection, not a listing.
      tree: new Map(),
      exportedSourcePaths: {
        // Asked only about paths the probe found (import resolution): selected and not a skipped gitlink.
        has: (p: string) => ctx.select(p) && (keepGitlinks || probe.known.get(p)?.type !== 'commit'),
      } as Set<string>,
      sourcePaths: new Set(),
      sourcePathProbe: probe,
      findings: [],
      lfsTracked: lfsAttributes(trees, sourceTree),
      rev: ctx.sourceCommit,
    };
    const deletions = diff.changes.filter((c) => c.change === 'deleted').length;
    const [targetFileCount, linkFindings] = await Promise.all([
      deletions ? tipFileCount(ctx, trees, tipTree, deletions) : 0,
      checkExportedLinks(view, links, (oid) => trees.blob(oid)),
    ]);
    findings.push(...linkFindings);
    // The tree is written while the gates read the blobs (not when the projection is already
    // refused: a path that is a file and a directory at once cannot be written). A blob missing
    // from the object store fails both; the gates' finding names the file, so it wins (as in
    // snapshot.ts's full path).
    const refused = hasErrors(findings);
    let treeError: unknown;
    const [gateFindings, tree] = await Promise.all([
      ctx.runGates(diff, projected, targetFileCount),
      refused
        ? ''
        : ctx.writeTree(after, { commit: tip!, diff }).catch((e: unknown) => {
            treeError = e;
            return '';
          }),
    ]);
    findings.push(...gateFindings);
    const source = await ctx.readSourceCommit(ctx.sourceCommit);
    const message = ctx.formatMessage(source, links);
    // The message is published too: checked whatever the other gates found, as the full path does.
    findings.push(...(await messageGate(ctx, message, ctx.sourceCommit)));
    if (hasErrors(findings)) return done({ commits: 0, changes: diff.changes, findings });
    if (treeError) throw treeError;
    const commit = await ctx.commit({ tree, parents: [tip!], message });
    return done({ tip: commit, commits: 1, changes: diff.changes, findings });
  } finally {
    await Promise.all([trees.close(), names.close()]);
  }
}

/**
 * The target paths the diff touches, each with the selected sources that land there before and
 * after (the changed ones from the diff, the unchanged ones looked up as preimages under the map).
 * Skipped gitlinks the diff adds are reported as the full projection reports them.
 */
async function touchedTargets(
  ctx: ExportBuildContext,
  trees: TreeReader,
  sourceTree: string,
  raw: readonly RawChange[],
  findings: Finding[],
): Promise<Map<string, Touched>> {
  const keep = ctx.settings.submodules === 'keep';
  const exported = (mode: string) => mode !== '000000' && (mode !== GITLINK || keep);
  const touched = new Map<string, Touched>();
  const changed = new Set<string>();
  for (const ch of raw) {
    const p = ch.path;
    if (!ctx.select(p)) continue;
    changed.add(p);
    if (ch.dstMode === GITLINK && !keep) findings.push(submoduleSkipped(p));
    const t = ctx.mapPath(p);
    let e = touched.get(t);
    if (!e) touched.set(t, (e = { before: [], after: [] }));
    const entry = (mode: string, oid: string): TargetEntry => ({
      mode,
      oid,
      size: -1,
      sourcePath: p,
      origin: 'source',
    });
    if (exported(ch.srcMode)) e.before.push({ source: p, entry: entry(ch.srcMode, ch.srcOid) });
    if (exported(ch.dstMode)) e.after.push({ source: p, entry: entry(ch.dstMode, ch.dstOid) });
  }
  if (!ctx.mapped) return touched;
  // Unchanged sources that land on a touched path are there before and after.
  const asks: { t: string; q: string }[] = [];
  for (const t of touched.keys())
    for (const q of ctx.sourcesFor(t)) if (!changed.has(q) && ctx.select(q)) asks.push({ t, q });
  const found = await trees.entries(
    sourceTree,
    asks.map((a) => a.q),
  );
  asks.forEach(({ t, q }, i) => {
    const item = found[i];
    if (!item || item.mode === TREE_MODE || !exported(item.mode)) return;
    const side = {
      source: q,
      entry: { mode: item.mode, oid: item.oid, size: -1, sourcePath: q, origin: 'source' as const },
    };
    touched.get(t)!.before.push(side);
    touched.get(t)!.after.push(side);
  });
  return touched;
}

/** The exported symlinks after the diff: the tip's recorded ones, with the touched paths replaced. */
function exportedLinks(
  recorded: readonly string[],
  projectedNew: ReadonlyMap<string, TargetEntry | undefined>,
): string[] {
  const links = new Set(recorded.filter((t) => !projectedNew.has(t)));
  for (const [t, e] of projectedNew) if (e?.mode === SYMLINK) links.add(t);
  return [...links].sort();
}

/** Every exported symlink checked against the new projection, as the full path checks them. */
async function checkExportedLinks(
  view: ProjectionView,
  links: readonly string[],
  readBlob: (oid: string) => Promise<Buffer | undefined>,
): Promise<Finding[]> {
  if (!links.length) return [];
  const entries = await Promise.all(links.map((t) => view.entry(t)));
  const toCheck = links
    .map((t, i) => ({ path: t, e: entries[i] }))
    .filter((l) => l.e?.mode === SYMLINK)
    .map((l) => ({ path: l.path, oid: l.e!.oid, sourcePath: l.e!.sourcePath }));
  return checkLinks(toCheck, readBlob, (r) => view.exists(r));
}

/**
 * The tip's file count for the mass-deletion gate, counted only as far as it decides: the gate is
 * quiet once the count reaches deletions / ratio, so a lower bound that high is as good as the
 * exact count (which is counted when the ratio might be exceeded).
 */
async function tipFileCount(
  ctx: ExportBuildContext,
  trees: TreeReader,
  tipTree: string,
  deletions: number,
): Promise<number> {
  const ratio = ctx.safety.maxDeleteRatio;
  const enough = ratio > 0 ? Math.ceil(deletions / ratio) : Infinity;
  const lower = await trees.countFiles(tipTree, enough);
  if (lower.exact || deletions / lower.count <= ratio) return lower.count;
  return (await trees.countFiles(tipTree, Infinity)).count;
}

/**
 * lfsTracked for the incremental path: the .gitattributes on a path's way at the new revision,
 * read from the tree objects along it (the LFS check asks only about pointer-looking files).
 */
function lfsAttributes(trees: TreeReader, sourceTree: string): (sourcePath: string) => Promise<boolean> {
  const byDir = new Map<string, Promise<boolean>>();
  const usesLfs = (d: string) => {
    let r = byDir.get(d);
    if (!r) {
      r = trees
        .entry(sourceTree, d === '' ? '.gitattributes' : `${d}/.gitattributes`)
        .then(async (item) =>
          !item || item.mode === TREE_MODE || item.mode === GITLINK
            ? false
            : attributesUseLfs([await trees.blob(item.oid)]),
        );
      byDir.set(d, r);
    }
    return r;
  };
  return async (p) => (await Promise.all(parentDirs(p).map(usesLfs))).some(Boolean);
}
