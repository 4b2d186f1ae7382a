import type { TargetKind } from '../../config/types.js';
import { runCommandTarget } from './command.js';
import { runDirsyncTarget } from './dirsync.js';
import { runExportTarget } from './export.js';
import { runMirrorTarget } from './mirror.js';
import { runWikiTarget } from './wiki.js';
import type { KindAdapter } from './types.js';

/** One adapter per target kind. */
export const KIND_ADAPTERS: Record<TargetKind, KindAdapter> = {
  command: runCommandTarget,
  export: runExportTarget,
  mirror: runMirrorTarget,
  wiki: runWikiTarget,
  dirsync: runDirsyncTarget,
};
