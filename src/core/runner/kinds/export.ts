import * as path from 'node:path';
import { runCustomExports } from '../../export/custom.js';
import { runExport } from '../../export/index.js';
import type { ExportSettings } from '../../export/types.js';
import { combineResults, defined, remoteSpec, tokenFor } from './combine.js';
import type { KindAdapter } from './types.js';

/** The `export` kind: the export engine (sync-to-public), or per-package exports (sync-to-custom). */
export const runExportTarget: KindAdapter = async (ctx) => {
  const o = ctx.target.options as Record<string, unknown>;
  const str = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
  const list = (k: string) => (Array.isArray(o[k]) ? (o[k] as string[]) : undefined);
  const inRepo = (p: string | undefined) => (p === undefined ? undefined : path.join(ctx.root, p));
  const safety = defined({
    forbiddenPaths: list('forbidden'),
    secretScan: o.secret_scan as boolean | undefined,
    secretScanExclude: list('secret_scan_exclude'),
    secretBaseline: inRepo(str('secret_baseline')),
    importCheck: o.import_check as boolean | undefined,
    maxDeleteRatio: o.max_delete_share as number | undefined,
    allowMassDelete: o.allow_mass_delete as boolean | undefined,
  });
  const settings: ExportSettings = {
    source: ctx.root,
    rev: str('rev'),
    target: remoteSpec(ctx, String(o.repo)),
    branch: str('branch') ?? 'main',
    allowlistFile: inRepo(str('allowlist') ?? 'public_allowlist.txt'),
    map: list('map'),
    preserve: list('preserve'),
    messageTemplate: str('commit_message'),
    dryRun: ctx.dryRun,
    force: o.force === true,
    maxRetries: o.max_retries as number | undefined,
    safety: Object.keys(safety).length ? safety : undefined,
    auth: { token: tokenFor(ctx), serverUrl: ctx.env.GITHUB_SERVER_URL },
    mode: o.mode as ExportSettings['mode'],
    templateDir: inRepo(str('template')),
    submodules: o.submodules as ExportSettings['submodules'],
    sourceRepo: ctx.env.GITHUB_REPOSITORY,
  };
  const packages = list('packages') ?? (str('package') ? [str('package')!] : undefined);
  if (packages) {
    const parts = await runCustomExports(
      { ...settings, allowlistFile: undefined },
      { packages, allowlistDir: inRepo(str('allowlist_dir') ?? '.')! },
      ctx.logger,
    );
    return combineResults(ctx, parts);
  }
  const r = await runExport({ ...settings, label: ctx.target.name }, ctx.logger);
  return { ...r, target: ctx.target.name, direction: ctx.target.direction };
};
