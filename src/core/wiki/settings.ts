import { loadAllowlistStrict } from '../allowlist/parse.js';
import { ConfigurationError } from '../errors.js';
import { parseSafetySettings, userSafetyInput } from '../safety/settings.js';
import { settingName } from '../settings/surface.js';
import {
  DEFAULT_COMMIT_MESSAGE,
  DEFAULT_SYNC_BACK_BRANCH,
  type UnpublishedLinkMode,
  type WikiSettings,
} from './types.js';

/**
 * Raw values as the action inputs, the CLI flags and a ferry.yml wiki target give them; validated
 * into WikiSettings, with messages in the spelling of the user's surface (settingName).
 */
export interface RawWikiSettings {
  source: string;
  rev?: string;
  privateWiki?: string;
  publicWiki?: string;
  privateToken?: string;
  publicToken?: string;
  publicAllowlist?: string;
  home?: string;
  direction?: string;
  unpublishedLinks?: string;
  dryRun?: boolean;
  syncBackBranch?: string;
  commitMessage?: string;
  wikiBranch?: string;
  serverUrl?: string;
  /** The public wiki's leak gates, with the export's spelling; unset ones keep the defaults. */
  forbiddenPaths?: string[];
  allowedSecretFingerprints?: string[];
  secretScanExclude?: string[];
  /** Already resolved against the workspace or the working directory. */
  secretBaseline?: string;
}

export async function resolveWikiSettings(raw: RawWikiSettings): Promise<WikiSettings> {
  const n = settingName;
  const direction = raw.direction || 'push';
  if (direction !== 'push' && direction !== 'bidirectional')
    throw new ConfigurationError(`${n('direction')} must be 'push' or 'bidirectional', got '${direction}'.`);
  const unpublished = (raw.unpublishedLinks || 'fail') as UnpublishedLinkMode;
  if (unpublished !== 'fail' && unpublished !== 'text')
    throw new ConfigurationError(
      `${n('unpublished-links')} must be 'fail' or 'text', got '${String(unpublished)}'.`,
    );
  if (!raw.privateWiki && !raw.publicWiki)
    throw new ConfigurationError(`Nothing to sync: set ${n('private-wiki')}, ${n('public-wiki')}, or both.`);
  if (raw.publicWiki && !raw.publicAllowlist)
    throw new ConfigurationError(
      `${n('public-wiki')} is set but ${n('public-allowlist')} is not: name the allowlist of public pages (e.g. wiki_public_allowlist.txt).`,
    );
  const branch = raw.syncBackBranch || DEFAULT_SYNC_BACK_BRANCH;
  if (
    !/^[A-Za-z0-9._/-]+$/.test(branch) ||
    branch.includes('..') ||
    branch.startsWith('/') ||
    branch.endsWith('/')
  )
    throw new ConfigurationError(`${n('sync-back-branch')} '${branch}' is not a valid branch name.`);
  return {
    source: raw.source || 'wiki',
    rev: raw.rev || 'HEAD',
    privateWiki: raw.privateWiki
      ? { repo: raw.privateWiki, token: raw.privateToken, branch: raw.wikiBranch || undefined }
      : undefined,
    publicWiki: raw.publicWiki
      ? { repo: raw.publicWiki, token: raw.publicToken, branch: raw.wikiBranch || undefined }
      : undefined,
    publicAllowlist: raw.publicAllowlist ? await loadAllowlistStrict(raw.publicAllowlist) : undefined,
    home: raw.home || 'README.md',
    direction,
    unpublishedLinks: unpublished,
    dryRun: !!raw.dryRun,
    syncBackBranch: branch,
    commitMessage: raw.commitMessage || DEFAULT_COMMIT_MESSAGE,
    serverUrl: raw.serverUrl,
    safety: wikiSafety(raw),
  };
}

/** Validated here, so a bad glob or a missing baseline stops the run before either wiki is touched. */
function wikiSafety(raw: RawWikiSettings) {
  const s = userSafetyInput({
    forbiddenPaths: raw.forbiddenPaths,
    allowedSecretFingerprints: raw.allowedSecretFingerprints,
    secretScanExclude: raw.secretScanExclude,
    secretBaseline: raw.secretBaseline,
  });
  return s && parseSafetySettings(s);
}
