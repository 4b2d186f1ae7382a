/**
 * Export engine types and the seams other modules code against.
 *
 * The seam, in short:
 *  - `runExport(settings, logger)` (./index.ts) is the one library entry point (actions, CLI, runner).
 *  - It prepares a scratch bare repo whose `objects/info/alternates` points at the source repo's object
 *    store, fetches the target branch into it, and builds an `ExportBuildContext` (`ctx`).
 *  - A build function `BuildFn = (ctx, targetTip) => Promise<BuildOutcome>` makes the new commit(s) on
 *    top of `targetTip` inside the scratch repo and returns the new tip (or undefined for a no-op).
 *    Snapshot mode is `buildSnapshot` (./snapshot.ts); history mode is `buildHistory(ctx, tip)` from
 *    ./history/replay.ts. Both use only `ctx` helpers, so the final tree of a history replay is the
 *    snapshot tree by construction (same projectTree + overlayPreserved + writeTree).
 *  - runExport hands the build function to the one rebuild-and-push helper (git/rebuild-and-push.ts),
 *    which pushes a plain fast-forward and, when the target moved, re-fetches it and calls the build
 *    function again on the new tip, up to `maxRetries` times with backoff. A BuildFn must therefore
 *    be repeatable: no side effects outside the scratch repo's object store.
 *  - Gates: a BuildFn must call `ctx.runGates(...)` on every change set it commits and stop (return
 *    the error findings, no tip) when any finding is an error. Nothing is pushed then.
 */
import type { Rule } from '../allowlist/parse.js';
import type { GitAuthSettings } from '../git/git-auth-helper.js';
import type { GitCommandManager } from '../git/git-command-manager.js';
import type { CommitIdentity } from '../git/index-builder.js';
import type { Logger } from '../logger.js';
import type { Finding, PathChange } from '../report/result.js';
import type { SafetySettingsInput } from '../safety/settings.js';
import type { SafetySettings } from '../safety/types.js';
import type { GateChange } from '../safety/types.js';

export type ExportMode = 'snapshot' | 'history';
/** Gitlinks (submodules): skipped with a warning by default, or kept as gitlinks. */
export type SubmodulePolicy = 'skip' | 'keep';
/** Git LFS pointer files: `warn` exports the pointer with a warning, `error` refuses, `allow` is silent. */
export type LfsPolicy = 'warn' | 'error' | 'allow';

/** Ferry's default committer, so the same export makes the same commit id. */
export const DEFAULT_COMMITTER: CommitIdentity = {
  name: 'ferry[bot]',
  email: 'ferry@users.noreply.github.com',
};

export const DEFAULT_MESSAGE_TEMPLATE = 'Export {short_sha} from {source_repo}\n\n{message}';

export interface ExportSettings {
  /** Source repository directory (a work tree or a bare repo). */
  source: string;
  /** Source revision to export. Default HEAD. */
  rev?: string;
  /** Target: `owner/name`, URL, or local path (resolved with resolveRemote when raw). */
  target: string;
  branch: string;
  /** Allowlist file (file:line in errors). One of allowlistFile / rules is required. */
  allowlistFile?: string;
  /** Already parsed rules (wins over allowlistFile). */
  rules?: readonly Rule[];
  /** `FROM=TO` prefix map specs; `{package}` etc. are substituted from vars. */
  map?: readonly string[];
  /** Target path globs kept from the target tip. */
  preserve?: readonly string[];
  /** Placeholder values: `{package}` and friends. */
  vars?: Record<string, string>;
  /** Commit message template: `{sha}`, `{short_sha}`, `{source_repo}`, `{message}`. */
  messageTemplate?: string;
  /** Name shown for `{source_repo}` (the adapters pass GITHUB_REPOSITORY; default: the source directory's name). */
  sourceRepo?: string;
  committer?: CommitIdentity;
  /** Snapshot commits' author (default: the committer). History mode keeps the source author. */
  author?: CommitIdentity;
  dryRun?: boolean;
  force?: boolean;
  /**
   * Export a revision older than the last exported one (an ancestor of its Ferry-Origin-Rev), rolling
   * the target back. Off: such a run is skipped with a finding (a re-run of an old workflow, a race).
   */
  allowRollback?: boolean;
  /** Rebuild-and-push attempts after a rejected (stale) push. Default 5. */
  maxRetries?: number;
  /** Leak-gate settings over the defaults (user forbidden paths add to the built-in list). */
  safety?: SafetySettingsInput;
  auth?: GitAuthSettings;
  mode?: ExportMode;
  /** History mode: start after this source revision instead of the last exported one. */
  since?: string;
  /** History mode options: message scrubbing, author map (see history/settings.ts). */
  history?: import('./history/settings.js').HistoryOptions;
  /** Directory rendered into the target on the first export (placeholders from vars), then preserved. */
  templateDir?: string;
  submodules?: SubmodulePolicy;
  lfs?: LfsPolicy;
  /** Label for the result's `target` field (default: the safe remote label). */
  label?: string;
  /** Result kind, default 'export' ('custom' for sync-to-custom). */
  kind?: 'export' | 'custom';
  /** Scratch directory parent (default os.tmpdir()). */
  workDir?: string;
  /** Export as a pull request (pull-request.ts): push to this branch and propose it. */
  pullRequest?: import('./pull-request.js').PullRequestSettings;
}

