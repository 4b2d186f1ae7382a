import type { Suite } from '../support.js';
import { allowlistSuite } from './allowlist.js';

/** Every benchmark suite; `npm run bench -- NAME...` runs some. */
export const SUITES: Suite[] = [allowlistSuite];
