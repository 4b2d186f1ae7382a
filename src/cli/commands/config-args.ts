import * as path from 'node:path';
import { loadConfig } from '../../core/config/load.js';
import { DEFAULT_CONFIG_PATH, type FerryConfig } from '../../core/config/types.js';
import type { Direction } from '../../core/report/result.js';
import { ALL_DIRECTIONS } from '../../core/runner/workflows.js';
import {
  COMMON_OPTIONS,
  str,
  UsageError,
  type CliContext,
  type OptionSpec,
  type ParsedArgs,
} from '../command.js';

/** Options shared by run, list, status and workflows. */
export const CONFIG_OPTIONS: OptionSpec = {
  ...COMMON_OPTIONS,
  config: {
    type: 'string',
    short: 'c',
    arg: 'FILE',
    help: 'The config (default .github/ferry.yml).',
    input: 'config',
  },
  root: {
    type: 'string',
    arg: 'DIR',
    help: 'The repository root the config paths are relative to (default: the current directory).',
    input: 'working-directory',
  },
  target: {
    type: 'string',
    short: 't',
    multiple: true,
    arg: 'GLOB',
    help: 'Only these targets (names or globs; default: every enabled target).',
    input: 'target',
  },
  direction: {
    type: 'string',
    short: 'd',
    arg: 'DIR',
    help: 'Only targets of this direction: pull, push, bidirectional or all.',
    input: 'direction',
  },
};

export function directionArg(args: ParsedArgs): Direction | undefined {
  const d = str(args, 'direction');
  if (d === undefined || d === '' || d === ALL_DIRECTIONS) return undefined;
  if (d !== 'pull' && d !== 'push' && d !== 'bidirectional')
    throw new UsageError(`--direction must be pull, push, bidirectional or all, got '${d}'.`);
  return d;
}

/** Load the config named by --config (default .github/ferry.yml), paths relative to --root (default: cwd). */
export async function configFromArgs(args: ParsedArgs, ctx: CliContext): Promise<FerryConfig> {
  const root = path.resolve(ctx.cwd, str(args, 'root') ?? '.');
  return loadConfig(str(args, 'config') ?? DEFAULT_CONFIG_PATH, { root, cwd: root });
}
