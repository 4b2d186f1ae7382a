/**
 * `allow-mass-delete-commits`: the per-commit mass-deletion guard of a replay let through for the
 * source commits a user names, and only for them. A real restructuring commit (most files moved
 * or dropped in one go) trips the guard; `allow-mass-delete` would then let every commit of the
 * run through, including one that a broken allowlist makes delete everything.
 *
 * The names are checked against the source repository before the replay starts: each must be a
 * commit id, full or abbreviated (at least 7 hex digits), naming exactly one commit. A named
 * commit the replay does not reach gets a warning, so a stale entry left in a workflow shows.
 */
import { ConfigurationError } from '../../errors.js';
import type { GitCommandManager } from '../../git/git-command-manager.js';
import type { Finding } from '../../report/result.js';
import { ALLOW_MASS_DELETE_COMMITS } from '../../safety/settings.js';
import { settingName } from '../../settings/surface.js';

/** Shorter prefixes are too easy to collide (git's own default abbreviation is 7). */
const MIN_PREFIX = 7;

export class MassDeleteAllowance {
  /** Full id → the name the user gave. */
  private readonly named: Map<string, string>;
  private readonly reached = new Set<string>();

  private constructor(named: Map<string, string>) {
    this.named = named;
  }

  static none(): MassDeleteAllowance {
    return new MassDeleteAllowance(new Map());
  }

  /** Resolve the names in `git` (the source); a ConfigurationError naming the first bad one. */
  static async resolve(
    git: GitCommandManager,
    names: readonly string[] | undefined,
  ): Promise<MassDeleteAllowance> {
    const named = new Map<string, string>();
    for (const raw of names ?? []) {
      const name = raw.trim();
      if (!name) continue;
      if (!new RegExp(`^[0-9a-fA-F]{${MIN_PREFIX},64}$`).test(name))
        throw new ConfigurationError(
          `${settingName(ALLOW_MASS_DELETE_COMMITS)}: '${name}' is not a commit id. Give source commit ids, full or abbreviated to at least ${MIN_PREFIX} hex digits (git log --format=%h).`,
        );
      const commits = await commitsWithPrefix(git, name.toLowerCase());
      if (commits.length === 0)
        throw new ConfigurationError(
          `${settingName(ALLOW_MASS_DELETE_COMMITS)}: no commit ${name} in the source repository. Check the id (a shallow checkout may lack it: use fetch-depth: 0).`,
        );
      if (commits.length > 1)
        throw new ConfigurationError(
          `${settingName(ALLOW_MASS_DELETE_COMMITS)}: ${name} is ambiguous: it names ${commits.length} commits (${commits.map((c) => c.slice(0, 12)).join(', ')}). Give more digits.`,
        );
      named.set(commits[0], name);
    }
    return new MassDeleteAllowance(named);
  }

  get size(): number {
    return this.named.size;
  }

  /** The replay reached source commit `sha` (whether it changed anything selected or not). */
  reach(sha: string): void {
    if (this.named.has(sha)) this.reached.add(sha);
  }

  allows(sha: string): boolean {
    return this.named.has(sha);
  }

  /** A warning for each named commit the replay of `from..to` did not reach. */
  unreached(from: string | undefined, to: string): Finding[] {
    const range = `${from ? from.slice(0, 12) : '(root)'}..${to.slice(0, 12)}`;
    return [...this.named]
      .filter(([sha]) => !this.reached.has(sha))
      .map(([sha, name]) => ({
        severity: 'warning' as const,
        code: 'mass-delete-commit-unused',
        message: `${settingName(ALLOW_MASS_DELETE_COMMITS)} names ${name} (${sha.slice(0, 12)}), which is not in the replayed range ${range}: it allowed nothing. It is exported already, or not on the replayed first-parent line (a side branch's commit comes in with its merge: name the merge). Remove it once its commit is exported.`,
      }));
  }
}

/** The commits whose id starts with `prefix` (git lists every object with it; blobs and trees don't count). */
async function commitsWithPrefix(git: GitCommandManager, prefix: string): Promise<string[]> {
  if (prefix.length === 40 || prefix.length === 64) {
    const type = await git.execRaw(['cat-file', '-t', prefix], { allowedExitCodes: [128] });
    return type.exitCode === 0 && type.stdout.toString().trim() === 'commit' ? [prefix] : [];
  }
  const listed = await git.execRaw(['rev-parse', `--disambiguate=${prefix}`], { allowedExitCodes: [1, 128] });
  const ids = listed.exitCode === 0 ? listed.stdout.toString().split('\n').filter(Boolean) : [];
  if (!ids.length) return [];
  const types = await git.exec(['cat-file', '--batch-check=%(objecttype) %(objectname)'], {
    input: ids.join('\n') + '\n',
  });
  return types
    .split('\n')
    .map((l) => l.split(' '))
    .filter(([type]) => type === 'commit')
    .map(([, id]) => id);
}
