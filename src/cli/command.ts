import { parseArgs } from 'node:util';
import { ConfigurationError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { cliSurface, type CliSpelling, type Surface } from '../core/settings/surface.js';

/** Exit codes across the CLI: 0 ok, 1 the check or sync failed, 2 usage or config error. */
export { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../core/errors.js';

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

/**
 * One flag of a command. The table of a command's flags drives both the parsing and `--help`, so
 * help always lists every flag; `input` ties a flag to the action input it sets (a test checks
 * these against each action.yml, and engine messages name the flag, not the input).
 */
export interface OptionDef {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** The value's placeholder in help: FILE, N, REV. */
  arg?: string;
  /** One line for --help. */
  help: string;
  /** The action input this flag sets (its setting id). */
  input?: string;
  /** A boolean flag that turns its input off: `--no-secret-scan` for `secret-scan`. */
  inverts?: boolean;
  /** A removed flag: still parsed so that using it says what to use instead, never listed in help. */
  removed?: boolean;
}

export type OptionSpec = Record<string, OptionDef>;

export interface Command {
  /** e.g. 'allowlist check' */
  name: string;
  summary: string;
  /** The synopsis: `ferry export --allowlist FILE --target URL [options]`. */
  usage: string;
  options: OptionSpec;
  allowPositionals?: boolean;
  /** The action this command mirrors (folder under actions/, '.' for the root action). */
  action?: string;
  /**
   * Settings the command reads from the environment, by action input (tokens and keys never go
   * through argv): `{ token: 'FERRY_TOKEN or GITHUB_TOKEN' }`.
   */
  env?: Record<string, string>;
  /** Inputs of `action` with no flag here, and why (the inputs test requires a reason). */
  notOnCli?: Record<string, string>;
  /** Lines after the option list. */
  notes?: string[];
  run(args: ParsedArgs, ctx: CliContext): Promise<number>;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export function parseCommandArgs(cmd: Command, argv: string[]): ParsedArgs {
  try {
    const options = Object.fromEntries(
      Object.entries(cmd.options).map(([name, o]) => [
        name,
        { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) },
      ]),
    );
    const r = parseArgs({
      args: argv,
      options,
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
  help: { type: 'boolean', short: 'h', help: 'Show this help.' },
  json: { type: 'boolean', help: 'Print the JSON report (docs/report.md) instead of text.' },
  ci: { type: 'boolean', help: 'CI mode: no prompts or progress, GitHub annotations (default in Actions).' },
  verbose: { type: 'boolean', short: 'v', help: 'More output: debug lines, details.' },
};

/** `--help`: the synopsis, then every flag of the command's table, the environment and notes. */
export function helpText(cmd: Command): string {
  const rows = Object.entries(cmd.options)
    .filter(([, o]) => !o.removed)
    .map(([name, o]) => {
      const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.arg ?? 'VALUE'}` : ''}`;
      const more = [o.multiple ? 'repeatable' : '', o.input ? `action input ${o.input}` : '']
        .filter(Boolean)
        .join('; ');
      return [flag, `${o.help}${more ? ` (${more})` : ''}`];
    });
  const width = Math.min(40, Math.max(...rows.map(([f]) => f.length)));
  const out = [cmd.summary, '', `Usage: ${cmd.usage}`, '', 'Options:'];
  for (const [f, h] of rows)
    out.push(f.length > width ? `  ${f}\n  ${' '.repeat(width)}  ${h}` : `  ${f.padEnd(width)}  ${h}`);
  if (cmd.env && Object.keys(cmd.env).length) {
    out.push('', 'Environment (never argv):');
    for (const [input, vars] of Object.entries(cmd.env)) out.push(`  ${vars}: as the action input ${input}`);
  }
  if (cmd.notes?.length) out.push('', ...cmd.notes);
  return out.join('\n') + '\n';
}

/** Engine messages name this command's flags (and variables), not the action's inputs. */
export function surfaceOf(cmd: Command): Surface {
  const spellings = new Map<string, CliSpelling>();
  for (const [name, o] of Object.entries(cmd.options))
    if (o.input)
      spellings.set(o.input, { flag: `--${name}`, boolean: o.type === 'boolean', inverted: o.inverts });
  for (const [input, vars] of Object.entries(cmd.env ?? {})) spellings.set(input, { env: vars });
  return cliSurface(spellings);
}
