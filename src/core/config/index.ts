export * from './types.js';
export * from './load.js';
export * from './cron.js';
export * from './paths.js';
export * from './suggest.js';
export { FERRY_SCHEMA } from './schema.js';
