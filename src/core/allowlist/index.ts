export * from './glob.js';
export * from './parse.js';
export * from './matcher.js';
export * from './lint.js';
export * from './manifest.js';