/** One file of the target tree being built. */
export interface TargetEntry {
  mode: string;
  oid: string;
  /** Blob size when known, else -1. */
  size: number;
  /** The source path it came from; undefined for preserved/template entries. */
  sourcePath?: string;
  origin: 'source' | 'preserved' | 'template';
}

/** Target path → entry. */
export type TargetTree = Map<string, TargetEntry>;

export interface ProjectedTree {
  tree: TargetTree;
  /** The source revision projected (config files for the import-closure gate are read there). */
  rev?: string;
  /** Every source path that was selected (after forbidden/submodule/LFS policies). */
  exportedSourcePaths: Set<string>;
  /** Every path in the source tree at that revision. */
  sourcePaths: Set<string>;
  /** Policy findings: skipped gitlinks, LFS pointers, outside-pointing symlinks, map collisions. */
  findings: Finding[];
  /**
   * Whether some .gitattributes in the source routes files through Git LFS (`filter=lfs`). When
   * false the LFS pointer check is skipped (a pointer without LFS attributes is just a text file).
   * Set by ctx.projectTree; undefined means unknown (check).
   */
  usesLfs?: boolean;
  /**
   * Whether the .gitattributes files on a source path's own way (its directory and every parent,
   * as git reads them) route files through LFS; a pointer-looking file elsewhere is just a file.
   * Absent: every pointer-looking file counts.
   */
  lfsTracked?: (sourcePath: string) => boolean | Promise<boolean>;
  /**
   * Incremental exports only: answers which source paths exist, instead of `sourcePaths` (which is
   * then empty). The gates use it for import-closure resolution.
   */
  sourcePathProbe?: import('../safety/types.js').SourcePathProbe;
}

export interface TreeDiff {
  /** For reports (target paths, bytes). */
  changes: PathChange[];
  /** For the gates (source and target paths, blob ids). */
  gateChanges: GateChange[];
  /** Target path → blob id of each change (the new blob; the removed one for deletions). */
  oids: Map<string, string>;
}

export interface CommitSpec {
  tree: string;
  parents: string[];
  message: string;
  /** Default: settings.author ?? committer. */
  author?: CommitIdentity;
  /** Default: settings.committer ?? DEFAULT_COMMITTER. */
  committer?: CommitIdentity;
}

export interface SourceCommitInfo {
  sha: string;
  message: string;
  author: CommitIdentity;
}

/**
 * Everything a build function needs; all git work goes to `git` (the scratch repo, which sees the
 * source objects through alternates and holds the fetched target branch).
 */
