import { existsSync } from 'node:fs';
import { compileGlob, GlobSyntaxError } from '../allowlist/glob.js';
import { ConfigurationError, type SourceLocation } from '../errors.js';
import type { SafetySettings } from './types.js';
import { missingBaseline } from './baseline.js';
import { settingName } from '../settings/surface.js';

/**
 * Paths that are never exported, whatever the allowlist says. A leading `!` marks an exception
 * (same veto idea as the allowlist, reversed): `.env.example`-style templates are meant to be
 * published, and public keys are public. The secret scan still reads those templates.
 */
export const DEFAULT_FORBIDDEN_PATHS: readonly string[] = [
  '**/.env',
  '**/.env.*',
  '!**/.env{,.*}.{example,sample,template,dist,defaults}',
  '**/*.pem',
  '**/*.key',
  '**/*.p12',
  '**/*.pfx',
  '**/*.jks',
  '**/*.keystore',
  '**/id_rsa*',
  '**/id_dsa*',
  '**/id_ecdsa*',
  '**/id_ed25519*',
  '!**/id_{rsa,dsa,ecdsa,ed25519}*.pub',
  '**/.npmrc',
  '**/.pypirc',
  '**/.netrc',
  '**/.git-credentials',
  '**/.htpasswd',
  '**/.aws/credentials',
  '**/credentials.json',
  '**/service-account*.json',
  '**/*.tfstate',
  '**/*.tfstate.backup',
  '**/*.kdbx',
];

export const DEFAULT_MAX_DELETE_RATIO = 0.5;

export const DEFAULT_SAFETY_SETTINGS: SafetySettings = Object.freeze({
  // Frozen all the way down: a caller that pushes onto a list must not change everyone's defaults.
  forbiddenPaths: Object.freeze([...DEFAULT_FORBIDDEN_PATHS]) as string[],
  secretPatterns: Object.freeze([]) as unknown as string[],
  allowedSecretFingerprints: Object.freeze([]) as unknown as string[],
  secretScanExclude: Object.freeze([]) as unknown as string[],
  secretScan: true,
  importCheck: true,
  maxDeleteRatio: DEFAULT_MAX_DELETE_RATIO,
  allowMassDelete: false,
}) as SafetySettings;

/**
 * The ids of these settings (their action input names): messages name them with settingName, in
 * the spelling of the user's surface (action input, CLI flag, ferry.yml key).
 */
export const SAFETY_INPUTS = {
  forbiddenPaths: 'forbidden-paths',
  secretPatterns: 'secret-patterns',
  allowedSecretFingerprints: 'allowed-secret-fingerprints',
  secretScan: 'secret-scan',
  secretScanExclude: 'secret-scan-exclude',
  secretBaseline: 'secret-baseline',
  importCheck: 'import-check',
  maxDeleteRatio: 'max-delete-ratio',
  allowMassDelete: 'allow-mass-delete',
} as const;

/** History mode: source commits whose own mass deletion is allowed (export/history/mass-delete-commits.ts). */
export const ALLOW_MASS_DELETE_COMMITS = 'allow-mass-delete-commits';

/** What a user may give; every field optional. */
export interface SafetySettingsInput extends Partial<SafetySettings> {
  /**
   * When true, `forbiddenPaths` replaces the defaults instead of adding to them. Off by default:
   * adding a pattern must never silently drop the built-in denylist.
   */
  replaceForbiddenDefaults?: boolean;
}

/**
 * Only what the user set, from an adapter's raw values (action inputs, CLI flags, a ferry.yml
 * target): empty lists, blank strings and unset switches are left out, so the defaults (and their
 * validation in parseSafetySettings) apply to the rest. Undefined when nothing was set.
 */
export function userSafetyInput(raw: SafetySettingsInput): SafetySettingsInput | undefined {
  const s: SafetySettingsInput = {};
  if (raw.forbiddenPaths?.length) s.forbiddenPaths = raw.forbiddenPaths;
  if (raw.secretPatterns?.length) s.secretPatterns = raw.secretPatterns;
  if (raw.allowedSecretFingerprints?.length) s.allowedSecretFingerprints = raw.allowedSecretFingerprints;
  if (raw.secretScan !== undefined) s.secretScan = raw.secretScan;
  if (raw.secretScanExclude?.length) s.secretScanExclude = raw.secretScanExclude;
  if (raw.secretBaseline?.trim()) s.secretBaseline = raw.secretBaseline.trim();
  if (raw.importCheck !== undefined) s.importCheck = raw.importCheck;
  if (raw.maxDeleteRatio !== undefined) s.maxDeleteRatio = raw.maxDeleteRatio;
  if (raw.allowMassDelete) s.allowMassDelete = true;
  return Object.keys(s).length ? s : undefined;
}

export interface ParseSafetyOptions {
  /** Where the settings came from, named in errors (e.g. `ferry.yml:12` or `action input`). */
  location?: SourceLocation;
}

/** Fingerprints are sha256 hex prefixes; shorter than this would allow far too much. */
export const MIN_FINGERPRINT_CHARS = 8;

/**
 * Merge user settings over the defaults and validate them: globs, regexes, fingerprints and the
 * ratio. Every mistake is a ConfigurationError that names the value and the fix.
 */
