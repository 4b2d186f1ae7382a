import { hasErrors } from '../report/result.js';
import type { BuildOutcome, ExportBuildContext } from './types.js';

/**
 * Snapshot mode: the target's next tree is the selected and mapped source tree at one revision,
 * plus the preserved paths of the target tip. One commit, or none when the tree is unchanged.
 * Repeatable (the push loop calls it again on a moved tip); writes only to the scratch repo.
 */
export async function buildSnapshot(ctx: ExportBuildContext, tip: string | undefined): Promise<BuildOutcome> {
  // Two independent ls-tree processes: run them side by side.
  const [projected, tipTree] = await Promise.all([
    ctx.projectTree(ctx.sourceCommit),
    ctx.readTargetTree(tip),
  ]);
  const next = await ctx.overlayPreserved(projected.tree, tipTree, tip === undefined);
  const diff = ctx.diffTrees(tipTree, next);
  const findings = [...projected.findings];
  if (!diff.changes.length) return { commits: 0, changes: [], findings };
  findings.push(...(await ctx.runGates(diff, projected, tipTree.size)));
  if (hasErrors(findings)) return { commits: 0, changes: diff.changes, findings };
  const tree = await ctx.writeTree(next, tip ? { commit: tip, diff } : undefined);
  const source = await ctx.readSourceCommit(ctx.sourceCommit);
  // force: a fresh root commit replaces the target's history (pushed with a lease on `tip`).
  const parents = tip && !ctx.settings.force ? [tip] : [];
  const commit = await ctx.commit({ tree, parents, message: ctx.formatMessage(source) });
  return { tip: commit, commits: 1, changes: diff.changes, findings };
}
