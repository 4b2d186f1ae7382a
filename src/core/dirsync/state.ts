/**
 * The state file: what every synced path looked like on both sides after the last sync.
 *
 * JSON, one compact array per path, so 100k entries parse in well under 100 ms:
 *   { "version": 2, "a": "/abs/A", "b": "/abs/B", "updated": ISO,
 *     "entries": { "dir/file.txt": ["f", size, mode, mtimeA_ms, mtimeB_ms, "sha1"|null, "target"|null, racy 0|1] } }
 * Written with temp + rename, so a killed sync leaves the previous state intact.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ConfigurationError } from '../errors.js';
import type { Logger } from '../logger.js';
import { writeFileAtomic } from '../util/fs-atomic.js';
import type { EntryType, State, StateEntry } from './types.js';
import { LOG_BASENAME, STATE_BASENAME } from './types.js';

export const STATE_VERSION = 2;

type Row = [string, number, number, number, number, string | null, string | null, 0 | 1];

const TYPE_CODE: Record<EntryType, string> = { file: 'f', symlink: 'l', dir: 'd' };
const CODE_TYPE: Record<string, EntryType> = { f: 'file', l: 'symlink', d: 'dir' };

export function defaultStatePath(b: string): string {
  return path.join(b, STATE_BASENAME);
}

/** The sync log sits beside the state: `x.json` → `x.log.jsonl`, the default one is fixed. */
export function logPathFor(stateFile: string): string {
  if (path.basename(stateFile) === STATE_BASENAME) return path.join(path.dirname(stateFile), LOG_BASENAME);
  return stateFile.replace(/\.json$/i, '') + '.log.jsonl';
}

export interface LoadedState {
  state: State;
  /** Why an existing state file was not used, if it was not. */
  discarded?: string;
}

export async function loadState(file: string, a: string, b: string, logger?: Logger): Promise<LoadedState> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { state: new Map() };
    throw new ConfigurationError(
      `Cannot read the dirsync state file ${file}: ${(e as Error).message}. Fix its permissions or pass another --state.`,
    );
  }
  let doc: { version?: number; a?: string; b?: string; entries?: Record<string, Row> };
  try {
    doc = JSON.parse(text);
  } catch {
    throw new ConfigurationError(
      `${file}:1: the dirsync state file is not valid JSON (was it edited or truncated?). ` +
        'Delete it to start over: the next sync then unions both sides and deletes nothing.',
    );
  }
  if (doc.version !== STATE_VERSION || typeof doc.entries !== 'object' || doc.entries === null) {
    throw new ConfigurationError(
      `${file}:1: unsupported dirsync state (version ${String(doc.version)}, expected ${STATE_VERSION}). ` +
        'Delete it to start over with a first sync (union, no deletions).',
    );
  }
  if (doc.a !== a || doc.b !== b) {
    const why = `state file ${file} records the pair ${doc.a} <-> ${doc.b}, not ${a} <-> ${b}: treating this as a first sync (union, no deletions)`;
    logger?.warning(why);
    return { state: new Map(), discarded: why };
  }
  const state: State = new Map();
  for (const [p, r] of Object.entries(doc.entries)) {
    const type = CODE_TYPE[r[0]];
    if (!type) continue;
    const e: StateEntry = { type, size: r[1], mode: r[2], mtimeA: r[3], mtimeB: r[4] };
    if (r[5]) e.hash = r[5];
    if (r[6] !== null && r[6] !== undefined) e.target = r[6];
    if (r[7]) e.racy = true;
    state.set(p, e);
  }
  return { state };
}

export function serializeState(state: State, a: string, b: string, now: Date): string {
  const entries: Record<string, Row> = {};
  for (const p of [...state.keys()].sort()) {
    const e = state.get(p)!;
    entries[p] = [
      TYPE_CODE[e.type],
      e.size,
      e.mode,
      e.mtimeA,
      e.mtimeB,
      e.hash ?? null,
      e.target ?? null,
      e.racy ? 1 : 0,
    ];
  }
  return JSON.stringify({ version: STATE_VERSION, a, b, updated: now.toISOString(), entries }) + '\n';
}

export async function saveState(file: string, state: State, a: string, b: string, now: Date): Promise<void> {
  await writeFileAtomic(file, serializeState(state, a, b, now));
}
