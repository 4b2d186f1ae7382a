import type { Suite } from '../support.js';
import { allowlistSuite } from './allowlist.js';
import { exportSuite } from './export.js';
import { historySuite } from './history.js';
import { importSuite } from './import.js';
import { mirrorSuite } from './mirror.js';
import { wikiSuite } from './wiki.js';
import { dirsyncSuite } from './dirsync.js';
import { gatesSuite } from './gates.js';

/** Every benchmark suite; `npm run bench -- NAME...` runs some. */
export const SUITES: Suite[] = [
  allowlistSuite,
  exportSuite,
  historySuite,
  importSuite,
  mirrorSuite,
  wikiSuite,
  dirsyncSuite,
  gatesSuite,
];
