/**
 * Every action's inputs and outputs, in one place (as actions/cache keeps its constants.ts).
 * Each input says how it is read (input-helper.ts); an action reads exactly the inputs listed here,
 * all at once, and a test checks each table against the action's action.yml.
 *
 * Input types: `string` (trimmed), `text` (as written: messages, templates), `secret` (masked the
 * moment it is read; undefined when empty), `bool` (false when empty), `optionalBool` (undefined
 * when empty: the engine's default applies), `list` (one a line or comma-separated), `lines` (one a
 * line; commas belong to the value, as in regexes).
 */
export type InputType = 'string' | 'text' | 'secret' | 'bool' | 'optionalBool' | 'list' | 'lines';

export interface InputSpec {
  readonly name: string;
  readonly type: InputType;
}

const input = <T extends InputType>(name: string, type: T) => ({ name, type }) as const;

/** Inputs shared by sync-to-public and sync-to-custom (the export engine's settings). */
const EXPORT_INPUTS = {
  targetRepo: input('target-repo', 'string'),
  branch: input('branch', 'string'),
  source: input('source', 'string'),
  rev: input('rev', 'string'),
  preserve: input('preserve', 'list'),
  map: input('map', 'list'),
  commitMessage: input('commit-message', 'text'),
  token: input('token', 'secret'),
  sshKey: input('ssh-key', 'secret'),
  sshKnownHosts: input('ssh-known-hosts', 'text'),
  dryRun: input('dry-run', 'bool'),
  force: input('force', 'bool'),
  allowRollback: input('allow-rollback', 'bool'),
  maxRetries: input('max-retries', 'string'),
  mode: input('mode', 'string'),
  since: input('since', 'string'),
  scrubLines: input('scrub-lines', 'lines'),
  scrubMessages: input('scrub-messages', 'lines'),
  scrubTemplate: input('scrub-template', 'text'),
  authorMap: input('author-map', 'string'),
  keepMerges: input('keep-merges', 'bool'),
  allowMassDeleteCommits: input('allow-mass-delete-commits', 'list'),
  submodules: input('submodules', 'string'),
  lfs: input('lfs', 'string'),
  committerName: input('committer-name', 'string'),
  committerEmail: input('committer-email', 'string'),
  forbiddenPaths: input('forbidden-paths', 'list'),
  secretPatterns: input('secret-patterns', 'lines'),
  allowedSecretFingerprints: input('allowed-secret-fingerprints', 'list'),
  secretScan: input('secret-scan', 'optionalBool'),
  secretScanExclude: input('secret-scan-exclude', 'list'),
  secretBaseline: input('secret-baseline', 'string'),
  importCheck: input('import-check', 'optionalBool'),
  maxDeleteRatio: input('max-delete-ratio', 'string'),
  allowMassDelete: input('allow-mass-delete', 'bool'),
  pullRequest: input('pull-request', 'bool'),
  pullRequestBranch: input('pull-request-branch', 'string'),
  pullRequestTitle: input('pull-request-title', 'text'),
  pullRequestLabels: input('pull-request-labels', 'list'),
  pullRequestDraft: input('pull-request-draft', 'bool'),
  reportPath: input('report-path', 'string'),
} as const;

export const SYNC_TO_PUBLIC = {
  inputs: { ...EXPORT_INPUTS, allowlist: input('allowlist', 'string') },
  outputs: {
    changed: 'changed',
    commitSha: 'commit-sha',
    filesAdded: 'files-added',
    filesModified: 'files-modified',
    filesDeleted: 'files-deleted',
    pullRequestNumber: 'pull-request-number',
    pullRequestUrl: 'pull-request-url',
    pullRequestOperation: 'pull-request-operation',
    reportPath: 'report-path',
  },
} as const;

export const SYNC_TO_CUSTOM = {
  inputs: {
    ...EXPORT_INPUTS,
    package: input('package', 'list'),
    packages: input('packages', 'list'),
    allowlistDir: input('allowlist-dir', 'string'),
    packageAllowlist: input('package-allowlist', 'string'),
    genericAllowlist: input('generic-allowlist', 'string'),
    template: input('template', 'string'),
  },
  outputs: SYNC_TO_PUBLIC.outputs,
} as const;

