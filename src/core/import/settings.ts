/**
 * Raw user options → validated ImportSettings: the one resolver for the action (inputs) and the
 * CLI (flags). The selection is the export's: an allowlist with its map and preserve globs, or the
 * name of a ferry.yml export target whose keys give them (and the public repository).
 */
import * as path from 'node:path';
import { loadConfig } from '../config/load.js';
import { ConfigurationError } from '../errors.js';
import { settingName } from '../settings/surface.js';
import { resolveCommitter, resolveMaxRetries } from '../settings/values.js';
import { DEFAULT_IMPORT_LABEL, type ImportSettings } from './types.js';

export interface RawImportOptions {
  publicRepo?: string;
  pullRequest?: string;
  label?: string;
  source?: string;
  privateRepo?: string;
  baseBranch?: string;
  allowlist?: string;
  map?: string[];
  preserve?: string[];
  /** A ferry.yml export target to take the selection (and the public repository) from. */
  exportTarget?: string;
  config?: string;
  openPullRequest?: boolean;
  dryRun?: boolean;
  committerName?: string;
  committerEmail?: string;
  maxRetries?: string;
  token?: string;
  serverUrl?: string;
  forbiddenPaths?: string[];
  secretPatterns?: string[];
  allowedSecretFingerprints?: string[];
  secretScan?: boolean;
}

const SLUG = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

export async function resolveImportSettings(raw: RawImportOptions): Promise<ImportSettings> {
  const source = path.resolve(raw.source?.trim() || '.');
  const target = raw.exportTarget?.trim() ? await exportTargetSelection(raw, source) : undefined;
  const publicRepo = raw.publicRepo?.trim() || target?.repo;
  if (!publicRepo)
    throw new ConfigurationError(
      `${settingName('public-repo')} is required: the public repository whose pull requests are imported (owner/name).`,
    );
  const n = raw.pullRequest?.trim();
  if (n && !/^[1-9][0-9]{0,9}$/.test(n))
    throw new ConfigurationError(
      `Invalid ${settingName('pull-request')} '${n}'. Expected a pull request number.`,
    );
  const maxRetries = resolveMaxRetries(raw.maxRetries);
  const allowlist = raw.allowlist?.trim() ? path.resolve(raw.allowlist.trim()) : target?.allowlist;
  if (!allowlist)
    throw new ConfigurationError(
      `Name the export's allowlist with ${settingName('allowlist')}, or its ferry.yml target with ${settingName('export-target')}.`,
    );
  const privateRepo = raw.privateRepo?.trim() || source;
  const safety = {
    ...(raw.forbiddenPaths?.length || target?.forbidden?.length
      ? { forbiddenPaths: [...(target?.forbidden ?? []), ...(raw.forbiddenPaths ?? [])] }
      : {}),
    ...(raw.secretPatterns?.length || target?.secretPatterns?.length
      ? { secretPatterns: [...(target?.secretPatterns ?? []), ...(raw.secretPatterns ?? [])] }
      : {}),
    ...(raw.allowedSecretFingerprints?.length
      ? { allowedSecretFingerprints: raw.allowedSecretFingerprints }
      : {}),
    ...(raw.secretScan !== undefined ? { secretScan: raw.secretScan } : {}),
  };
  return {
    publicRepo,
    publicSlug: slugOf(publicRepo),
    pullRequest: n ? Number(n) : undefined,
    label: raw.label?.trim() || DEFAULT_IMPORT_LABEL,
    source,
    privateRepo,
    privateSlug: SLUG.test(privateRepo) ? privateRepo : undefined,
    baseBranch: raw.baseBranch?.trim() || 'main',
    allowlistFile: allowlist,
    map: raw.map?.length ? raw.map : (target?.map ?? []),
    preserve: raw.preserve?.length ? raw.preserve : (target?.preserve ?? []),
    safety: Object.keys(safety).length ? safety : undefined,
    openPullRequest: raw.openPullRequest ?? true,
    dryRun: !!raw.dryRun,
    committer: resolveCommitter(raw.committerName, raw.committerEmail),
    maxRetries,
    auth: { token: raw.token || undefined, serverUrl: raw.serverUrl || undefined },
  };
}

/** `owner/name` as given, or the last two segments of a URL or path (`.git` dropped). */
function slugOf(repo: string): string {
  if (SLUG.test(repo) && !repo.startsWith('.')) return repo;
  const parts = repo
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .split(/[/:]/)
    .filter(Boolean);
  return parts.slice(-2).join('/');
}

interface TargetSelection {
  repo?: string;
  allowlist: string;
  map?: string[];
  preserve?: string[];
  forbidden?: string[];
  secretPatterns?: string[];
}

async function exportTargetSelection(raw: RawImportOptions, root: string): Promise<TargetSelection> {
  const file = raw.config?.trim() || 'ferry.yml';
  const config = await loadConfig(file, { root, cwd: root });
  const name = raw.exportTarget!.trim();
  const t = config.targets.find((x) => x.name === name);
  if (!t || t.kind !== 'export')
    throw new ConfigurationError(
      `${settingName('export-target')} '${name}' is not an export target of ${file}. Export targets: ${
        config.targets
          .filter((x) => x.kind === 'export')
          .map((x) => x.name)
          .join(', ') || 'none'
      }.`,
    );
  const o = t.options;
  if (o.packages || o.package)
    throw new ConfigurationError(
      `${settingName('export-target')} '${name}' exports customer packages: import works with a public export (one allowlist).`,
    );
  return {
    repo: o.repo,
    allowlist: path.join(root, o.allowlist ?? 'public_allowlist.txt'),
    map: o.map,
    preserve: o.preserve,
    forbidden: o.forbidden,
    secretPatterns: config.safety.secret_patterns,
  };
}
