import type { Finding } from '../report/result.js';
import { checkChangedBlobs } from './blob-scan.js';
import { forbiddenPathGate } from './forbidden.js';
import { massDeleteGate } from './mass-delete.js';
import type { Gate, GateInput } from './types.js';

/** Gate 2. Secrets in the blobs this export adds or changes (and only those). */
export const secretScanGate: Gate = async (input) =>
  input.settings.secretScan ? checkChangedBlobs(input, { secrets: true, imports: false }) : [];

/** Gate 3. Exported Python and TS/JS files that import a source file the export leaves out. */
export const importClosureGate: Gate = async (input) =>
  input.settings.importCheck ? checkChangedBlobs(input, { secrets: false, imports: true }) : [];

export { forbiddenPathGate, massDeleteGate };

/**
 * All four gates. The two that read blobs share one pass over them. Findings come back in a
 * stable order: forbidden paths, mass deletion, then per file and line.
 */
export async function runGates(input: GateInput): Promise<Finding[]> {
  const [forbidden, massDelete, blobs] = await Promise.all([
    forbiddenPathGate(input),
    massDeleteGate(input),
    checkChangedBlobs(input, { secrets: input.settings.secretScan, imports: input.settings.importCheck }),
  ]);
  return [...forbidden, ...massDelete, ...blobs];
}
