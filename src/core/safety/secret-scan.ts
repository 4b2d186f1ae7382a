import { createHmac } from 'node:crypto';
import {
  ANY_SECRET_FAMILY,
  BUILTIN_SECRET_RULES,
  GENERIC_QUIET_PATHS,
  SECRET_FAMILIES,
  type SecretRule,
} from './secret-rules.js';
import { parseSecretPattern } from './settings.js';
import type { SafetySettings } from './types.js';

/** Put on the line of a false positive (or on the line above it) to silence the secret scan there. */
export const ALLOW_SECRET_MARKER = 'ferry:allow-secret';

/** How many leading hex digits of a fingerprint messages show; any prefix of 8+ digits works. */
export const FINGERPRINT_DISPLAY_CHARS = 16;

export interface SecretHit {
  rule: string;
  /** 1-based line and column of the secret. */
  line: number;
  column: number;
  /** HMAC-SHA256 (hex) of the secret text under the repository's key (see fingerprintOf). */
  fingerprint: string;
  /** What a message may show: never more than the first 4 characters. */
  redacted: string;
  /** The secret itself: for the caller to register for log masking, never to print. */
  secret: string;
}

export interface SecretScanner {
  rules: readonly SecretRule[];
  isAllowedFingerprint(fp: string): boolean;
  /** The repository's fingerprint key (see fingerprint-key.ts). */
  key: Buffer;
}

/** The key when none is derived from a repository (unit tests, library callers). */
export const UNKEYED = Buffer.from('ferry-secret-fingerprint');

const scannerCache = new WeakMap<SafetySettings, Map<string, SecretScanner>>();

/** The built-in rules plus the user's, and the fingerprint allow list (cached per settings and key). */
export function secretScannerFor(settings: SafetySettings, key: Buffer = UNKEYED): SecretScanner {
  let byKey = scannerCache.get(settings);
  if (!byKey) scannerCache.set(settings, (byKey = new Map()));
  const k = key.toString('hex');
  let s = byKey.get(k);
  if (s) return s;
  const user: SecretRule[] = settings.secretPatterns.map((spec, i) => {
    const p = parseSecretPattern(spec, undefined, i);
    return { name: p.name, regex: p.regex, group: 'secret' };
  });
  const allowed = settings.allowedSecretFingerprints.map((f) => f.toLowerCase());
  s = {
    rules: [...BUILTIN_SECRET_RULES, ...user],
    isAllowedFingerprint: (fp) => allowed.some((a) => fp.startsWith(a)),
    key,
  };
  byKey.set(k, s);
  return s;
}

/**
 * HMAC-SHA256 of the secret under a per-repository key: a fingerprint in a log or a baseline file
 * never lets anyone look a weak password up in a table of hashed common passwords.
 */
export function fingerprintOf(secret: string, key: Buffer = UNKEYED): string {
  return createHmac('sha256', key).update(secret, 'utf8').digest('hex');
}

/** At most the first 4 characters, and fewer for short secrets, so a password is never guessable. */
export function redactSecret(secret: string): string {
  const shown = Math.min(4, Math.floor(secret.length / 4));
  return `${secret.slice(0, shown)}…`;
}

/** Line starts, computed only for blobs that have a hit. */
class LineIndex {
  private starts?: number[];
  constructor(private readonly text: string) {}

  locate(index: number): { line: number; column: number; lineStart: number; lineEnd: number } {
    if (!this.starts) {
      this.starts = [0];
      for (let i = this.text.indexOf('\n'); i >= 0; i = this.text.indexOf('\n', i + 1))
        this.starts.push(i + 1);
    }
    const s = this.starts;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid] <= index) lo = mid;
      else hi = mid - 1;
    }
    const lineEnd = lo + 1 < s.length ? s[lo + 1] - 1 : this.text.length;
    return { line: lo + 1, column: index - s[lo] + 1, lineStart: s[lo], lineEnd };
  }

  /** The text of the line before the given line start ('' on the first line). */
  previousLine(lineStart: number): string {
    if (lineStart === 0) return '';
    const prevStart = this.text.lastIndexOf('\n', lineStart - 2) + 1;
    return this.text.slice(prevStart, lineStart - 1);
  }
}

