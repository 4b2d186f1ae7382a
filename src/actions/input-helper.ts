/**
 * The only place actions read inputs: every input of an action's table (constants.ts), once, at
 * the start, into a typed object. So an action reads exactly its declared inputs, and a value is
 * never read under a name its action.yml does not declare.
 */
import * as core from '@actions/core';
import { ConfigurationError } from '../core/errors.js';
import { registerSecret } from '../core/git/secrets.js';
import type { InputSpec, InputType } from './constants.js';

type InputValue<T extends InputType> = T extends 'bool'
  ? boolean
  : T extends 'optionalBool'
    ? boolean | undefined
    : T extends 'list' | 'lines'
      ? string[]
      : T extends 'secret'
        ? string | undefined
        : string;

export type Inputs<S extends Record<string, InputSpec>> = { [K in keyof S]: InputValue<S[K]['type']> };

export function readInputs<S extends Record<string, InputSpec>>(spec: S): Inputs<S> {
  const out: Record<string, unknown> = {};
  for (const [key, { name, type }] of Object.entries(spec)) out[key] = readInput(name, type);
  return out as Inputs<S>;
}

function readInput(name: string, type: InputType): unknown {
  switch (type) {
    case 'string':
      return core.getInput(name).trim();
    case 'text':
      return core.getInput(name);
    case 'secret':
      return secretInput(name);
    case 'bool':
      return boolInput(name) ?? false;
    case 'optionalBool':
      return boolInput(name);
    case 'list':
      return core
        .getInput(name)
        .split(/[\n,]/)
        .map((s) => s.trim())
        .filter((s) => s && !s.startsWith('#'));
    case 'lines':
      return core.getMultilineInput(name).filter((l) => l.trim());
  }
}

/** Masked the moment it is read, and registered for redaction in every message. */
function secretInput(name: string): string | undefined {
  const v = core.getInput(name);
  if (v) core.setSecret(v);
  // The runner masks output line by line: a multi-line secret (an SSH key) is masked per line too.
  if (v.includes('\n'))
    for (const line of v.split(/\r?\n/)) if (line.trim().length >= 8) core.setSecret(line.trim());
  registerSecret(v || undefined);
  return v || undefined;
}

function boolInput(name: string): boolean | undefined {
  const v = core.getInput(name).trim().toLowerCase();
  if (v === '') return undefined;
  if (['true', 'yes', '1', 'on'].includes(v)) return true;
  if (['false', 'no', '0', 'off'].includes(v)) return false;
  throw new ConfigurationError(`Input '${name}' must be true or false, got '${v}'.`);
}
