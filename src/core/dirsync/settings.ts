/**
 * A sync's settings, read once from DirsyncOptions and checked before anything is touched:
 * valid choices, two sides that do not overlap (after resolving symbolic links), and own files
 * (state, log) that are not links and are not reached through a link inside a side.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compileGlob, globPrograms, GlobSyntaxError } from '../allowlist/glob.js';
import { ConfigurationError } from '../errors.js';
import type { Logger } from '../logger.js';
import { silentLogger } from '../logger.js';
import { linkRefusal } from './own-files.js';
import type { IgnoreSpec } from './scan.js';
import { defaultStatePath, logPathFor } from './state.js';
import {
  CONFLICT_POLICIES,
  DEFAULT_IGNORES,
  DIRECTIONS,
  type ConflictPolicy,
  type DirsyncOptions,
  type Side,
  type SyncDirection,
} from './types.js';

export interface Settings {
  /** The sides as named (absolute); the state records this pair. */
  roots: Record<Side, string>;
  /** The sides with every symbolic link resolved (as far as they exist). */
  realRoots: Record<Side, string>;
  /** Where the state and the log really are (their directory's links resolved). */
  statePath: string;
  logPath: string;
  ignore: IgnoreSpec;
  direction: SyncDirection;
  policy: ConflictPolicy;
  dryRun: boolean;
  createMissingSide: boolean;
  allowMassDelete: boolean;
  wipeThreshold: number;
  wipeMinFiles: number;
  /** How a message names an option on the caller's surface (`--create-missing-side`). */
  optionName: NonNullable<DirsyncOptions['optionName']>;
  logger: Logger;
  now: () => Date;
}

const inside = (x: string, y: string) => x === y || x.startsWith(y.endsWith(path.sep) ? y : y + path.sep);

export function resolveSettings(opts: DirsyncOptions): Settings {
  validateChoices(opts);
  const roots = { a: path.resolve(opts.a), b: path.resolve(opts.b) };
  const realRoots = { a: realLocation(roots.a), b: realLocation(roots.b) };
  if (inside(realRoots.a, realRoots.b) || inside(realRoots.b, realRoots.a)) {
    const real = (s: Side) => (realRoots[s] === roots[s] ? '' : ` (really ${realRoots[s]})`);
    throw new ConfigurationError(
      `A (${roots.a}${real('a')}) and B (${roots.b}${real('b')}) overlap: name two separate directory trees.`,
    );
  }
  const statePath = ownFileLocation(opts.state ?? defaultStatePath(roots.b), 'state file', roots, realRoots);
  const logPath = ownFileLocation(logPathFor(statePath), 'sync log', roots, realRoots);
  return {
    roots,
    realRoots,
    statePath,
    logPath,
    ignore: buildIgnore(opts, [statePath, logPath], realRoots),
    direction: opts.direction ?? 'both',
    policy: opts.conflict ?? 'keep-both',
    dryRun: opts.dryRun ?? false,
    createMissingSide: opts.createMissingSide ?? false,
    allowMassDelete: opts.allowMassDelete ?? false,
    wipeThreshold: opts.wipeThreshold ?? 0.5,
    wipeMinFiles: opts.wipeMinFiles ?? 20,
    optionName: opts.optionName ?? ((o) => `--${o}`),
    logger: opts.logger ?? silentLogger,
    now: opts.now ?? (() => new Date()),
  };
}

