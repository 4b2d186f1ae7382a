/**
 * Scan one side in a worker thread while the main thread scans the other.
 *
 * The worker runs `walkTree`'s source text (an eval worker: a separate worker file would not
 * survive bundling by ncc) and sends the entries back in columns: the paths as one
 * NUL-separated string and the numbers in one transferred Float64Array. Cloning 100k small
 * objects would cost about what the walk itself costs; a string and a buffer cost a copy.
 */
import { Worker } from 'node:worker_threads';
import { globRuntime } from '../allowlist/glob-runtime.js';
import { nameCodec } from './names.js';
import { ignorePredicateWith, walkTree, type IgnoreSpec, type WalkPart } from './scan.js';
import type { Entry, EntryType, ScanResult, Side } from './types.js';

interface Columns {
  paths: string;
  /** Per entry: type code (0 file, 1 dir, 2 symlink), size, mtimeMs, mode. */
  nums: Float64Array;
  /** Link targets, in entry order of the symlinks. */
  targets: string[];
  gone: string[];
  errors: ScanResult['errors'];
  staleTemps: string[];
  fatal?: { message: string; code?: string };
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const globRuntime = (${globRuntime.toString()});
const ignorePredicateWith = (${ignorePredicateWith.toString()});
const walkTree = (${walkTree.toString()});
const codec = (${nameCodec.toString()})();
const { root, side, ignore, part } = workerData;
const paths = [];
let nums = new Float64Array(4 * 4096);
let n = 0;
const targets = [];
const gone = [];
const sink = {
  entry(rel, type, size, mtimeMs, mode, target) {
    if (4 * n + 4 > nums.length) {
      const grown = new Float64Array(nums.length * 2);
      grown.set(nums);
      nums = grown;
    }
    paths.push(rel);
    nums[4 * n] = type === 'file' ? 0 : type === 'dir' ? 1 : 2;
    nums[4 * n + 1] = size;
    nums[4 * n + 2] = mtimeMs;
    nums[4 * n + 3] = mode;
    n++;
    if (target !== undefined) targets.push(target);
  },
  gone(rel) { gone.push(rel); },
};
try {
  const ignored = ignorePredicateWith(globRuntime(), ignore);
  const out = walkTree(fs, codec, root, side, ignored, sink, undefined, undefined, part);
  const used = nums.slice(0, 4 * n);
  parentPort.postMessage(
    { paths: paths.join('\\u0000'), nums: used, targets, gone, errors: out.errors, staleTemps: out.staleTemps },
    [used.buffer],
  );
} catch (e) {
  parentPort.postMessage({ fatal: { message: e && e.message ? e.message : String(e), code: e && e.code } });
}
`;

const TYPES: EntryType[] = ['file', 'dir', 'symlink'];

export function fromColumns(root: string, c: Columns): ScanResult {
  const entries = new Map<string, Entry>();
  const paths = c.paths === '' ? [] : c.paths.split('\u0000');
  const { nums, targets } = c;
  let t = 0;
  for (let i = 0; i < paths.length; i++) {
    const type = TYPES[nums[4 * i]];
    const e: Entry = { type, size: nums[4 * i + 1], mtimeMs: nums[4 * i + 2], mode: nums[4 * i + 3] };
    if (type === 'symlink') e.target = targets[t++];
    entries.set(paths[i], e);
  }
  for (const g of c.gone) entries.delete(g);
  return { root, entries, errors: c.errors, staleTemps: c.staleTemps };
}

/**
 * Start scanning `root` (or a `part` of it) in a worker; the promise settles with the same result
 * as scanTree, plus the directories found gone (for merging a part, see mergeScan).
 */
export function scanTreeInWorker(
  root: string,
  side: Side,
  ignore: IgnoreSpec,
  part?: WalkPart,
): Promise<ScanResult & { gone: string[] }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { root, side, ignore, part } });
    let settled = false;
    worker.once('message', (c: Columns) => {
      settled = true;
      void worker.terminate();
      if (c.fatal) reject(Object.assign(new Error(c.fatal.message), { code: c.fatal.code }));
      else resolve({ ...fromColumns(root, c), gone: c.gone });
    });
    worker.once('error', (e) => {
      settled = true;
      reject(e);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`dirsync scan thread for side ${side} exited early (code ${code})`));
    });
  });
}
