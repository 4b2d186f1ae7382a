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
    /\.\.|\/\/|@\{|[\s~^:?*[\\]/.test(b) ||
    [...b].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f) ||
    b === '@'
  ) {
    throw new ConfigurationError(`Invalid branch '${branch}'. Expected a branch name such as main.`);
  }
}
