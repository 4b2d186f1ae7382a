import type { TargetConfig, TargetKind } from '../../config/types.js';
import type { TargetResult } from '../../report/result.js';
import { configSurface, withSurface } from '../../settings/surface.js';
import { runCommandTarget } from './command.js';
import { runDirsyncTarget } from './dirsync.js';
import { EXPORT_KEYS, runExportTarget } from './export.js';
import { MIRROR_KEYS, runMirrorTarget } from './mirror.js';
import { WIKI_KEYS, runWikiTarget } from './wiki.js';
import type { KindAdapter, KindContext } from './types.js';

/** One adapter per target kind. */
const KIND_ADAPTERS: { [K in TargetKind]: KindAdapter<K> } = {
  command: runCommandTarget,
  export: runExportTarget,
  mirror: runMirrorTarget,
  wiki: runWikiTarget,
  dirsync: runDirsyncTarget,
};

/**
 * How a target kind's ferry.yml keys spell the settings the engines name by their action input
 * (the rest are the input in snake_case: `max-delete-ratio` is `max_delete_ratio`).
 */
const CONFIG_KEYS: { [K in TargetKind]: Readonly<Record<string, string>> } = {
  command: {},
  export: EXPORT_KEYS,
  mirror: MIRROR_KEYS,
  wiki: WIKI_KEYS,
  dirsync: {},
};

/**
 * Run one target through its kind's adapter, with engine messages worded for ferry.yml
 * (`targets.public.allow_mass_delete`, not the action input).
 */
export function runKind(ctx: KindContext): Promise<TargetResult> {
  const t: TargetConfig = ctx.target;
  // TypeScript cannot tie the adapter's K to ctx.target's kind through the union: the table's type
  // says each adapter gets its own kind, and t.kind picks exactly that adapter.
  const adapter = KIND_ADAPTERS[t.kind] as unknown as KindAdapter;
  return withSurface(configSurface(t.name, CONFIG_KEYS[t.kind]), () => adapter(ctx));
}

export type { KindContext } from './types.js';
