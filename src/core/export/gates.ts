/**
 * The one call site of the leak gates (src/core/safety). Every change set an export would commit
 * goes through `runSafetyGates` before anything is pushed; settings are merged over the defaults
 * (user forbidden paths add to the built-in denylist) and validated once per export.
 */
import type { Finding } from '../report/result.js';
import { parseSafetySettings, runGates, type SafetySettingsInput } from '../safety/index.js';
import type { GateInput, SafetySettings } from '../safety/types.js';

export function resolveSafetySettings(input: SafetySettingsInput = {}): SafetySettings {
  return parseSafetySettings(input);
}

export function runSafetyGates(input: GateInput): Promise<Finding[]> {
  return runGates(input);
}
