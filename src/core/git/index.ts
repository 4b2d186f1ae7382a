export * from './git-command-manager.js';
export * from './git-auth-helper.js';
export * from './remote.js';
export * from './retry.js';
export * from './secrets.js';
export * from './tree.js';
export * from './transport.js';
export * from './cat-file.js';
