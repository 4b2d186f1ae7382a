import { statSync } from 'node:fs';
import type { GitCommandManager } from '../git/git-command-manager.js';
import { keyFromSalt, loadBaseline, type SecretBaseline } from '../safety/baseline.js';
import type { SafetySettings } from '../safety/types.js';

/**
 * The per-repository key of secret fingerprints (HMAC-SHA256), so a fingerprint in a log or a
 * baseline never identifies a weak password by table lookup. In order: the salt of the configured
 * baseline file (random, written by `ferry secrets baseline`); else the source's root commit(s),
 * when the clone is complete; else, in a shallow clone (whose roots change from run to run), the
 * origin URL without credentials. Stable across runs in all three cases.
 */
export async function secretKeyFor(
  git: GitCommandManager,
  rev: string,
  baseline?: SecretBaseline,
): Promise<Buffer> {
  if (baseline) return keyFromSalt(baseline.salt);
  if (!(await git.isShallow())) {
    const roots = (await git.exec(['rev-list', '--max-parents=0', rev])).split('\n').filter(Boolean).sort();
    if (roots.length) return keyFromSalt(`roots:${roots.join(',')}`);
  }
  const url = (await git.execRaw(['config', '--get', 'remote.origin.url'], { allowedExitCodes: [1] })).stdout
    .toString('utf8')
    .trim()
    .replace(/^[a-z+]+:\/\/[^@/]*@/i, '')
    .replace(/^[^@/]+@([^:]+):/, '$1/')
    .replace(/^[a-z+]+:\/\//i, '')
    .replace(/\.git$/, '')
    .toLowerCase();
  return keyFromSalt(`origin:${url}`);
}

export interface SecretSetup {
  key: Buffer;
  baseline?: SecretBaseline;
}

/** Per source repository, revision and baseline file: the gates and the message check share one. */
const setups = new Map<string, Promise<SecretSetup>>();
const MAX_SETUPS = 64;

/** Key and baseline, once per repository, revision and baseline file (an export asks many times). */
export function secretSetupFor(
  git: GitCommandManager,
  rev: string,
  safety: SafetySettings,
): Promise<SecretSetup> {
  // The baseline's mtime is part of the key: a file written again is read again.
  const stamp = safety.secretBaseline
    ? (statSync(safety.secretBaseline, { throwIfNoEntry: false })?.mtimeMs ?? 0)
    : 0;
  const k = `${git.cwd}\0${rev}\0${safety.secretBaseline ?? ''}\0${stamp}`;
  let p = setups.get(k);
  if (!p) {
    p = (async () => {
      const baseline = safety.secretBaseline ? await loadBaseline(safety.secretBaseline) : undefined;
      return { key: await secretKeyFor(git, rev, baseline), baseline };
    })();
    // A failed setup (a bad baseline file) is not remembered: the next run reads the file again.
    p.catch(() => setups.delete(k));
    if (setups.size >= MAX_SETUPS) setups.delete(setups.keys().next().value!);
    setups.set(k, p);
  }
  return p;
}
