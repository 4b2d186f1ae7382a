import { ConfigurationError } from '../errors.js';

/** Branch names as git accepts them (check-ref-format), checked before any git runs. */
export function validateBranch(branch: string): void {
  const b = branch?.trim();
  if (
    !b ||
    b.startsWith('-') ||
    b.startsWith('/') ||
    b.endsWith('/') ||
    b.endsWith('.lock') ||
    b.endsWith('.') ||
    /\.\.|\/\/|@\{|[\x00-\x20~^:?*[\\\x7f]/.test(b) ||
    b === '@'
  ) {
    throw new ConfigurationError(`Invalid branch '${branch}'. Expected a branch name such as main.`);
  }
}
