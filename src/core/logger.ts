/**
 * The engine logs through this interface only, so core code never imports @actions/core
 * and tests can capture what was said.
 */
import { redact } from './git/secrets.js';
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string, location?: { file?: string; line?: number; column?: number }): void;
  error(message: string, location?: { file?: string; line?: number; column?: number }): void;
  startGroup(name: string): void;
  endGroup(): void;
}

export async function withGroup<T>(logger: Logger, name: string, fn: () => Promise<T>): Promise<T> {
  logger.startGroup(name);
  try {
    return await fn();
  } finally {
    logger.endGroup();
  }
}

/** Plain terminal logger used by the CLI. Warnings and errors go to stderr, every line redacted. */
export function consoleLogger(opts: { verbose?: boolean; quiet?: boolean } = {}): Logger {
  const loc = (l?: { file?: string; line?: number; column?: number }) =>
    l?.file ? `${l.file}${l.line ? `:${l.line}` : ''}${l.line && l.column ? `:${l.column}` : ''}: ` : '';
  const write = (text: string) => process.stderr.write(redact(text));
  return {
    debug: (m) => {
      if (opts.verbose) write(`debug: ${m}\n`);
    },
    info: (m) => {
      if (!opts.quiet) write(`${m}\n`);
    },
    warning: (m, l) => write(`warning: ${loc(l)}${m}\n`),
    error: (m, l) => write(`error: ${loc(l)}${m}\n`),
    startGroup: (n) => {
      if (!opts.quiet) write(`== ${n}\n`);
    },
    endGroup: () => undefined,
  };
}

export interface CapturedLine {
  level: 'debug' | 'info' | 'warning' | 'error' | 'group';
  message: string;
}

/** A logger that keeps every line, for tests. */
export function captureLogger(): Logger & { lines: CapturedLine[]; text(): string } {
  const lines: CapturedLine[] = [];
  return {
    lines,
    text: () => lines.map((l) => `${l.level}: ${l.message}`).join('\n'),
    debug: (m) => lines.push({ level: 'debug', message: m }),
    info: (m) => lines.push({ level: 'info', message: m }),
    warning: (m) => lines.push({ level: 'warning', message: m }),
    error: (m) => lines.push({ level: 'error', message: m }),
    startGroup: (n) => lines.push({ level: 'group', message: n }),
    endGroup: () => undefined,
  };
}

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warning: () => undefined,
  error: () => undefined,
  startGroup: () => undefined,
  endGroup: () => undefined,
};
