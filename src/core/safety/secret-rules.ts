import { crc32 } from 'node:zlib';

/**
 * Built-in secret rules, precision first, after gitleaks, secretlint and detect-secrets: token
 * formats with a fixed prefix and shape (validated by checksum where the format has one: GitHub
 * and npm tokens end in a CRC32 of their random part), private key blocks with key material,
 * registry credentials in the files that hold them (.npmrc, .pypirc, .netrc, docker config,
 * kubeconfig), and generic `password = "…"` assignments only when the value looks random (length,
 * entropy, mixed characters) and is not a placeholder, a reference, an enum-like word, its own
 * name, a URL or a path. Each rule is one global regex over a whole text, behind a cheap family
 * prefilter (SECRET_FAMILIES) and an optional keyword.
 */
export interface SecretRule {
  name: string;
  regex: RegExp;
  /** Index or name of the group holding the secret itself; the whole match when absent. */
  group?: number | string;
  /** A case-sensitive substring every match contains: a cheap prefilter. */
  keyword?: string;
  /** The shared prefilter pass the rule sits behind (see SECRET_FAMILIES). */
  family?: 'token' | 'assignment';
  /** Only in files whose path matches (registry credential files). */
  paths?: RegExp;
  /**
   * A generic (keyword) rule: not run in test, fixture and documentation files, whose values are
   * examples far more often than secrets. Token-format rules run everywhere.
   */
  generic?: boolean;
  /** False drops the match: a placeholder, an example, a bad checksum, too weak to be a secret. */
  accept?: (secret: string, match: RegExpExecArray) => boolean;
  /** Where the rule looks for a partner secret near each match (AWS secret keys near key ids). */
  near?: { regex: RegExp; window: number; name: string; accept?: (secret: string) => boolean };
}

