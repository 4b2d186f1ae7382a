/**
 * Import engine types: bringing a public pull request back into the private repository.
 *
 * The seam, in short:
 *  - `runImport(settings, host, logger)` (./index.ts) is the one library entry point (the
 *    import-pull-request action and `ferry import-pr` call it). Git work happens in a scratch
 *    repository that sees the private checkout's objects; the GitHub side (reading the public pull
 *    request, commenting, opening the private pull request) goes through `PullRequestHost`, which
 *    the adapters implement with Octokit (src/github/pull-requests.ts): core never imports it.
 *  - The selection (allowlist, map, preserve) is the export's: the same ExportBuildContext's
 *    select/isPreserved decide what the export of the base revision R holds at the paths the pull
 *    request changes (base-check.ts) and which public paths have a private preimage.
 */
import type { ExportSettings } from '../export/types.js';
import type { ResultOf } from '../report/result.js';

export const DEFAULT_IMPORT_LABEL = 'ferry-import';

/**
 * The export's selection (allowlist or rules, map, preserve, vars) and leak gates, as the export
 * takes them, and the export's committer, retries and git credentials.
 */
type FromExport =
  'allowlistFile' | 'rules' | 'map' | 'preserve' | 'vars' | 'safety' | 'committer' | 'maxRetries' | 'auth';

export interface ImportSettings extends Pick<ExportSettings, FromExport> {
  /** The public repository: `owner/name` (resolved against the server URL), a URL or a local path. */
  publicRepo: string;
  /** `owner/name` of the public repository, for trailers, branch names and the API. */
  publicSlug: string;
  /** One pull request; absent: every open pull request carrying `label`. */
  pullRequest?: number;
  label: string;
  /** The private checkout (a work tree or a bare repository): R is read here. */
  source: string;
  /** Where the import branch is pushed: `owner/name`, a URL or a local path. */
  privateRepo: string;
  /** `owner/name` when privateRepo is one: its pull requests go through the API (absent: a URL or a path). */
  privateSlug?: string;
  /** The private base branch the change is moved onto. */
  baseBranch: string;
  openPullRequest: boolean;
  dryRun?: boolean;
  /** Scratch directory parent (default os.tmpdir()). */
  workDir?: string;
}

/** A public pull request as the import needs it. */
export interface PublicPullRequest {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  headSha: string;
  url: string;
  /** The author GitHub shows: login, user id (for the noreply address), display name when set. */
  author: { login: string; id: number; name?: string };
}

export interface PrivatePullRequest {
  number: number;
  url: string;
}

/**
 * The pull request operations the import needs, on both repositories. Implemented over the GitHub
 * REST API by the adapters; the core tests give an in-process one.
 */
export interface PullRequestHost {
  getPublic(number: number): Promise<PublicPullRequest>;
  /** Open pull requests of the public repository carrying `label`, by number. */
  listPublicByLabel(label: string): Promise<number[]>;
  /**
   * Comment on a public pull request unless a comment holding `marker` (a hidden HTML comment) is
   * there already. Returns whether it commented.
   */
  commentPublic(number: number, marker: string, body: string): Promise<boolean>;
  /** The open private pull request from `head` (a branch of the private repository). */
  findPrivate(head: string): Promise<PrivatePullRequest | undefined>;
  openPrivate(p: { head: string; base: string; title: string; body: string }): Promise<PrivatePullRequest>;
  updatePrivate(number: number, p: { title: string; body: string }): Promise<void>;
  commentPrivate(number: number, marker: string, body: string): Promise<boolean>;
}

/**
 * What became of one pull request:
 *  - `imported`: a new import branch; `updated`: the branch moved to the pull request's new head;
 *  - `unchanged`: the branch already holds this head;
 *  - `needs-rebase`: the change applies on R but conflicts with the base branch (the branch is on R);
 *  - `already-landed`: the change is in the base branch already (nothing written);
 *  - `refused`: paths the import cannot take (commented on the public pull request);
 *  - `hand-edited`: the public base is not what an export of R gives at a path the pull request changes;
 *  - `echo`: the pull request is, contains or only merges Ferry's own export commits;
 *  - `head-moved`: the pull request moved during the run (nothing written);
 *  - `branch-edited`: someone else wrote the import branch's tip (left as it is);
 *  - `closed`: the pull request is not open.
 */
export type ImportStatus =
  | 'imported'
  | 'updated'
  | 'unchanged'
  | 'needs-rebase'
  | 'already-landed'
  | 'refused'
  | 'hand-edited'
  | 'echo'
  | 'head-moved'
  | 'branch-edited'
  | 'closed';

/** Why a public path cannot be imported. */
export type RefusalReason = 'no-preimage' | 'preserved' | 'excluded' | 'submodule' | 'mode' | 'symlink';

export interface RefusedPath {
  path: string;
  reason: RefusalReason;
  /** The private path it maps back to, when there is one. */
  sourcePath?: string;
}

export type ImportResult = ResultOf<'import'>;