function validateChoices(opts: DirsyncOptions): void {
  if (!opts.a || !opts.b) throw new ConfigurationError('dirsync needs two directories, A and B.');
  if (opts.direction && !DIRECTIONS.includes(opts.direction))
    throw new ConfigurationError(
      `Invalid direction '${opts.direction}'. Expected one of: ${DIRECTIONS.join(', ')}.`,
    );
  if (opts.conflict && !CONFLICT_POLICIES.includes(opts.conflict))
    throw new ConfigurationError(
      `Invalid conflict policy '${opts.conflict}'. Expected one of: ${CONFLICT_POLICIES.join(', ')}.`,
    );
  const name = opts.optionName ?? ((o: string) => `--${o}`);
  // `force` both created a missing side and let a wipe through: the second undid the first.
  if ((opts as { force?: unknown }).force !== undefined)
    throw new ConfigurationError(
      `dirsync no longer has 'force'. To create a missing side and fill it from the other one, use ` +
        `${name('create-missing-side')}; to let deletions of (almost) every file through, use ${name('allow-mass-delete')}.`,
    );
  if (opts.createMissingSide && opts.allowMassDelete)
    throw new ConfigurationError(
      `${name('create-missing-side')} and ${name('allow-mass-delete')} ask opposite things of a side that lost its files ` +
        '(fill it again, or delete those files on the other side too): pass one of them.',
    );
}

/**
 * `p` with every symbolic link resolved: realpath of its longest existing prefix, plus the rest
 * (a missing side is resolved as far as it exists).
 */
export function realLocation(p: string): string {
  const rest: string[] = [];
  for (let cur = p; ;) {
    try {
      return path.join(fs.realpathSync(cur), ...rest.reverse());
    } catch {
      const parent = path.dirname(cur);
      if (parent === cur) return p;
      rest.push(path.basename(cur));
      cur = parent;
    }
  }
}

/**
 * Where one of our files really is. Inside a side, every directory between the side and the file
 * must be a real directory (a link there could lead anywhere); the file itself must not be a link.
 */
function ownFileLocation(
  file: string,
  what: string,
  roots: Record<Side, string>,
  realRoots: Record<Side, string>,
): string {
  const named = path.resolve(file);
  const real = path.join(realLocation(path.dirname(named)), path.basename(named));
  for (const side of ['a', 'b'] as const)
    for (const root of [roots[side], realRoots[side]]) {
      if (!inside(named, root) || named === root) continue;
      const expected = path.join(realRoots[side], path.relative(root, named));
      if (real !== expected)
        throw new ConfigurationError(
          `The dirsync ${what} ${named} lies in side ${side}, but a symbolic link on the way leads to ${real}: ` +
            'Ferry never writes its own files through a link. Replace the link with a directory, or pass another --state.',
        );
    }
  const st = fs.lstatSync(real, { throwIfNoEntry: false });
  if (st?.isSymbolicLink()) throw linkRefusal(real, what);
  if (st && !st.isFile())
    throw new ConfigurationError(`The dirsync ${what} ${real} is not a regular file. Pass another --state.`);
  return real;
}

/**
 * Ignore globs: defaults + the user's + our own files when they sit inside a side. Own files
 * are placed by real path, so a state reached through a link into a side is still left alone.
 */
export function buildIgnore(
  opts: Pick<DirsyncOptions, 'a' | 'b' | 'ignore' | 'noDefaultIgnores'>,
  ownFiles: string[],
  realRoots: Record<Side, string> = {
    a: realLocation(path.resolve(opts.a)),
    b: realLocation(path.resolve(opts.b)),
  },
): IgnoreSpec {
  const globs = [...(opts.noDefaultIgnores ? [] : DEFAULT_IGNORES)];
  for (const g of opts.ignore ?? []) {
    try {
      compileGlob(g);
    } catch (e) {
      const fix = e instanceof GlobSyntaxError ? ` (${e.fix})` : '';
      throw new ConfigurationError(`Invalid --ignore glob '${g}': ${(e as Error).message}${fix}`);
    }
    globs.push(g);
  }
  const own = new Set<string>();
  for (const root of [realRoots.a, realRoots.b])
    for (const f of ownFiles) {
      const rel = path.relative(root, realLocation(path.resolve(f)));
      if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) own.add(rel.split(path.sep).join('/'));
    }
  // Compiled globs as plain data: a scan thread runs them with its own copy of the glob runtime.
  return { globs: globPrograms(globs), exact: [...own] };
}
