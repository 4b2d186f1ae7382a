/**
 * Content hashes for the few files stat cannot decide (sha1 from node:crypto: fast, and
 * collision resistance against an adversary is not what a change detector needs).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { threadCodec } from './names.js';
import { errCode } from './scan.js';
import type { HashRequest } from './status.js';
import type { Entry, FaultHooks, ScanError, Side } from './types.js';

const WHOLE_FILE_LIMIT = 8 * 1024 * 1024;

export async function hashFile(abs: string, size: number): Promise<string> {
  const p = threadCodec.fsPath(abs);
  if (size <= WHOLE_FILE_LIMIT) return createHash('sha1').update(fs.readFileSync(p)).digest('hex');
  const h = createHash('sha1');
  for await (const chunk of fs.createReadStream(p, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

/**
 * Fill Entry.hash for each request. A file that cannot be read is reported as a scan error of
 * its side (so the planner leaves it alone); one that vanished is dropped from the scan.
 */
export async function fillHashes(
  requests: readonly HashRequest[],
  roots: Record<Side, string>,
  entries: Record<Side, Map<string, Entry>>,
  errors: Record<Side, ScanError[]>,
  faults?: FaultHooks,
  onHashed?: () => void,
): Promise<void> {
  for (const r of requests) {
    const e = entries[r.side].get(r.path);
    if (!e) continue;
    try {
      faults?.beforeRead?.(r.side, r.path);
      e.hash = await hashFile(`${roots[r.side]}/${r.path}`, e.size);
    } catch (err) {
      if (errCode(err) === 'ENOENT') entries[r.side].delete(r.path);
      else errors[r.side].push({ path: r.path, code: errCode(err), message: (err as Error).message });
    }
    onHashed?.();
  }
}