export const SYNC_WIKIS = {
  inputs: {
    source: input('source', 'string'),
    rev: input('rev', 'string'),
    privateWiki: input('private-wiki', 'string'),
    publicWiki: input('public-wiki', 'string'),
    publicAllowlist: input('public-allowlist', 'string'),
    token: input('token', 'secret'),
    privateToken: input('private-token', 'secret'),
    publicToken: input('public-token', 'secret'),
    home: input('home', 'string'),
    direction: input('direction', 'string'),
    unpublishedLinks: input('unpublished-links', 'string'),
    dryRun: input('dry-run', 'bool'),
    syncBackBranch: input('sync-back-branch', 'string'),
    commitMessage: input('commit-message', 'text'),
    wikiBranch: input('wiki-branch', 'string'),
    // The public wiki's leak gates, named as the export's.
    forbiddenPaths: input('forbidden-paths', 'list'),
    allowedSecretFingerprints: input('allowed-secret-fingerprints', 'list'),
    secretScanExclude: input('secret-scan-exclude', 'list'),
    secretBaseline: input('secret-baseline', 'string'),
    reportPath: input('report-path', 'string'),
  },
  outputs: {
    privateChanged: 'private-changed',
    publicChanged: 'public-changed',
    privatePages: 'private-pages',
    publicPages: 'public-pages',
    conflicts: 'conflicts',
    syncBackBranch: 'sync-back-branch',
    syncBackCommit: 'sync-back-commit',
    reportPath: 'report-path',
  },
} as const;

export const BILATERAL_MIRROR = {
  inputs: {
    repoA: input('repo-a', 'string'),
    repoB: input('repo-b', 'string'),
    tokenA: input('token-a', 'secret'),
    tokenB: input('token-b', 'secret'),
    sshKeyA: input('ssh-key-a', 'secret'),
    sshKeyB: input('ssh-key-b', 'secret'),
    sshKnownHosts: input('ssh-known-hosts', 'text'),
    branches: input('branches', 'list'),
    tags: input('tags', 'string'),
    onDivergence: input('on-divergence', 'string'),
    issueRepo: input('issue-repo', 'string'),
    issueLabels: input('issue-labels', 'list'),
    githubToken: input('github-token', 'secret'),
    dryRun: input('dry-run', 'bool'),
    maxListedCommits: input('max-listed-commits', 'string'),
    reportPath: input('report-path', 'string'),
  },
  outputs: {
    results: 'results',
    diverged: 'diverged',
    changed: 'changed',
    issueNumber: 'issue-number',
    issueUrl: 'issue-url',
    reportPath: 'report-path',
  },
} as const;

/** import-pull-request: a public pull request back into the private repository (src/core/import). */
export const IMPORT_PULL_REQUEST = {
  inputs: {
    publicRepo: input('public-repo', 'string'),
    pullRequest: input('pull-request', 'string'),
    label: input('label', 'string'),
    source: input('source', 'string'),
    privateRepo: input('private-repo', 'string'),
    baseBranch: input('base-branch', 'string'),
    allowlist: input('allowlist', 'string'),
    map: input('map', 'list'),
    preserve: input('preserve', 'list'),
    exportTarget: input('export-target', 'string'),
    config: input('config', 'string'),
    openPullRequest: input('open-pull-request', 'bool'),
    token: input('token', 'secret'),
    dryRun: input('dry-run', 'bool'),
    committerName: input('committer-name', 'string'),
    committerEmail: input('committer-email', 'string'),
    maxRetries: input('max-retries', 'string'),
    forbiddenPaths: input('forbidden-paths', 'list'),
    secretPatterns: input('secret-patterns', 'lines'),
    allowedSecretFingerprints: input('allowed-secret-fingerprints', 'list'),
    secretScan: input('secret-scan', 'optionalBool'),
    reportPath: input('report-path', 'string'),
  },
  outputs: {
    imported: 'imported',
    status: 'status',
    branch: 'branch',
    commitSha: 'commit-sha',
    pullRequestUrl: 'private-pull-request-url',
    reportPath: 'report-path',
  },
} as const;

/** The root action: ferry.yml through the runner. */
export const RUN = {
  inputs: {
    config: input('config', 'string'),
    target: input('target', 'list'),
    direction: input('direction', 'string'),
    dryRun: input('dry-run', 'bool'),
    verify: input('verify', 'bool'),
    reportPath: input('report-path', 'string'),
    token: input('token', 'secret'),
    workingDirectory: input('working-directory', 'string'),
  },
  outputs: {
    success: 'success',
    reportPath: 'report-path',
    report: 'report',
    totalTargets: 'total-targets',
    successful: 'successful',
    failed: 'failed',
    changedTargets: 'changed-targets',
  },
} as const;

/** Each action by the folder its action.yml lives in ('.' is the root action). */
export const ACTIONS = {
  '.': RUN,
  'sync-to-public': SYNC_TO_PUBLIC,
  'sync-to-custom': SYNC_TO_CUSTOM,
  'sync-wikis': SYNC_WIKIS,
  'bilateral-mirror': BILATERAL_MIRROR,
  'import-pull-request': IMPORT_PULL_REQUEST,
} as const;
