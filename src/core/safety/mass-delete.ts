import type { Finding } from '../report/result.js';
import { contextPrefix } from './messages.js';
import { ALLOW_MASS_DELETE_COMMITS, SAFETY_INPUTS } from './settings.js';
import { settingAssign, settingName } from '../settings/surface.js';
import type { GateInput } from './types.js';

/**
 * Below this many files in the target the ratio says little (deleting 3 of 4 files is a normal
 * edit), so the guard stays quiet.
 */
export const MASS_DELETE_MIN_TARGET_FILES = 10;

export interface DeletePlan {
  deletions: number;
  targetFileCount: number;
  ratio: number;
  exceeds: boolean;
}

export function deletePlan(input: Pick<GateInput, 'changes' | 'targetFileCount' | 'settings'>): DeletePlan {
  const deletions = input.changes.reduce((n, c) => n + (c.change === 'deleted' ? 1 : 0), 0);
  const ratio = input.targetFileCount > 0 ? deletions / input.targetFileCount : 0;
  const exceeds =
    input.targetFileCount >= MASS_DELETE_MIN_TARGET_FILES && ratio > input.settings.maxDeleteRatio;
  return { deletions, targetFileCount: input.targetFileCount, ratio, exceeds };
}

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;

/**
 * How a history replay's per-commit guard is told about its commit: `commit` (the source commit
 * the deletions come from) lets the refusal point at the per-commit allowance, and `allowedBy`
 * names the setting that lets this commit through (allow-mass-delete-commits).
 */
export interface MassDeleteCommit {
  commit: string;
  allowedBy?: string;
}

/** Gate 4. A broken allowlist must not wipe the public repository. */
export async function massDeleteGate(input: GateInput, replayed?: MassDeleteCommit): Promise<Finding[]> {
  const p = deletePlan(input);
  if (!p.exceeds) return [];
  const what =
    `${contextPrefix(input)}this export would delete ${p.deletions} of the target's ${p.targetFileCount} files ` +
    `(${pct(p.ratio)}, limit ${pct(input.settings.maxDeleteRatio)})`;
  const allowedBy = input.settings.allowMassDelete ? SAFETY_INPUTS.allowMassDelete : replayed?.allowedBy;
  if (allowedBy) {
    return [
      {
        severity: 'warning',
        code: 'mass-delete',
        message: `${what}; allowed by ${settingName(allowedBy)}.`,
      },
    ];
  }
  const intended = replayed
    ? // A restructuring commit: allow that commit alone, so the guard still watches the others.
      `${settingAssign(ALLOW_MASS_DELETE_COMMITS, [replayed.commit.slice(0, 12)])} to allow it for this ` +
      `source commit only, or ${settingAssign(SAFETY_INPUTS.allowMassDelete, 'true')} for the whole run`
    : `${settingAssign(SAFETY_INPUTS.allowMassDelete, 'true')} for this run`;
  return [
    {
      severity: 'error',
      code: 'mass-delete',
      message:
        `${what}. Nothing was pushed. Check the allowlist and the path map first: a typo there deletes ` +
        `everything it stops matching. If the deletion is intended, set ${intended}, or raise ` +
        `${settingName(SAFETY_INPUTS.maxDeleteRatio)}.`,
    },
  ];
}
