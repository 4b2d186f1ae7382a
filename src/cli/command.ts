import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigurationError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

/** Exit codes across the CLI: 0 ok, 1 the check or sync failed, 2 usage or config error. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export class UsageError extends ConfigurationError {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface CliContext {
  logger: Logger;
  /** Where results go (stdout). Logs go to stderr through the logger. */
  out: (text: string) => void;
  /** True inside GitHub Actions or with --ci: no prompts, no colours, annotations. */
  ci: boolean;
  cwd: string;
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface Command {
  /** e.g. 'allowlist check' */
  name: string;
  summary: string;
  usage: string;
  options: OptionSpec;
  allowPositionals?: boolean;
  run(args: ParsedArgs, ctx: CliContext): Promise<number>;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export function parseCommandArgs(cmd: Command, argv: string[]): ParsedArgs {
  try {
    const r = parseArgs({
      args: argv,
      options: cmd.options,
      allowPositionals: cmd.allowPositionals ?? false,
      strict: true,
    });
    return { values: r.values as ParsedArgs['values'], positionals: r.positionals };
  } catch (e) {
    throw new UsageError(
      `${(e as Error).message.replace(/\. To specify a positional.*$/s, '')}\nUsage: ${cmd.usage}`,
    );
  }
}

export function str(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function requireStr(args: ParsedArgs, name: string, cmd: Command): string {
  const v = str(args, name);
  if (v === undefined || v === '') throw new UsageError(`--${name} is required.\nUsage: ${cmd.usage}`);
  return v;
}

export function list(args: ParsedArgs, name: string): string[] {
  const v = args.values[name];
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [String(v)];
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

/** Options every command takes. */
export const COMMON_OPTIONS: OptionSpec = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  ci: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
};
