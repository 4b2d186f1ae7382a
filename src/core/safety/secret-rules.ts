/**
 * Built-in secret rules. Each is one global regex, scanned over a whole blob at once (V8 finds the
 * literal prefixes of these patterns fast), with an optional `keyword` that must occur in the blob
 * before the regex runs at all, and an `accept` filter for placeholders and examples.
 */
export interface SecretRule {
  name: string;
  regex: RegExp;
  /** Index or name of the group holding the secret itself; the whole match when absent. */
  group?: number | string;
  /** A case-sensitive substring every match contains: a cheap prefilter. */
  keyword?: string;
  /**
   * The shared prefilter pass the rule sits behind (see SECRET_GATES): one regex pass over a blob
   * decides for a whole family of rules, instead of one pass per rule.
   */
  family?: 'token' | 'assignment';
  /** False drops the match as a placeholder, an example or too weak to be a secret. */
  accept?: (secret: string) => boolean;
  /** Where the rule looks for a partner secret near each match (AWS secret keys near key ids). */
  near?: { regex: RegExp; window: number; name: string; accept?: (secret: string) => boolean };
}

/** Documented examples (AWS's AKIAIOSFODNN7EXAMPLE) and filler like ghp_xxxx… are not secrets. */
export function looksLikeRealToken(secret: string): boolean {
  if (/example/i.test(secret)) return false;
  return new Set(secret).size >= 6;
}

/** An AWS secret access key is 40 base64 characters and, being random, mixes cases and digits. */
function looksLikeAwsSecret(s: string): boolean {
  return /[a-z]/.test(s) && /[A-Z]/.test(s) && /[0-9]/.test(s) && looksLikeRealToken(s);
}

const PLACEHOLDER_WORDS = [
  'changeme',
  'change_me',
  'change-me',
  'example',
  'placeholder',
  'dummy',
  'redacted',
  'your_',
  'your-',
  'yourpass',
  'xxxx',
  '****',
  '....',
  '…',
  'todo',
  'fixme',
  'sample',
  'fake',
  'notasecret',
  'not-a-secret',
  'not_a_secret',
  'replace',
  'insert',
  'secret_here',
  'password_here',
];

const TRIVIAL_VALUES = new Set([
  'password',
  'passwd',
  'secret',
  'secrets',
  'testing',
  'undefined',
  'string',
  'required',
  'optional',
  'default',
  'bearer',
  'hidden',
  'masked',
  'invalid',
  'missing',
  'unknown',
  'enabled',
  'disabled',
]);

/**
 * A `password = "..."` value worth reporting: at least 6 characters, no whitespace (prose, such as
 * an error message), not a template or variable reference, not a placeholder word, not an
 * environment variable's name.
 */
