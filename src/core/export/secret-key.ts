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

const setups = new WeakMap<SafetySettings, Map<string, Promise<SecretSetup>>>();

/** Key and baseline, once per settings object and repository (an export runs the gates many times). */
export function secretSetupFor(
  git: GitCommandManager,
  rev: string,
  safety: SafetySettings,
): Promise<SecretSetup> {
  let byRepo = setups.get(safety);
  if (!byRepo) setups.set(safety, (byRepo = new Map()));
  let p = byRepo.get(git.cwd);
  if (!p) {
    p = (async () => {
      const baseline = safety.secretBaseline ? await loadBaseline(safety.secretBaseline) : undefined;
      return { key: await secretKeyFor(git, rev, baseline), baseline };
    })();
    byRepo.set(git.cwd, p);
  }
  return p;
}
