import { globSetMatcher } from '../allowlist/glob.js';
import type { Finding } from '../report/result.js';
import { contextPrefix } from './messages.js';
import type { GateInput } from './types.js';

/**
 * Forbidden paths: include globs, and `!` exceptions that veto them. A path is forbidden when
 * some pattern matches it and no exception does. The allowlist's glob engine (linear time, with
 * `**\/NAME` and `**\/*.ext` looked up by base name) serves both lists.
 */
export function forbiddenMatcher(patterns: readonly string[]): (path: string) => boolean {
  const incPatterns = patterns.filter((p) => !p.startsWith('!'));
  const excPatterns = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  if (incPatterns.length === 0) return () => false;
  const inc = globSetMatcher(incPatterns);
  const exc = globSetMatcher(excPatterns);
  return (path) => inc(path) && !exc(path);
}

const cache = new WeakMap<readonly string[], (path: string) => boolean>();

function cachedMatcher(patterns: readonly string[]): (path: string) => boolean {
  let m = cache.get(patterns);
  if (!m) cache.set(patterns, (m = forbiddenMatcher(patterns)));
  return m;
}

/**
 * Gate 1. Forbidden paths win over the allowlist. Both the source path and the mapped target path
 * are checked, so a mapping cannot smuggle a `.env` in or out of a pattern's reach.
 */
export async function forbiddenPathGate(input: GateInput): Promise<Finding[]> {
  const forbidden = cachedMatcher(input.settings.forbiddenPaths);
  const findings: Finding[] = [];
  for (const c of input.changes) {
    if (c.change === 'deleted') continue;
    if (!forbidden(c.targetPath) && (c.sourcePath === c.targetPath || !forbidden(c.sourcePath))) continue;
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
  }
  return findings;
}
