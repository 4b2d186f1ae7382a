/**
 * The leak-gate flags, one table for every command that publishes (export, custom, wiki), for
 * `ferry secrets baseline` and (the gates it takes) `ferry import-pr`, so a gate flag reads and
 * helps the same everywhere.
 */
import type { OptionSpec } from '../command.js';

export const GATE_OPTIONS = {
  'forbidden-path': {
    type: 'string',
    multiple: true,
    arg: 'GLOB',
    help: 'A path never exported, added to the built-in denylist.',
    input: 'forbidden-paths',
  },
  'secret-pattern': {
    type: 'string',
    multiple: true,
    arg: 'RE',
    help: 'An extra secret regex (name=regex or a bare regex).',
    input: 'secret-patterns',
  },
  'allowed-secret-fingerprint': {
    type: 'string',
    multiple: true,
    arg: 'FP',
    help: 'A known false positive of the secret scan.',
    input: 'allowed-secret-fingerprints',
  },
  'no-secret-scan': { type: 'boolean', help: 'Skip the secret scan.', input: 'secret-scan', inverts: true },
  'secret-scan-exclude': {
    type: 'string',
    multiple: true,
    arg: 'GLOB',
    help: 'Source paths the secret scan does not read (e.g. **/tests/**).',
    input: 'secret-scan-exclude',
  },
  'secret-baseline': {
    type: 'string',
    arg: 'FILE',
    help: 'Accepted secret findings (ferry secrets baseline --write FILE): only new ones are reported.',
    input: 'secret-baseline',
  },
  'no-import-check': {
    type: 'boolean',
    help: 'Skip the import-closure check.',
    input: 'import-check',
    inverts: true,
  },
  'max-delete-ratio': {
    type: 'string',
    arg: 'R',
    help: "Stop when more than this share (0..1) of the target's files would go (default 0.5).",
    input: 'max-delete-ratio',
  },
  'allow-mass-delete': {
    type: 'boolean',
    help: 'Allow an export beyond --max-delete-ratio for this run.',
    input: 'allow-mass-delete',
  },
} satisfies OptionSpec;
