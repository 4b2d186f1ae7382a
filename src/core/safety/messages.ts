import type { GateInput } from './types.js';

/** History mode names the commit being replayed in every message. */
export function contextPrefix(input: Pick<GateInput, 'context'>): string {
  return input.context ? `${input.context}: ` : '';
}