export function parseSafetySettings(
  partial: SafetySettingsInput = {},
  opts: ParseSafetyOptions = {},
): SafetySettings {
  const loc = opts.location;
  const userForbidden = cleanList(partial.forbiddenPaths);
  const settings: SafetySettings = {
    forbiddenPaths: partial.replaceForbiddenDefaults
      ? userForbidden
      : dedupe([...DEFAULT_FORBIDDEN_PATHS, ...userForbidden]),
    secretPatterns: cleanList(partial.secretPatterns),
    allowedSecretFingerprints: cleanList(partial.allowedSecretFingerprints).map((f) => f.toLowerCase()),
    secretScanExclude: cleanList(partial.secretScanExclude),
    ...(partial.secretBaseline?.trim() ? { secretBaseline: partial.secretBaseline.trim() } : {}),
    secretScan: partial.secretScan ?? DEFAULT_SAFETY_SETTINGS.secretScan,
    importCheck: partial.importCheck ?? DEFAULT_SAFETY_SETTINGS.importCheck,
    maxDeleteRatio: partial.maxDeleteRatio ?? DEFAULT_SAFETY_SETTINGS.maxDeleteRatio,
    allowMassDelete: partial.allowMassDelete ?? DEFAULT_SAFETY_SETTINGS.allowMassDelete,
  };
  validateSafetySettings(settings, loc);
  return settings;
}

/** Throws a ConfigurationError for the first invalid value. Also used on settings built by hand. */
export function validateSafetySettings(s: SafetySettings, loc?: SourceLocation): void {
  for (const p of s.forbiddenPaths) {
    try {
      compileGlob(p.startsWith('!') ? p.slice(1) : p);
    } catch (e) {
      if (!(e instanceof GlobSyntaxError)) throw e;
      throw new ConfigurationError(
        `Invalid forbidden path pattern '${p}' (${settingName(SAFETY_INPUTS.forbiddenPaths)}): ${e.message}. Fix: ${e.fix}.`,
        loc,
      );
    }
  }
  for (const p of s.secretScanExclude ?? []) {
    try {
      compileGlob(p);
    } catch (e) {
      if (!(e instanceof GlobSyntaxError)) throw e;
      throw new ConfigurationError(
        `Invalid ${settingName(SAFETY_INPUTS.secretScanExclude)} pattern '${p}': ${e.message}. Fix: ${e.fix}.`,
        loc,
      );
    }
  }
  if (s.secretBaseline && !existsSync(s.secretBaseline)) throw missingBaseline(s.secretBaseline, loc);
  s.secretPatterns.forEach((p, i) => parseSecretPattern(p, loc, i));
  for (const f of s.allowedSecretFingerprints) {
    if (!new RegExp(`^[0-9a-f]{${MIN_FINGERPRINT_CHARS},64}$`).test(f)) {
      throw new ConfigurationError(
        `Invalid secret fingerprint '${f}' (${settingName(SAFETY_INPUTS.allowedSecretFingerprints)}): expected ` +
          `${MIN_FINGERPRINT_CHARS} to 64 hex digits. Fix: copy the fingerprint printed with the finding.`,
        loc,
      );
    }
  }
  if (!Number.isFinite(s.maxDeleteRatio) || s.maxDeleteRatio < 0 || s.maxDeleteRatio > 1) {
    throw new ConfigurationError(
      `Invalid ${settingName(SAFETY_INPUTS.maxDeleteRatio)} '${s.maxDeleteRatio}': expected a number from 0 to 1, ` +
        `e.g. 0.5 to refuse exports that delete more than half of the target's files.`,
      loc,
    );
  }
}

export interface SecretPattern {
  name: string;
  regex: RegExp;
}

const NAMED_PATTERN = /^([A-Za-z][\w.-]*)=(.+)$/s;

/**
 * A user pattern is `name=regex` or a bare regex (named `custom-N` by position). A leading `(?i)`
 * makes it case-insensitive. A named group `secret` marks the part that is the secret.
 */
export function parseSecretPattern(spec: string, loc?: SourceLocation, index = 0): SecretPattern {
  const m = NAMED_PATTERN.exec(spec);
  const name = m ? m[1] : `custom-${index + 1}`;
  let source = m ? m[2] : spec;
  let flags = 'g';
  if (source.startsWith('(?i)')) {
    source = source.slice(4);
    flags += 'i';
  }
  let regex: RegExp;
  try {
    regex = new RegExp(source, flags);
  } catch (e) {
    throw new ConfigurationError(
      `Invalid secret pattern '${spec}' (${settingName(SAFETY_INPUTS.secretPatterns)}): ${(e as Error).message}. ` +
        `Fix: write a JavaScript regular expression, optionally as name=regex.`,
      loc,
    );
  }
  if (regex.test('')) {
    throw new ConfigurationError(
      `Invalid secret pattern '${spec}' (${settingName(SAFETY_INPUTS.secretPatterns)}): it matches the empty string, ` +
        `so it would match everywhere. Fix: make it require at least one character.`,
      loc,
    );
  }
  regex.lastIndex = 0;
  return { name, regex };
}

function cleanList(xs: readonly string[] | undefined): string[] {
  return (xs ?? []).map((x) => x.trim()).filter((x) => x !== '' && !x.startsWith('#'));
}

function dedupe(xs: string[]): string[] {
  return [...new Set(xs)];
}
