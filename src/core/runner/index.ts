export * from './run.js';
export * from './report.js';
export * from './select.js';
export * from './checks.js';
export { KIND_ADAPTERS } from './kinds/index.js';
