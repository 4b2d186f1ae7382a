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
const COMMIT_ID = new RegExp(`^[0-9a-fA-F]{${MIN_PREFIX},64}$`);

export class MassDeleteAllowance {
  /** Full id → the name the user gave. */
  private readonly named: Map<string, string>;
  private readonly reached = new Set<string>();

  private constructor(named: Map<string, string>) {
    this.named = named;
  }

  /** Resolve the names in `git` (the source); a ConfigurationError naming the first bad one. */
  static async resolve(
    git: GitCommandManager,
    names: readonly string[] | undefined,
  ): Promise<MassDeleteAllowance> {
    const given = (names ?? []).map((n) => n.trim()).filter(Boolean);
    // One lookup for every well-formed name; the errors still come in the order given.
    const ids = given.filter((n) => COMMIT_ID.test(n)).map((n) => n.toLowerCase());
    const found = await lookUp(git, ids);
    const named = new Map<string, string>();
    for (const name of given) {
      if (!COMMIT_ID.test(name))
        throw new ConfigurationError(
          `${settingName(ALLOW_MASS_DELETE_COMMITS)}: '${name}' is not a commit id. Give source commit ids, full or abbreviated to at least ${MIN_PREFIX} hex digits (git log --format=%h).`,
        );
      const prefix = name.toLowerCase();
      const one = found.get(prefix);
      const commits = one === 'ambiguous' ? await commitsWithPrefix(git, prefix) : one ? [one] : [];
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

/**
 * Each prefix's commit, in one `cat-file --batch-check`: absent when it names no object or one
 * that is not a commit, 'ambiguous' when it names several objects (of any type: the caller lists
 * them to see how many are commits).
 */
async function lookUp(git: GitCommandManager, prefixes: readonly string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (!prefixes.length) return found;
  const out = await git.exec(['cat-file', '--batch-check=%(objecttype) %(objectname)'], {
    input: prefixes.join('\n') + '\n',
  });
  // One line per prefix, in order: `<type> <id>`, or `<prefix> missing|ambiguous`.
  out
    .split('\n')
    .slice(0, prefixes.length)
    .forEach((line, i) => {
      const [first, second] = line.split(' ');
      if (first === 'commit') found.set(prefixes[i], second);
      else if (second === 'ambiguous') found.set(prefixes[i], 'ambiguous');
    });
  return found;
}

/** The commits whose id starts with `prefix` (git lists every object with it; blobs and trees don't count). */
async function commitsWithPrefix(git: GitCommandManager, prefix: string): Promise<string[]> {
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