export function isNonTrivialValue(value: string): boolean {
  const v = value.trim();
  if (v.length < 6 || /\s/.test(v)) return false;
  if (/^(.)\1*$/.test(v)) return false;
  if (/\$\{|\{\{|\{%|%\(|%s|^\$[A-Za-z_{(]|^<.*>$|^\{.*\}$|process\.env|os\.environ|getenv/i.test(v))
    return false;
  // GITHUB_TOKEN, DB_PASSWORD: the name of a variable that holds the secret, not the secret.
  if (/^[A-Z][A-Z0-9_]*$/.test(v)) return false;
  const lower = v.toLowerCase();
  if (TRIVIAL_VALUES.has(lower)) return false;
  return !PLACEHOLDER_WORDS.some((w) => lower.includes(w));
}

/** The identifier (or JSON key) ends with one of these words, then `=`, `:`, `:=` or `=>`. */
const SECRET_KEYS =
  'password|passwd|pwd|passphrase|secret|secret_?key|client_?secret|token|auth_?token|access_?token|' +
  'refresh_?token|api_?key|apikey|access_?key|private_?key|credentials?';

/** The same words as SECRET_KEYS, for UPPER_SNAKE `NAME=value` lines. */
const ENV_SECRET_KEYS =
  'PASSWORD|PASSWD|PWD|PASSPHRASE|SECRET|SECRET_KEY|TOKEN|API_KEY|APIKEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIALS?';

export const BUILTIN_SECRET_RULES: readonly SecretRule[] = [
  {
    name: 'aws-access-key-id',
    family: 'token',
    regex: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g,
    accept: looksLikeRealToken,
    // "and the secret key near it": a 40-character base64 token within a few lines.
    near: {
      name: 'aws-secret-access-key',
      regex: /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g,
      window: 400,
      accept: looksLikeAwsSecret,
    },
  },
  {
    name: 'aws-secret-access-key',
    family: 'assignment',
    regex: /secret_?access_?key["']?\s*(?::=|=>|[:=])\s*["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi,
    group: 1,
    accept: looksLikeAwsSecret,
  },
  {
    name: 'github-token',
    family: 'token',
    regex: /\bgh[pousr]_[A-Za-z0-9]{36,251}\b/g,
    accept: looksLikeRealToken,
  },
  {
    name: 'github-fine-grained-token',
    family: 'token',
    regex: /\bgithub_pat_[A-Za-z0-9_]{22,255}\b/g,
    keyword: 'github_pat_',
    accept: looksLikeRealToken,
  },
  {
    // Only a header followed by key material: code that merely checks for the header is fine.
    name: 'private-key',
    family: 'token',
    regex: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?=[\s\S]{0,200}?[A-Za-z0-9+/=]{40})/g,
    keyword: 'PRIVATE KEY',
  },
  {
    name: 'slack-token',
    family: 'token',
    regex: /\bxox[abprs]-[A-Za-z0-9-]{10,}/g,
    keyword: 'xox',
    accept: looksLikeRealToken,
  },
  {
    name: 'slack-webhook',
    family: 'token',
    regex: /https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]{6,}\/B[A-Z0-9]{6,}\/[A-Za-z0-9]{20,}/g,
    keyword: 'hooks.slack.com',
    accept: looksLikeRealToken,
  },
  {
    name: 'stripe-live-key',
    family: 'token',
    regex: /\b(?:sk|rk)_live_[A-Za-z0-9]{20,}\b/g,
    keyword: '_live_',
    accept: looksLikeRealToken,
  },
  {
    name: 'google-api-key',
    family: 'token',
    regex: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g,
    keyword: 'AIza',
    accept: looksLikeRealToken,
  },
  {
    name: 'npm-token',
    family: 'token',
    regex: /\bnpm_[A-Za-z0-9]{36}\b/g,
    keyword: 'npm_',
    accept: looksLikeRealToken,
  },
  {
    name: 'pypi-token',
    family: 'token',
    regex: /\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}/g,
    keyword: 'pypi-',
  },
  {
    // `.env` and shell style, unquoted: `DB_PASSWORD=s3cr3t`, `export API_TOKEN=abc123def`. UPPER_SNAKE
    // names and no spaces around `=`: lower-case `password=value` lines are keyword arguments in code,
    // whose right-hand sides are variables, not secrets.
    name: 'env-secret-assignment',
    family: 'assignment',
    regex: new RegExp(`^[ \\t]*(?:export[ \\t]+)?[A-Z0-9_]*(?:${ENV_SECRET_KEYS})=([^\\s'"\`#;]+)`, 'gm'),
    group: 1,
    accept: (v) => isNonTrivialValue(v) && !/[()]/.test(v),
  },
  {
    // `password = "..."`, `secret: '...'`, `"api_key": "..."`, `password: str = "..."`. Quoted values only.
    name: 'generic-secret-assignment',
    family: 'assignment',
    regex: new RegExp(
      `(?:${SECRET_KEYS})["']?(?:\\s*:\\s*[A-Za-z_][\\w.]*(?:\\[[^\\]\\n]*\\])?)?\\s*(?::=|=>|[:=])\\s*` +
        '(["\'`])([^"\'`\\r\\n]{1,200})\\1',
      'gi',
    ),
    group: 2,
    accept: isNonTrivialValue,
  },
];

/** A case-insensitive literal as a case-sensitive regex: V8 scans these faster than with the `i` flag. */
function anyCase(word: string): string {
  return [...word].map((c) => (/[a-z]/i.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c)).join('');
}

const TOKEN_FAMILY =
  'A(?:KIA|SIA|BIA|CCA|Iza)|gh[pousr]_|github_pat_|PRIVATE KEY|xox[abprs]-|hooks\\.slack\\.com|_live_|npm_|pypi-';
// Every SECRET_KEYS word (and `secret_access_key`) contains one of these.
const ASSIGNMENT_FAMILY = ['pass', 'pwd', 'secret', 'token', 'key', 'credent'].map(anyCase).join('|');

/**
 * One pass per family: a blob where the family's regex finds nothing skips all of its rules. Each
 * regex must match somewhere inside every match of every rule of its family.
 */
export const SECRET_FAMILIES: Record<NonNullable<SecretRule['family']>, RegExp> = {
  token: new RegExp(TOKEN_FAMILY),
  assignment: new RegExp(ASSIGNMENT_FAMILY),
};

/** Both families in one pass: most blobs hold none of these words, and then that one pass is all. */
export const ANY_SECRET_FAMILY = new RegExp(`${TOKEN_FAMILY}|${ASSIGNMENT_FAMILY}`);
