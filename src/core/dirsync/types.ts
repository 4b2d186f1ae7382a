/**
 * Shapes shared by the dirsync scanner, planner and executor. The planner only ever sees these
 * plain values, which is what keeps it pure and unit-testable.
 */
import type { Logger } from '../logger.js';

export type EntryType = 'file' | 'symlink' | 'dir';
export type Side = 'a' | 'b';
export const other = (s: Side): Side => (s === 'a' ? 'b' : 'a');
export type SyncDirection = 'both' | 'a-to-b' | 'b-to-a';
export type ConflictPolicy = 'fail' | 'keep-both' | 'newer' | 'prefer-a' | 'prefer-b';

export const CONFLICT_POLICIES: readonly ConflictPolicy[] = [
  'fail',
  'keep-both',
  'newer',
  'prefer-a',
  'prefer-b',
];
export const DIRECTIONS: readonly SyncDirection[] = ['both', 'a-to-b', 'b-to-a'];

/** What one path looks like on one side right now (from lstat, never following links). */
export interface Entry {
  type: EntryType;
  size: number;
  /**
   * Modification time in ms since the epoch, sub-ms digits included (stat's mtimeMs: about
   * 0.2 µs resolution; plain numbers keep 100k-entry state files fast to load).
   */
  mtimeMs: number;
  /** Permission bits (mode & 0o7777). */
  mode: number;
  /** Symlink target, as stored in the link. */
  target?: string;
  /** Content hash (sha1 hex), filled in only when stat could not decide. */
  hash?: string;
}

/** What one path looked like on both sides at the end of the last sync that touched it. */
export interface StateEntry {
  type: EntryType;
  size: number;
  mode: number;
  /** mtime on side A and on side B (ms); they differ by rounding after utimes. */
  mtimeA: number;
  mtimeB: number;
  hash?: string;
  target?: string;
  /**
   * The mtime was within RACY_WINDOW_MS of the sync that recorded it: a write in the same
   * timestamp tick would not move the mtime, so the next sync compares content (as git does).
   */
  racy?: boolean;
}

/** Timestamp granularity we allow for (FAT and some network file systems: 2 s). */
export const RACY_WINDOW_MS = 2000;

export type State = Map<string, StateEntry>;

export interface ScanError {
  path: string;
  code: string;
  message: string;
}

export interface ScanResult {
  root: string;
  entries: Map<string, Entry>;
  /** Paths that could not be read. They and everything below them are left alone. */
  errors: ScanError[];
  /** Leftover temp files of a killed sync, removed during the scan. */
  staleTemps: string[];
}

export const STATE_BASENAME = '.ferry-dirsync-state.json';
export const LOG_BASENAME = '.ferry-dirsync-log.jsonl';
/** Temp files are `.NAME.ferry-tmp-PID-RAND`, beside their target, so a rename is atomic. */
export const TEMP_MARKER = '.ferry-tmp-';

export const DEFAULT_IGNORES: readonly string[] = [
  '**/__pycache__',
  '**/__pycache__/**',
  '**/.DS_Store',
  '**/Thumbs.db',
  `**/.*${TEMP_MARKER}*`,
];

/** Test-only seams: throw from these to simulate I/O faults root cannot otherwise trigger. */
export interface FaultHooks {
  /** Called before a path is lstat'ed during the scan (side, relative path). */
  beforeStat?(side: Side, rel: string): void;
  /** Called before a file is read (for hashing or copying). */
  beforeRead?(side: Side, rel: string): void;
}

export interface Progress {
  phase: 'scan' | 'hash' | 'sync' | 'done';
  scanned: number;
  hashed: number;
  copied: number;
  deleted: number;
  bytes: number;
}

export interface DirsyncOptions {
  /** Side A (in the seed: the network drive, the shared copy). */
  a: string;
  /** Side B (in the seed: the local staging folder). */
  b: string;
  /** State file. Default: `<b>/.ferry-dirsync-state.json`. The sync log sits beside it. */
  state?: string;
  /** Default 'both'. syncDown() is 'a-to-b', syncUp() is 'b-to-a'. */
  direction?: SyncDirection;
  /** Default 'keep-both'. */
  conflict?: ConflictPolicy;
  /** Extra ignore globs (Ferry glob dialect), added to DEFAULT_IGNORES. */
  ignore?: readonly string[];
  /** Replace the default ignores instead of adding to them. */
  noDefaultIgnores?: boolean;
  dryRun?: boolean;
  /**
   * A side that does not exist is created; a side that was created, or that lost (almost) every
   * file the state knows, is treated as new: filled from the other side as on a first sync
   * (union), and nothing is deleted. Never together with `allowMassDelete`.
   */
  createMissingSide?: boolean;
  /**
   * Let a side that looks wiped (see guard.ts) propagate its deletions to the other side. It never
   * creates a missing side.
   */
  allowMassDelete?: boolean;
  /**
   * Besides a side that lost (almost) every known file, refuse one that lost more than this share
   * of them (default 0.5) once the state knows at least `wipeMinFiles` files (default 20).
   */
  wipeThreshold?: number;
  wipeMinFiles?: number;
  /**
   * How messages name the two options above on the caller's surface. Default: the CLI's flags
   * (`--create-missing-side`); the ferry.yml runner says `create_missing_side: true`.
   */
  optionName?: (option: 'create-missing-side' | 'allow-mass-delete') => string;
  /**
   * Walk side B in a worker thread while side A is walked in this one. Default: when the state
   * file is missing (first sync) or at least 64 KiB (a few thousand paths).
   */
  parallelScan?: boolean;
  /**
   * Worker threads that copy files (running the same synchronous copy); 0 copies in this thread.
   * Default: one per core up to 4 when there are more than a thousand copies, else 0.
   */
  copyThreads?: number;
  logger?: Logger;
  /** Called at most every `progressIntervalMs` (default 1000) and once at the end. */
  onProgress?: (p: Progress) => void;
  progressIntervalMs?: number;
  /** Name for the result (default `A <-> B`). */
  target?: string;
  /** Clock for conflict-copy names and the log (tests). */
  now?: () => Date;
  /** Test-only fault injection. */
  faults?: FaultHooks;
}
