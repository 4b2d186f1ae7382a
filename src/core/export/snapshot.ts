import { hasErrors } from '../report/result.js';
import { buildIncremental } from './incremental.js';
import { messageGate } from './message-gate.js';
import { skipRollback } from './rollback.js';
import type { BuildOutcome, ExportBuildContext, TargetTree } from './types.js';

/**
 * Snapshot mode: the target's next tree is the selected and mapped source tree at one revision,
 * plus the preserved paths of the target tip. One commit, or none when the tree is unchanged.
 * Repeatable (the push loop calls it again on a moved tip); writes only to the scratch repo.
 * A re-export on a tip made by Ferry with the same config takes the incremental path
 * (./incremental.ts), which gives the same tree without listing the source tree.
 */
export async function buildSnapshot(ctx: ExportBuildContext, tip: string | undefined): Promise<BuildOutcome> {
  const older = await skipRollback(ctx, tip);
  if (older) return older;
  const quick = await buildIncremental(ctx, tip);
  if ('outcome' in quick) return quick.outcome;
  const full = await buildFull(ctx, tip);
  // Why the whole tree was listed; a target changed by hand is said in a notice too.
  return {
    ...full,
    findings: quick.notice ? [quick.notice, ...full.findings] : full.findings,
    details: { ...full.details, incremental: false, fullPath: quick.fullPath },
  };
}

/** The full path: list the source tree, project it, diff against the tip tree. */
export async function buildFull(ctx: ExportBuildContext, tip: string | undefined): Promise<BuildOutcome> {
  // Two independent ls-tree processes: run them side by side.
  const [projected, tipTree] = await Promise.all([
    ctx.projectTree(ctx.sourceCommit),
    ctx.readTargetTree(tip),
  ]);
  const next = await ctx.overlayPreserved(projected.tree, tipTree, tip === undefined);
  const diff = ctx.diffTrees(tipTree, next);
  const findings = [...projected.findings];
  if (!diff.changes.length) return { commits: 0, changes: [], findings };
  // The tree object is written while the gates read the blobs (two git processes, two cores).
  // Writing it only adds unreferenced objects to the scratch repo; nothing is committed or pushed
  // unless the gates pass.
  // A blob missing from the object store fails both; the gates' finding names the file, so it wins.
  let treeError: unknown;
  const [gateFindings, tree] = await Promise.all([
    ctx.runGates(diff, projected, tipTree.size),
    ctx.writeTree(next, tip ? { commit: tip, diff } : undefined).catch((e: unknown) => {
      treeError = e;
      return '';
    }),
  ]);
  findings.push(...gateFindings);
  const source = await ctx.readSourceCommit(ctx.sourceCommit);
  // force: a fresh root commit replaces the target's history (pushed with a lease on `tip`).
  const parents = tip && !ctx.settings.force ? [tip] : [];
  // Its Ferry-Config trailer lets the next run take the incremental path.
  const message = ctx.formatMessage(source, linksOf(projected.tree));
  // The message is published too: checked whatever the other gates found, so one run reports all.
  findings.push(...(await messageGate(ctx, message, ctx.sourceCommit)));
  if (hasErrors(findings)) return { commits: 0, changes: diff.changes, findings };
  if (treeError) throw treeError;
  const commit = await ctx.commit({ tree, parents, message });
  return { tip: commit, commits: 1, changes: diff.changes, findings };
}

/** The target paths of a projection's symlinks (recorded in the commit for the next run). */
export function linksOf(tree: TargetTree): string[] {
  const out: string[] = [];
  for (const [t, e] of tree) if (e.mode === '120000') out.push(t);
  return out;
}