function secretOf(m: RegExpExecArray, group: number | string | undefined): { text: string; index: number } {
  if (group === undefined) return { text: m[0], index: m.index };
  const g = typeof group === 'number' ? m[group] : m.groups?.[group];
  if (g === undefined) return { text: m[0], index: m.index };
  // The group's own offset: the first occurrence of its text at or after the match start.
  const off = m[0].indexOf(g, typeof group === 'number' && group > 0 ? 1 : 0);
  return { text: g, index: m.index + Math.max(0, off) };
}

/** The private key block up to its END marker: the fingerprint then covers the whole key. */
function privateKeyBlock(text: string, start: number): string {
  const end = text.indexOf('-----END', start);
  if (end < 0 || end - start > 16384) return text.slice(start, start + 200);
  const close = text.indexOf('-----', end + 8);
  return text.slice(start, close < 0 ? end + 8 : close + 5);
}

/**
 * Every secret in one text that is not allowed by a marker comment or a fingerprint. `path` (the
 * source path) scopes the rules: registry rules run on their own files only, generic rules stay
 * quiet in tests and docs. `lineOffset` numbers lines of a chunk of a larger file.
 */
export function scanTextForSecrets(
  text: string,
  scanner: SecretScanner,
  path?: string,
  lineOffset = 0,
): SecretHit[] {
  const quiet = path !== undefined && GENERIC_QUIET_PATHS.test(path);
  const hits: SecretHit[] = [];
  let lines: LineIndex | undefined;
  const seen = new Set<string>();
  const record = (rule: string, secret: string, index: number) => {
    const key = `${index}:${secret}`;
    if (seen.has(key)) return;
    seen.add(key);
    lines ??= new LineIndex(text);
    const loc = lines.locate(index);
    const lineText = text.slice(loc.lineStart, loc.lineEnd);
    if (
      lineText.includes(ALLOW_SECRET_MARKER) ||
      lines.previousLine(loc.lineStart).includes(ALLOW_SECRET_MARKER)
    )
      return;
    const fingerprint = fingerprintOf(secret, scanner.key);
    if (scanner.isAllowedFingerprint(fingerprint)) return;
    hits.push({
      rule,
      line: loc.line + lineOffset,
      column: loc.column,
      fingerprint,
      redacted: redactSecret(secret),
      secret,
    });
  };

  const families = new Map<string, boolean>();
  const anyFamily = ANY_SECRET_FAMILY.test(text);
  for (const rule of scanner.rules) {
    if (rule.family) {
      if (!anyFamily) continue;
      let open = families.get(rule.family);
      if (open === undefined) families.set(rule.family, (open = SECRET_FAMILIES[rule.family].test(text)));
      if (!open) continue;
    }
    if (rule.keyword && !text.includes(rule.keyword)) continue;
    if (rule.paths && (path === undefined || !rule.paths.test(path))) continue;
    if (rule.generic && quiet) continue;
    const re = rule.regex;
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (m[0] === '') {
        re.lastIndex++;
        continue;
      }
      const s = secretOf(m, rule.group);
      if (rule.accept && !rule.accept(s.text, m)) continue;
      const secretText = rule.name === 'private-key' ? privateKeyBlock(text, m.index) : s.text;
      record(rule.name, secretText, s.index);
      if (rule.near) scanNear(text, m.index, rule.near, record);
    }
  }
  return hits.sort((a, b) => a.line - b.line || a.column - b.column);
}

function scanNear(
  text: string,
  at: number,
  near: NonNullable<SecretRule['near']>,
  record: (rule: string, secret: string, index: number) => void,
): void {
  const from = Math.max(0, at - near.window);
  const window = text.slice(from, Math.min(text.length, at + near.window));
  const re = new RegExp(near.regex.source, near.regex.flags);
  for (let m = re.exec(window); m; m = re.exec(window)) {
    if (near.accept && !near.accept(m[0])) continue;
    record(near.name, m[0], from + m.index);
  }
}
