import type { Rule } from '../allowlist/parse.js';
import { BOT_IDENTITY } from '../git/index-builder.js';
import type { SafetySettings } from '../safety/types.js';

/** Which wiki: the private repo's wiki gets every page, the public one the allowlisted pages. */
export type WikiAudience = 'private' | 'public';

export type UnpublishedLinkMode = 'fail' | 'text';

export interface WikiTargetSettings {
  /** `owner/repo` (→ `${server}/owner/repo.wiki.git`), a URL, or a local path to a wiki git repo. */
  repo: string;
  /** HTTPS token for this wiki's server. */
  token?: string;
  /** Branch to write; default: the branch the wiki's HEAD names, else `master` (GitHub's wiki branch). */
  branch?: string;
}

export interface WikiSettings {
  /** Folder holding the wiki sources, inside a git repository (absolute or relative to cwd). */
  source: string;
  /** Revision of the source repository to publish. Default HEAD. */
  rev?: string;
  privateWiki?: WikiTargetSettings;
  publicWiki?: WikiTargetSettings;
  /** Allowlist rules for the public wiki (matched on source paths and page file names). */
  publicAllowlist?: Rule[];
  /** The source file (relative to the source folder) that becomes `Home.md`. Default `README.md`. */
  home?: string;
  direction: 'push' | 'bidirectional';
  unpublishedLinks: UnpublishedLinkMode;
  dryRun: boolean;
  /** Branch in the source repository that receives wiki edits (bidirectional). */
  syncBackBranch: string;
  /** Commit message; `{wiki}`, `{source}`, `{sha}` and `{short_sha}` are substituted (docs/templates.md). */
  commitMessage: string;
  serverUrl?: string;
  /** Committer identity for Ferry's commits. */
  author?: { name: string; email: string };
  /** Leak-gate settings for the public wiki (secret scan, forbidden paths); defaults when absent. */
  safety?: SafetySettings;
}

export const DEFAULT_COMMIT_MESSAGE = 'Sync {wiki} wiki from {source} at {short_sha}';
export const DEFAULT_SYNC_BACK_BRANCH = 'ferry/wiki-sync';
/** Ferry's wiki commits are the Actions bot's unless an author is set. */
export const DEFAULT_AUTHOR = BOT_IDENTITY;

/** A file of the source folder (paths relative to the folder, `/`-separated). */
export interface SourceFile {
  path: string;
  mode: string;
  oid: string;
}

/** One entry of a wiki tree as Ferry builds it: a path and a blob. */
export interface WikiEntry {
  mode: string;
  oid: string;
}

/** wiki path → entry */
export type WikiTree = Map<string, WikiEntry>;
