/**
 * User mistakes are ConfigurationErrors: the job fails with the message and no stack trace.
 * Anything else is an internal error and keeps its stack.
 */
export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
}

export function formatLocation(loc: SourceLocation | undefined): string {
  if (!loc) return '';
  let s = loc.file;
  if (loc.line !== undefined) s += `:${loc.line}`;
  if (loc.line !== undefined && loc.column !== undefined) s += `:${loc.column}`;
  return s;
}

export class ConfigurationError extends Error {
  readonly location?: SourceLocation;
  constructor(message: string, location?: SourceLocation) {
    super(location ? `${formatLocation(location)}: ${message}` : message);
    this.name = 'ConfigurationError';
    this.location = location;
  }
}

/** Several configuration errors found in one pass, reported together. */
export class ConfigurationErrors extends ConfigurationError {
  readonly errors: ConfigurationError[];
  constructor(errors: ConfigurationError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.errors = errors;
  }
}

/** An operation against a remote that failed in a way the user can act on (auth, missing repo, ...). */
export class RemoteError extends ConfigurationError {
  constructor(message: string) {
    super(message);
    this.name = 'RemoteError';
  }
}

export function isConfigurationError(e: unknown): e is ConfigurationError {
  return e instanceof ConfigurationError;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
