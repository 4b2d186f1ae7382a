import { globSetMatcher } from '../allowlist/glob.js';
import type { Finding } from '../report/result.js';
import { contextPrefix } from './messages.js';
import type { GateInput } from './types.js';

/**
 * Forbidden paths: include globs, and `!` exceptions that veto them. A path is forbidden when
 * some pattern matches it and no exception does. Matching ignores case (`.NPMRC` is `.npmrc` on
 * the file systems of half the users, and to the tools that read it). The allowlist's glob engine
 * (linear time, with `**\/NAME` and `**\/*.ext` looked up by base name) serves both lists, with
 * its ignoreCase option.
 */
export function forbiddenMatcher(patterns: readonly string[]): (path: string) => boolean {
  const incPatterns = patterns.filter((p) => !p.startsWith('!'));
  const excPatterns = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  if (incPatterns.length === 0) return () => false;
  const inc = globSetMatcher(incPatterns, { ignoreCase: true });
  const exc = globSetMatcher(excPatterns, { ignoreCase: true });
  return (path) => inc(path) && !exc(path);
}

const cache = new WeakMap<readonly string[], (path: string) => boolean>();

function cachedMatcher(patterns: readonly string[]): (path: string) => boolean {
  let m = cache.get(patterns);
  if (!m) cache.set(patterns, (m = forbiddenMatcher(patterns)));
  return m;
}

/**
 * Names that say too little on their own: the content decides. A PEM file holding only public
 * keys or certificates is public by nature; a private key never passes. An `.npmrc` or `.pypirc`
 * with settings only passes; one with credentials does not. Anything unreadable stays forbidden.
 */
const CONTENT_DECIDED: { name: RegExp; harmless(text: string): boolean }[] = [
  { name: /\.(?:pem|crt|cer|key|pub)$/i, harmless: onlyPublicPem },
  { name: /(?:^|\/)\.(?:npmrc|yarnrc(?:\.yml)?)$/i, harmless: (t) => !NPM_CREDENTIAL.test(t) },
  { name: /(?:^|\/)\.pypirc$/i, harmless: (t) => !/^[ \t]*password[ \t]*[:=][ \t]*\S/im.test(t) },
];

const NPM_CREDENTIAL =
  /(?:^|[\s:])(?:_authToken|_auth|_password|npmAuthToken|npmAuthIdent|npmPassword)\s*[=:]\s*["']?(?!\$\{)[^\s"'$]/m;

/** Only PEM blocks of public material (PUBLIC KEY, CERTIFICATE, …), and at least one. */
function onlyPublicPem(text: string): boolean {
  if (/PRIVATE KEY/.test(text)) return false;
  const blocks = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----/g)].map((m) => m[1]);
  return blocks.length > 0 && blocks.every((b) => /PUBLIC KEY|CERTIFICATE|X509 CRL|PARAMETERS/.test(b));
}

/**
 * Gate 1. Forbidden paths win over the allowlist. Both the source path and the mapped target path
 * are checked, so a mapping cannot smuggle a `.env` in or out of a pattern's reach. Symlinks are
 * left to the symlink check (their content is a path; where they point is checked on its own).
 */
export async function forbiddenPathGate(input: GateInput): Promise<Finding[]> {
  const forbidden = cachedMatcher(input.settings.forbiddenPaths);
  const findings: Finding[] = [];
  const hits = input.changes.filter(
    (c) =>
      c.change !== 'deleted' &&
      c.mode !== '120000' &&
      (forbidden(c.targetPath) || (c.sourcePath !== c.targetPath && forbidden(c.sourcePath))),
  );
  const harmless = await Promise.all(
    hits.map(async (c) => {
      const rule = CONTENT_DECIDED.find((r) => r.name.test(c.targetPath) || r.name.test(c.sourcePath));
      if (!rule || !c.oid || (c.size !== undefined && c.size > 256 * 1024)) return false;
      const body = await input.readBlob(c.oid).catch(() => undefined);
      return body !== undefined && !body.includes(0) && rule.harmless(body.toString('utf8'));
    }),
  );
  hits.forEach((c, i) => {
    if (harmless[i]) return;
    const mapped = c.sourcePath !== c.targetPath ? ` (from ${c.sourcePath})` : '';
    findings.push({
      severity: 'error',
      code: 'forbidden-path',
      file: c.targetPath,
      message:
        `${contextPrefix(input)}${c.targetPath}${mapped} matches a forbidden path pattern and is never ` +
        `exported, whatever the allowlist says. Fix: exclude it in the allowlist (or delete it), or add an ` +
        `exception '!${c.targetPath}' to forbidden-paths if it really holds no secret.`,
    });
  });
  return findings;
}