export interface ExportBuildContext {
  settings: ExportSettings;
  logger: Logger;
  /** Scratch bare repo. */
  git: GitCommandManager;
  /** The source repository (for rev-list/log in history mode). */
  sourceGit: GitCommandManager;
  /** Resolved source commit being exported. */
  sourceCommit: string;
  /** Safe label of the target (no credentials). */
  targetLabel: string;
  /** The source repository's name for `{source_repo}`. */
  sourceRepo: string;
  /** The leak-gate settings, merged over the defaults and validated once per export. */
  safety: SafetySettings;
  /** Is this path selected (allowlist, minus forbidden paths)? Source path space. */
  select(sourcePath: string): boolean;
  /** Source path → target path. */
  mapPath(sourcePath: string): string;
  /** Whether map rules can move paths (without them every path maps to itself). */
  readonly mapped: boolean;
  /** Every source path mapPath sends to `targetPath` (the inverse of the map; [targetPath] without rules). */
  sourcesFor(targetPath: string): string[];
  /**
   * Hash (hex prefix) of everything that decides the exported tree besides the source revision:
   * allowlist rules, map, preserve, template paths, forbidden paths, vars, submodule policy.
   * Snapshot commits record it in the `Ferry-Config` trailer. Undefined: incremental export off.
   */
  configHash?: string;
  /** Is this target path preserved from the target tip? */
  isPreserved(targetPath: string): boolean;
  /** Read a source revision's tree, select and map it (no I/O besides one ls-tree). */
  projectTree(sourceRev: string): Promise<ProjectedTree>;
  /** The tree of a target commit (undefined → empty). */
  readTargetTree(commit: string | undefined): Promise<TargetTree>;
  /**
   * Carry preserved paths over from the target tip, and render the template on a first export
   * (no target tip). Never mutates its inputs; returns `projected` itself when there is nothing to add.
   */
  overlayPreserved(projected: TargetTree, tipTree: TargetTree, isFirstExport: boolean): Promise<TargetTree>;
  /**
   * Write a tree object from entries (one `fast-import` pack; a temporary index for odd modes).
   * With `base` (the commit `tree` was diffed against, and that diff) only the changed paths are
   * written: up to 5000 of them by editing the base's trees along those paths (git/tree-writer.ts,
   * mktree), more through an index seeded with read-tree. Writes objects only, so it may run beside
   * runGates.
   */
  writeTree(tree: TargetTree, base?: { commit: string; diff: TreeDiff }): Promise<string>;
  /** The tree id of a commit (or the empty tree for undefined). */
  treeOf(commit: string | undefined): Promise<string>;
  /**
   * The tree ids of several commits in one git call (remembered for treeOf), or undefined when
   * any of them is missing.
   */
  treesOf(commits: readonly string[]): Promise<string[] | undefined>;
  /** Path-level diff between two target trees. */
  diffTrees(before: TargetTree, after: TargetTree): TreeDiff;
  /**
   * Run the content checks (LFS pointers, symlinks) and the leak gates on one change set. Also fills
   * in `bytes` on `diff.changes`. Any error finding means: do not commit.
   */
  runGates(
    diff: TreeDiff,
    projected: ProjectedTree,
    targetFileCount: number,
    context?: string,
  ): Promise<Finding[]>;
  /**
   * Render the message template for a source commit, trailers included. `links`: the target paths
   * of the exported symlinks in the projection the commit holds (see withTrailers).
   */
  formatMessage(source: SourceCommitInfo, links: Iterable<string>): string;
  /**
   * Add Ferry's trailers to any message (history mode keeps source messages): `Ferry-Origin-Rev:
   * <sourceSha>`, `Ferry-Config: <configHash>`, and the exported symlinks, `links` (the target
   * paths of the symlinks among the selected source entries, preserved paths included), which
   * the next run's incremental path reads instead of listing the tree (tip-state.ts).
   */
  withTrailers(message: string, sourceSha: string, links: Iterable<string>): string;
  /**
   * An object's bytes through the run's one `cat-file --batch` reader on the scratch repository
   * (undefined: absent). Blobs for the gates and attributes, stored commits for the history replay.
   */
  readObject(oid: string): Promise<Buffer | undefined>;
  readSourceCommit(sha: string): Promise<SourceCommitInfo>;
  /**
   * A commit object's raw text (`cat-file commit`), read once per run and commit: the target tip's
   * is read by the rollback check (lastExportedRev) and the incremental paths (tip-state.ts).
   */
  readCommit(sha: string): Promise<string>;
  commit(spec: CommitSpec): Promise<string>;
  /** The last exported source revision found in the target history's trailer (undefined: none). */
  lastExportedRev(targetTip: string | undefined): Promise<string | undefined>;
}

export interface BuildOutcome {
  /** New target tip; undefined when nothing changes (no-op) or when gates stopped the build. */
  tip?: string;
  commits: number;
  /** Net changes from the old target tip to the new tip (or the would-be tip). */
  changes: PathChange[];
  findings: Finding[];
  /** JSON-serialisable extras merged into the result's details. */
  details?: Record<string, unknown>;
}

export type BuildFn = (ctx: ExportBuildContext, targetTip: string | undefined) => Promise<BuildOutcome>;
