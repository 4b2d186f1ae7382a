/**
 * Raw user options (action inputs or CLI flags, as strings) → validated ExportSettings. One place,
 * so the action and the CLI accept exactly the same values with the same messages. `names` maps
 * each option to how the user wrote it (`input 'max-retries'` or `--max-retries`).
 */
import { ConfigurationError } from '../errors.js';
import type { SafetySettingsInput } from '../safety/settings.js';
import type { HistoryOptions } from './history/settings.js';
import type { ExportSettings, LfsPolicy, SubmodulePolicy } from './types.js';

export interface RawExportOptions {
  source: string;
  rev?: string;
  target: string;
  branch?: string;
  allowlist?: string;
  map?: string[];
  preserve?: string[];
  messageTemplate?: string;
  dryRun?: boolean;
  force?: boolean;
  maxRetries?: string;
  mode?: string;
  since?: string;
  /** History mode: message scrubbing and author map. */
  history?: HistoryOptions;
  submodules?: string;
  lfs?: string;
  committerName?: string;
  committerEmail?: string;
  token?: string;
  sshKey?: string;
  sshKnownHosts?: string;
  serverUrl?: string;
  /** `{source_repo}` in commit messages: the adapters pass GITHUB_REPOSITORY. */
  sourceRepo?: string;
  templateDir?: string;
  safety?: SafetySettingsInput;
}

export type OptionNames = Partial<Record<keyof RawExportOptions, string>>;

function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  name: string,
  fallback: T,
): T {
  const v = (value ?? '').trim();
  if (!v) return fallback;
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw new ConfigurationError(`Invalid ${name} '${v}'. Expected one of: ${allowed.join(', ')}.`);
}

export function resolveExportSettings(raw: RawExportOptions, names: OptionNames = {}): ExportSettings {
  const n = (k: keyof RawExportOptions) => names[k] ?? k;
  if (!raw.target?.trim())
    throw new ConfigurationError(`${n('target')} is required: the repository to export to.`);
  let maxRetries: number | undefined;
  if (raw.maxRetries !== undefined && raw.maxRetries.trim() !== '') {
    maxRetries = Number(raw.maxRetries);
    if (!Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > 50)
      throw new ConfigurationError(
        `${n('maxRetries')} must be a whole number from 0 to 50, got '${raw.maxRetries}'.`,
      );
  }
  const committer =
    raw.committerName?.trim() || raw.committerEmail?.trim()
      ? {
          name: raw.committerName?.trim() || 'ferry[bot]',
          email: raw.committerEmail?.trim() || 'ferry@users.noreply.github.com',
        }
      : undefined;
  return {
    source: raw.source || '.',
    rev: raw.rev?.trim() || undefined,
    target: raw.target.trim(),
    branch: raw.branch?.trim() || 'main',
    allowlistFile: raw.allowlist?.trim() || undefined,
    map: raw.map ?? [],
    preserve: raw.preserve ?? [],
    messageTemplate: raw.messageTemplate?.trim() ? raw.messageTemplate : undefined,
    dryRun: !!raw.dryRun,
    force: !!raw.force,
    maxRetries,
    mode: oneOf(raw.mode, ['snapshot', 'history'] as const, n('mode'), 'snapshot'),
    since: raw.since?.trim() || undefined,
    history: raw.history,
    submodules: oneOf<SubmodulePolicy>(raw.submodules, ['skip', 'keep'], n('submodules'), 'skip'),
    lfs: oneOf<LfsPolicy>(raw.lfs, ['warn', 'error', 'allow'], n('lfs'), 'warn'),
    committer,
    auth: {
      token: raw.token || undefined,
      sshKey: raw.sshKey || undefined,
      sshKnownHosts: raw.sshKnownHosts || undefined,
      serverUrl: raw.serverUrl || undefined,
    },
    templateDir: raw.templateDir?.trim() || undefined,
    sourceRepo: raw.sourceRepo?.trim() || undefined,
    safety: raw.safety,
  };
}
