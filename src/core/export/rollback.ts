/**
 * Exporting an older revision rolls the target back: its files go back and later ones are deleted.
 * That happens by accident (a re-run of an old workflow, two runs racing with the older one last),
 * so a source revision that is an ancestor of the last exported one (the target's newest
 * `Ferry-Origin-Rev`) is skipped with a finding, nothing pushed, unless the user names
 * allow-rollback. History mode has the same rule in its replay base (`ahead`).
 */
import { settingAssign } from '../settings/surface.js';
import type { BuildOutcome, ExportBuildContext } from './types.js';

export const ROLLBACK_SKIPPED = 'rollback-skipped';

export async function skipRollback(
  ctx: ExportBuildContext,
  tip: string | undefined,
): Promise<BuildOutcome | undefined> {
  if (!tip || ctx.settings.force || ctx.settings.allowRollback) return undefined;
  const last = await ctx.lastExportedRev(tip);
  const head = ctx.sourceCommit;
  if (!last || last === head) return undefined;
  // A last revision the source does not have (a shallow checkout) cannot be judged: export as before.
  if (!(await ctx.sourceGit.ancestry(head, last))) return undefined;
  const message =
    `Skipped: source revision ${head.slice(0, 7)} is older than ${last.slice(0, 7)}, the last revision exported to ${ctx.targetLabel} ` +
    `(a re-run of an older workflow, or runs racing); exporting it would roll the target back. Nothing was pushed. ` +
    `To roll back on purpose, set ${settingAssign('allow-rollback', 'true')}.`;
  ctx.logger.warning(message);
  return {
    commits: 0,
    changes: [],
    findings: [{ severity: 'warning', code: ROLLBACK_SKIPPED, message }],
  };
}
