import type { Finding } from '../report/result.js';
import { contextPrefix } from './messages.js';
import { SAFETY_INPUTS } from './settings.js';
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

/** Gate 4. A broken allowlist must not wipe the public repository. */
export async function massDeleteGate(input: GateInput): Promise<Finding[]> {
  const p = deletePlan(input);
  if (!p.exceeds) return [];
  const what =
    `${contextPrefix(input)}this export would delete ${p.deletions} of the target's ${p.targetFileCount} files ` +
    `(${pct(p.ratio)}, limit ${pct(input.settings.maxDeleteRatio)})`;
  if (input.settings.allowMassDelete) {
    return [
      {
        severity: 'warning',
        code: 'mass-delete',
        message: `${what}; allowed by ${settingName(SAFETY_INPUTS.allowMassDelete)}.`,
      },
    ];
  }
  return [
    {
      severity: 'error',
      code: 'mass-delete',
      message:
        `${what}. Nothing was pushed. Check the allowlist and the path map first: a typo there deletes ` +
        `everything it stops matching. If the deletion is intended, set ` +
        `${settingAssign(SAFETY_INPUTS.allowMassDelete, 'true')} for this run, or raise ` +
        `${settingName(SAFETY_INPUTS.maxDeleteRatio)}.`,
    },
  ];
}
