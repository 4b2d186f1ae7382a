/**
 * Settings every engine's resolver takes the same way (export, import): one check and one message
 * each, in the spelling of the user's surface (settingName).
 */
import { ConfigurationError } from '../errors.js';
import { DEFAULT_COMMITTER } from '../export/types.js';
import type { CommitIdentity } from '../git/index-builder.js';
import { settingName } from './surface.js';

/** Rebuild-and-push attempts: text (an input, a flag) or a number (ferry.yml); undefined when empty. */
export function resolveMaxRetries(value: string | number | undefined): number | undefined {
  const n = typeof value === 'string' ? (value.trim() === '' ? undefined : Number(value)) : value;
  if (n !== undefined && (!Number.isInteger(n) || n < 0 || n > 50))
    throw new ConfigurationError(
      `${settingName('max-retries')} must be a whole number from 0 to 50, got '${value}'.`,
    );
  return n;
}

/** The committer when either part is set, the other from Ferry's default; undefined: the default. */
export function resolveCommitter(
  name: string | undefined,
  email: string | undefined,
): CommitIdentity | undefined {
  if (!name?.trim() && !email?.trim()) return undefined;
  return { name: name?.trim() || DEFAULT_COMMITTER.name, email: email?.trim() || DEFAULT_COMMITTER.email };
}
