import { randomBytes, createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { ConfigurationError, type SourceLocation } from '../errors.js';
import { settingName } from '../settings/surface.js';
import { writeFileAtomic } from '../util/fs-atomic.js';

/**
 * The secret baseline: a committed file of findings someone looked at and accepted (test
 * fixtures, documented example keys), by path and fingerprint. An export reports only findings
 * that are not in it. It also holds the repository's random salt: fingerprints are HMACs keyed
 * with it, so the file (and every log line) says nothing a table of hashed passwords could match.
 */
export interface SecretBaselineEntry {
  path: string;
  rule: string;
  fingerprint: string;
  /** Where it was when the baseline was written (informative; matching ignores it). */
  line?: number;
}

export interface SecretBaseline {
  version: 1;
  salt: string;
  findings: SecretBaselineEntry[];
}

export const BASELINE_VERSION = 1;

/** The HMAC key a salt gives. */
export function keyFromSalt(salt: string): Buffer {
  return createHash('sha256').update(`ferry-secret-fingerprint\0${salt}`).digest();
}

export function newSalt(): string {
  return randomBytes(16).toString('hex');
}

export function parseBaseline(text: string, file: string): SecretBaseline {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigurationError(
      `Secret baseline ${file} is not valid JSON (${(e as Error).message}). Fix: write it again with 'ferry secrets baseline --write ${file}'.`,
    );
  }
  const b = raw as Partial<SecretBaseline>;
  if (
    !b ||
    b.version !== BASELINE_VERSION ||
    typeof b.salt !== 'string' ||
    b.salt.length < 16 ||
    !Array.isArray(b.findings) ||
    !b.findings.every(
      (f) =>
        f &&
        typeof f.path === 'string' &&
        typeof f.fingerprint === 'string' &&
        /^[0-9a-f]{16,64}$/.test(f.fingerprint),
    )
  )
    throw new ConfigurationError(
      `Secret baseline ${file} is not a Ferry baseline (version ${BASELINE_VERSION}, a salt, findings with path and fingerprint). ` +
        `Fix: write it with 'ferry secrets baseline --write ${file}'.`,
    );
  return b as SecretBaseline;
}

/** The one wording of "the baseline file named in the settings is not there". */
export function missingBaseline(file: string, location?: SourceLocation): ConfigurationError {
  return new ConfigurationError(
    `Secret baseline ${file} (${settingName('secret-baseline')}) does not exist. Fix: write it with ` +
      `'ferry secrets baseline --write ${file}' (and commit it), or drop the setting.`,
    location,
  );
}

export async function loadBaseline(file: string): Promise<SecretBaseline> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    throw missingBaseline(file);
  }
  return parseBaseline(text, file);
}

/** Is this finding (path, fingerprint) accepted by the baseline? */
export function baselineMatcher(
  b: SecretBaseline | undefined,
): (path: string, fingerprint: string) => boolean {
  if (!b) return () => false;
  const set = new Set(b.findings.map((f) => `${f.path}\0${f.fingerprint}`));
  return (path, fp) => set.has(`${path}\0${fp}`);
}

export function renderBaseline(salt: string, findings: readonly SecretBaselineEntry[]): string {
  const sorted = [...findings].sort((a, b) =>
    a.path !== b.path
      ? a.path < b.path
        ? -1
        : 1
      : (a.line ?? 0) - (b.line ?? 0) || (a.rule < b.rule ? -1 : 1),
  );
  const doc: SecretBaseline = { version: BASELINE_VERSION, salt, findings: sorted };
  return JSON.stringify(doc, null, 2) + '\n';
}

export async function writeBaseline(
  file: string,
  salt: string,
  findings: readonly SecretBaselineEntry[],
): Promise<void> {
  await writeFileAtomic(file, renderBaseline(salt, findings));
}
