/**
 * Raw user options → validated ExportSettings. The one resolver for every surface: the actions
 * (inputs), the CLI (flags) and the ferry.yml runner (an export target's keys) give the values
 * as they read them, and every mistake is reported in the spelling of the surface the user is on
 * (settingName: `input 'max-retries'`, `--max-retries`, `targets.public.max_retries`).
 */
import { ConfigurationError } from '../errors.js';
import { userSafetyInput, type SafetySettingsInput } from '../safety/settings.js';
import { settingName } from '../settings/surface.js';
import { resolveCommitter, resolveMaxRetries } from '../settings/values.js';
import type { HistoryOptions } from './history/settings.js';
import { checkTemplate, renderTemplate } from '../util/placeholders.js';
import {
  DEFAULT_PULL_REQUEST_BRANCH,
  DEFAULT_PULL_REQUEST_TITLE,
  type PullRequestSettings,
} from './pull-request.js';
import type { ExportSettings, LfsPolicy, SubmodulePolicy } from './types.js';
import { validateBranch } from './validate.js';

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
  allowRollback?: boolean;
  maxRetries?: string | number;
  mode?: string;
  since?: string;
  /** History mode: message scrubbing, author map, merges (history/settings.ts). */
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
  /** The leak gates; unset ones keep the defaults (src/core/safety/settings.ts). */
  forbiddenPaths?: string[];
  secretPatterns?: string[];
  allowedSecretFingerprints?: string[];
  secretScan?: boolean;
  secretScanExclude?: string[];
  /** The secret baseline file, already resolved against the workspace or the working directory. */
  secretBaseline?: string;
  importCheck?: boolean;
  maxDeleteRatio?: string | number;
  allowMassDelete?: boolean;
  /** Export as a pull request (export/pull-request.ts) and its options. */
  pullRequest?: boolean;
  pullRequestBranch?: string;
  pullRequestTitle?: string;
  pullRequestLabels?: string[];
  pullRequestDraft?: boolean;
}

function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  id: string,
  fallback: T,
): T {
  const v = (value ?? '').trim();
  if (!v) return fallback;
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw new ConfigurationError(`Invalid ${settingName(id)} '${v}'. Expected one of: ${allowed.join(', ')}.`);
}

/** A number given as text (an input, a flag) or as a number (ferry.yml); undefined when empty. */
function numberOf(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return value;
  return value.trim() === '' ? undefined : Number(value);
}

export function resolveExportSettings(raw: RawExportOptions): ExportSettings {
  if (!raw.target?.trim())
    throw new ConfigurationError(`${settingName('target-repo')} is required: the repository to export to.`);
  const maxRetries = resolveMaxRetries(raw.maxRetries);
  const committer = resolveCommitter(raw.committerName, raw.committerEmail);
  const branch = raw.branch?.trim() || 'main';
  return {
    source: raw.source || '.',
    rev: raw.rev?.trim() || undefined,
    target: raw.target.trim(),
    branch,
    allowlistFile: raw.allowlist?.trim() || undefined,
    map: raw.map ?? [],
    preserve: raw.preserve ?? [],
    messageTemplate: raw.messageTemplate?.trim() ? raw.messageTemplate : undefined,
    sourceRepo: raw.sourceRepo || undefined,
    dryRun: !!raw.dryRun,
    force: !!raw.force,
    allowRollback: !!raw.allowRollback,
    maxRetries,
    mode: oneOf(raw.mode, ['snapshot', 'history'] as const, 'mode', 'snapshot'),
    since: raw.since?.trim() || undefined,
    history: raw.history,
    submodules: oneOf<SubmodulePolicy>(raw.submodules, ['skip', 'keep'], 'submodules', 'skip'),
    lfs: oneOf<LfsPolicy>(raw.lfs, ['warn', 'error', 'allow'], 'lfs', 'warn'),
    committer,
    auth: {
      token: raw.token || undefined,
      sshKey: raw.sshKey || undefined,
      sshKnownHosts: raw.sshKnownHosts || undefined,
      serverUrl: raw.serverUrl || undefined,
    },
    templateDir: raw.templateDir?.trim() || undefined,
    safety: safetyInput(raw),
    pullRequest: pullRequestSettings(raw, branch),
  };
}

/** Export as a pull request: the branch (checked now), title template, labels, draft. */
function pullRequestSettings(raw: RawExportOptions, branch: string): PullRequestSettings | undefined {
  // The other pull request options have defaults in action.yml: without pull-request they are unused.
  if (!raw.pullRequest) return undefined;
  if (raw.force)
    throw new ConfigurationError(
      `${settingName('force')} and ${settingName('pull-request')} do not go together: a pull request never replaces the target's history. Remove one of them.`,
    );
  const prBranch = renderTemplate(
    raw.pullRequestBranch?.trim() || DEFAULT_PULL_REQUEST_BRANCH,
    { branch },
    settingName('pull-request-branch'),
  );
  validateBranch(prBranch);
  if (prBranch === branch)
    throw new ConfigurationError(
      `${settingName('pull-request-branch')} '${prBranch}' is the target branch itself. Name another branch (default ${DEFAULT_PULL_REQUEST_BRANCH}).`,
    );
  const title = raw.pullRequestTitle?.trim() || DEFAULT_PULL_REQUEST_TITLE;
  checkTemplate(title, ['sha', 'short_sha', 'source_repo', 'branch'], settingName('pull-request-title'));
  return {
    branch: prBranch,
    title,
    labels: (raw.pullRequestLabels ?? []).map((l) => l.trim()).filter(Boolean),
    draft: !!raw.pullRequestDraft,
  };
}

/** Only what the user set (userSafetyInput), the ratio checked in the spelling of the user's surface. */
function safetyInput(raw: RawExportOptions): SafetySettingsInput | undefined {
  const ratio = numberOf(raw.maxDeleteRatio);
  if (ratio !== undefined && !(ratio >= 0 && ratio <= 1))
    throw new ConfigurationError(
      `${settingName('max-delete-ratio')} must be a number from 0 to 1, got '${raw.maxDeleteRatio}'.`,
    );
  return userSafetyInput({ ...raw, maxDeleteRatio: ratio });
}