/** Documented examples (AWS's AKIAIOSFODNN7EXAMPLE) and filler like ghp_xxxx… are not secrets. */
export function looksLikeRealToken(secret: string): boolean {
  if (/example|x{6}|0{8}|1234567|abcdef/i.test(secret)) return false;
  return new Set(secret).size >= 6;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BASE62_LOWER_FIRST = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

function base62(n: number, alphabet: string): string {
  let s = '';
  do {
    s = alphabet[n % 62] + s;
    n = Math.floor(n / 62);
  } while (n > 0);
  return s.padStart(6, '0');
}

/**
 * GitHub's and npm's token format: prefix, 30 random base62 characters, then 6 characters of
 * base62-encoded CRC32. Both published descriptions and the open implementations differ on what
 * the CRC covers (the random part, or prefix and random part) and on the base62 alphabet's case
 * order; any of the four is accepted (a random string passes one by chance at 4 in 62^6).
 */
export function hasTokenChecksum(token: string, prefixLength: number): boolean {
  const body = token.slice(0, -6);
  const check = token.slice(-6);
  for (const covered of [body.slice(prefixLength), body])
    for (const alphabet of [BASE62, BASE62_LOWER_FIRST])
      if (base62(crc32(covered) >>> 0, alphabet) === check) return true;
  return false;
}

/** The checksum for a token body (tests make valid tokens with it). */
export function tokenChecksum(body: string, prefixLength: number): string {
  return base62(crc32(body.slice(prefixLength)) >>> 0, BASE62);
}

/** Shannon entropy in bits per character. */
export function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/** An AWS secret access key is 40 base64 characters and, being random, mixes cases and digits. */
function looksLikeAwsSecret(s: string): boolean {
  return /[a-z]/.test(s) && /[A-Z]/.test(s) && /[0-9]/.test(s) && looksLikeRealToken(s) && entropy(s) > 4;
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
  '...',
  '…',
  'todo',
  'fixme',
  'sample',
  'fake',
  'mock',
  'test',
  'notasecret',
  'not-a-secret',
  'not_a_secret',
  'replace',
  'insert',
  'secret_here',
  'password_here',
  'here',
  'foobar',
  'lorem',
  'invalid',
  'wrong',
  'secret-key',
  'secret_key',
  'passw',
  'secret',
];

/** Keys published on purpose: emulators' and local stacks' fixed dev credentials. */
const WELL_KNOWN_DEV_KEYS = new Set([
  // Azurite (the Azure Storage emulator) devstoreaccount1 key.
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
]);

/**
 * A generic `password = "..."` value worth reporting: it looks random (at least 8 characters, no
 * whitespace, entropy of 3 bits per character or more, letters mixed with digits or symbols, or a
 * long mixed-case run), and it is none of: a template or reference (`${X}`, `{{ x }}`, `%(x)s`,
 * `$VAR`, `<value>`, `process.env…`), a placeholder word (`changeme`, `xoxb-test-token`, `sk-...`),
 * an environment variable's or enum's name (`GITHUB_TOKEN`, `client_secret`, `api-key`), a URL or
 * a path, an e-mail address, a UUID, or a sequence (`123456789`, `abcdefgh`).
 */
export function isNonTrivialValue(value: string, key = ''): boolean {
  const v = value.trim();
  if (v.length < 8 || v.length > 200 || /\s/.test(v)) return false;
  if (/^(.)\1*$/.test(v)) return false;
  if (/\$\{|\{\{|\{%|%\(|%s|^\$[A-Za-z_{(]|^<.*>$|^\{.*\}$|^\[.*\]$|process\.env|os\.environ|getenv/i.test(v))
    return false;
  if (WELL_KNOWN_DEV_KEYS.has(v)) return false;
  // A name or a label, not a value: GITHUB_TOKEN, client_secret, api-key, --background, Email/Password,
  // custom_config.AWS_KEY, Contraseña, APIキーを追加. Only a long mixed-case run of letters alone may be random.
  const longMixedLetters = v.length >= 20 && /^[A-Za-z]+$/.test(v) && /[a-z]/.test(v) && /[A-Z]/.test(v);
  if (/^-{0,2}\p{L}[\p{L}\p{M}_./ -]*$/u.test(v) && !longMixedLetters) return false;
  if (/^[A-Z0-9_]+$/.test(v) && /[A-Z]/.test(v) && v.includes('_')) return false;
  if (key && normalize(v) === normalize(key)) return false;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v) || /^\.{0,2}\//.test(v) || /^[\w.-]+@[\w-]+\.[\w.]+$/.test(v))
    return false;
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v)) return false;
  if (/^\d+$/.test(v) || /^[\d.:-]+$/.test(v)) return false;
  if (/\.(?:json|ya?ml|txt|pem|key|crt|js|ts|py|env|html?|png|svg)$/i.test(v)) return false;
  const lower = v.toLowerCase();
  if (PLACEHOLDER_WORDS.some((w) => lower.includes(w))) return false;
  if (isSequence(lower)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(v)).length;
  if (classes < 2) return false;
  return entropy(v) >= 3;
}

function normalize(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Holds a run of 6 from `1234567890`, `abcdef…`, `qwerty…` (`sk-lf-1234567890`, `SAK123456789`). */
function isSequence(v: string): boolean {
  const alnum = v.replace(/[^a-z0-9]/g, '');
  for (const run of ['01234567890', 'abcdefghijklmnopqrstuvwxyz', 'qwertyuiop', 'asdfghjkl', '9876543210'])
    for (let i = 0; i + 6 <= run.length; i++) if (alnum.includes(run.slice(i, i + 6))) return true;
  return false;
}

/** The identifier (or JSON key) ends with one of these words, then `=`, `:`, `:=` or `=>`. */
const SECRET_KEYS =
  'password|passwd|pwd|passphrase|secret|secret_?key|client_?secret|token|auth_?token|access_?token|' +
  'refresh_?token|api_?key|apikey|access_?key|private_?key|credentials?';

/** The same words as SECRET_KEYS, for UPPER_SNAKE `NAME=value` lines. */
const ENV_SECRET_KEYS =
  'PASSWORD|PASSWD|PWD|PASSPHRASE|SECRET|SECRET_KEY|TOKEN|API_KEY|APIKEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIALS?';

/** A registry credential value: not a reference to an environment variable, not a placeholder. */
function isCredentialValue(v: string): boolean {
  const t = v.trim().replace(/^["']|["']$/g, '');
  if (t.length < 8 || /\$\{|^\$|\{\{|^<.*>$/.test(t)) return false;
  const lower = t.toLowerCase();
  return !PLACEHOLDER_WORDS.some((w) => lower.includes(w)) && new Set(t).size >= 6;
}

/** `auth` of a docker config: base64 of `user:password`. */
function isDockerAuth(v: string): boolean {
  try {
    const decoded = Buffer.from(v, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon > 0 && isCredentialValue(decoded.slice(colon + 1));
  } catch {
    return false;
  }
}

export const BUILTIN_SECRET_RULES: readonly SecretRule[] = [
  {
    name: 'aws-access-key-id',
    family: 'token',
    regex: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b/g,
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
    // Classic and app tokens: prefix, 30 random characters, 6 of CRC32 checksum.
    name: 'github-token',
    family: 'token',
    regex: /\bgh[pousr]_[A-Za-z0-9]{36}\b/g,
    accept: (s) => hasTokenChecksum(s, 4),
  },
  {
    name: 'github-fine-grained-token',
    family: 'token',
    regex: /\bgithub_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}\b/g,
    keyword: 'github_pat_',
    accept: looksLikeRealToken,
  },
  {
    name: 'gitlab-token',
    family: 'token',
    regex: /\bglpat-[A-Za-z0-9_-]{20}\b/g,
    keyword: 'glpat-',
    accept: looksLikeRealToken,
  },
  {
    // Only a header followed by key material: code that merely checks for the header is fine.
    name: 'private-key',
    family: 'token',
    regex:
      /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----\s*(?:[A-Za-z-]+: [^\n]*\n\s*)*[A-Za-z0-9+/=]{40}/g,
    keyword: 'PRIVATE KEY',
  },
  {
    // Bot, user and app tokens have a numeric team and user part: `xoxb-test-token` has not.
    name: 'slack-token',
    family: 'token',
    regex: /\bxox[abprs]-\d{8,14}-\d{8,14}(?:-\d{8,14})?-[A-Za-z0-9]{20,64}\b/g,
    keyword: 'xox',
    accept: looksLikeRealToken,
  },
  {
    name: 'slack-webhook',
    family: 'token',
    regex: /https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]{8,}\/B[A-Z0-9]{8,}\/[A-Za-z0-9]{24}\b/g,
    keyword: 'hooks.slack.com',
    accept: looksLikeRealToken,
  },
  {
    name: 'stripe-live-key',
    family: 'token',
    regex: /\b(?:sk|rk)_live_[A-Za-z0-9]{24,99}\b/g,
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
    // OpenAI keys carry `T3BlbkFJ` ("OpenAI" in base64) in the middle; `sk-...` placeholders do not.
    name: 'openai-api-key',
    family: 'token',
    regex:
      /\bsk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,200}|[A-Za-z0-9]{20})T3BlbkFJ[A-Za-z0-9_-]{20,200}\b/g,
    keyword: 'T3BlbkFJ',
    accept: looksLikeRealToken,
  },
  {
    name: 'anthropic-api-key',
    family: 'token',
    regex: /\bsk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{80,120}AA\b/g,
    keyword: 'sk-ant-',
    accept: looksLikeRealToken,
  },
  {
    name: 'npm-token',
    family: 'token',
    regex: /\bnpm_[A-Za-z0-9]{36}\b/g,
    keyword: 'npm_',
    accept: (s) => hasTokenChecksum(s, 4),
  },
  {
    name: 'pypi-token',
    family: 'token',
    regex: /\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}/g,
    keyword: 'pypi-',
  },
  {
    // .npmrc / .yarnrc: `//registry.npmjs.org/:_authToken=…`, `_auth=…`, `_password=…`.
    name: 'npm-registry-auth',
    family: 'token',
    regex: /(?:^|[\s:])_(?:authToken|auth|password)\s*[=:]\s*["']?([^\s"'#;]+)/gm,
    group: 1,
    keyword: '_',
    accept: (v) => isCredentialValue(v),
  },
  {
    name: 'pypirc-password',
    family: 'assignment',
    paths: /(?:^|\/)\.pypirc$/i,
    regex: /^[ \t]*password[ \t]*[:=][ \t]*(\S+)/gim,
    group: 1,
    accept: (v) => isCredentialValue(v),
  },
  {
    name: 'netrc-password',
    family: 'assignment',
    paths: /(?:^|\/)[._]netrc$/i,
    regex: /\bpassword[ \t]+(\S+)/g,
    group: 1,
    accept: (v) => isCredentialValue(v),
  },
  {
    // ~/.docker/config.json: `"auths": { "registry": { "auth": "<base64 user:password>" } }`.
    name: 'docker-registry-auth',
    family: 'token',
    regex: /"auth"\s*:\s*"([A-Za-z0-9+/]{12,}={0,2})"/g,
    group: 1,
    keyword: '"auths"',
    accept: (v) => isDockerAuth(v),
  },
  {
    // kubeconfig users: a bearer token or an embedded client key.
    name: 'kubeconfig-credential',
    family: 'token',
    regex: /^[ \t]*(?:token|client-key-data)[ \t]*:[ \t]*["']?([A-Za-z0-9._~+/=-]{20,})["']?[ \t]*$/gm,
    group: 1,
    keyword: 'users:',
    accept: (v) => isCredentialValue(v) && entropy(v) >= 3.5,
  },
  {
    // `.env` and shell style, unquoted: `DB_PASSWORD=s3cr3t!x9`, `export API_TOKEN=…`.
    name: 'env-secret-assignment',
    family: 'assignment',
    generic: true,
    regex: new RegExp(`^[ \\t]*(?:export[ \\t]+)?([A-Z0-9_]*(?:${ENV_SECRET_KEYS}))=([^\\s'"\`#;]+)`, 'gm'),
    group: 2,
    accept: (v, m) => isNonTrivialValue(v, m[1]) && !/[()]/.test(v),
  },
  {
    // `password = "..."`, `secret: '...'`, `"api_key": "..."`, `password: str = "..."`. Quoted values only.
    name: 'generic-secret-assignment',
    family: 'assignment',
    generic: true,
    regex: new RegExp(
      `([A-Za-z0-9_]*(?:${SECRET_KEYS}))["']?(?:\\s*:\\s*[A-Za-z_][\\w.]*(?:\\[[^\\]\\n]*\\])?)?\\s*(?::=|=>|[:=])\\s*` +
        '(["\'`])([^"\'`\\r\\n]{1,200})\\2',
      'gi',
    ),
    group: 3,
    accept: (v, m) => isNonTrivialValue(v, m[1]),
  },
];

/** A case-insensitive literal as a case-sensitive regex: V8 scans these faster than with the `i` flag. */
function anyCase(word: string): string {
  return [...word].map((c) => (/[a-z]/i.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c)).join('');
}

const TOKEN_FAMILY =
  'A(?:KIA|SIA|BIA|CCA|Iza)|gh[pousr]_|github_pat_|glpat-|PRIVATE KEY|xox[abprs]-|hooks\\.slack\\.com|_live_|' +
  'T3BlbkFJ|sk-ant-|npm_|pypi-|_auth|_password|"auths"|users:';
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

/** Test, fixture and documentation files: generic rules stay quiet there (token rules do not). */
export const GENERIC_QUIET_PATHS =
  /(?:^|\/)(?:__tests__|__mocks__|__fixtures__|tests?|specs?|fixtures?|mocks?|testdata|test[-_]?utils|e2e|cypress|playwright|examples?|docs?|locales?|i18n|translations?|lang)(?:\/|$)|\.(?:test|spec|e2e|stories|fixture)\.[^/]+$|(?:^|\/)(?:test_[^/]*|[^/]*_test|conftest)\.py$|\.(?:md|mdx|markdown|rst|adoc|txt)$/i;
