/**
 * Ferry's one error rule, for every engine and every adapter (README, "Errors and exit codes"):
 *
 * | What went wrong | Thrown as | CLI exit | Shown as |
 * | --- | --- | --- | --- |
 * | the user's configuration or command line (a bad value, a missing file it names) | `ConfigurationError` | 2 | the message (file:line and the fix), no stack |
 * | a sync or check failed: a gate found a leak, a remote refused or failed after retries, the target kept moving | a failed `TargetResult`, or a `RemoteError` | 1 | the result (or the one-line message), no stack |
 * | anything else: a bug in Ferry | any other error | 1 | the message and the (redacted) stack |
 *
 * Engines turn what they know into failed results or one of the two classes above and let every
 * other error through untouched: only the top of an adapter (or the runner, which keeps one bad
 * target from stopping the others) decides how an internal error is shown.
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

/** The user's configuration, inputs or command line are wrong: exit 2, the message only. */
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

/**
 * A remote refused or failed in a way the user can act on: authentication, a missing repository,
 * a target that kept moving, a server still failing after the retries. A failed sync (exit 1, one
 * line, no stack), not a usage error: the same command may work once the remote or token is fixed.
 */
export class RemoteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemoteError';
  }
}

type ErrorKind = 'configuration' | 'failure' | 'internal';

function errorKind(e: unknown): ErrorKind {
  if (e instanceof ConfigurationError) return 'configuration';
  if (e instanceof RemoteError) return 'failure';
  return 'internal';
}

/**
 * An error Ferry expected and explains in its message (configuration or remote): engines turn it
 * into a failed result; anything else is a bug and keeps travelling up with its stack.
 */
export function isExpectedError(e: unknown): e is ConfigurationError | RemoteError {
  return errorKind(e) !== 'internal';
}

/** Exit codes of the CLI (and of `ferry` inside workflows). */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export function exitCodeFor(e: unknown): number {
  return errorKind(e) === 'configuration' ? EXIT_USAGE : EXIT_FAILED;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * How an error is shown to the user, before redaction: the message for expected errors, the stack
 * for internal ones (prefixed so nobody mistakes it for a message about their configuration).
 */
export function describeError(e: unknown): string {
  if (isExpectedError(e)) return e.message;
  return `internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
}
