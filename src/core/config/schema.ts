/**
 * The JSON Schema for ferry.yml. `schema/ferry.schema.json` is this object, written out so editors
 * (the YAML language server: `# yaml-language-server: $schema=...`) validate configs as people type;
 * a unit test keeps the two identical. The loader validates with this object, so the bundles do not
 * need the JSON file at run time.
 *
 * Custom formats (checked by the loader, ignored by editors): `cron` (5-field cron), `repo-path` and
 * `repo-glob` (relative to the repository root, no `..`, not absolute).
 */
type Schema = Record<string, unknown>;

const str = (description: string, extra: Schema = {}): Schema => ({ type: 'string', description, ...extra });
const bool = (description: string): Schema => ({ type: 'boolean', description });
const num = (description: string, extra: Schema = {}): Schema => ({ type: 'number', description, ...extra });
const int = (description: string, extra: Schema = {}): Schema => ({ type: 'integer', description, ...extra });
const strList = (description: string, format?: string): Schema => ({
  type: 'array',
  description,
  items: format ? { type: 'string', format } : { type: 'string' },
});
const repoPath = (description: string) => str(description, { format: 'repo-path' });
const globs = (description: string) => strList(description, 'repo-glob');
const direction = {
  type: 'string',
  enum: ['pull', 'push', 'bidirectional'],
  description: 'pull: remote → repo; push: repo → remote; bidirectional: both ways.',
};

const verification: Schema = {
  type: 'object',
  description: 'A command run after the target (with --verify) to check its outcome.',
  additionalProperties: false,
  required: ['command'],
  properties: {
    command: str('Shell command, run from the repository root.'),
    expected_min: num('The last number the command prints must be at least this.'),
    expected_max: num('The last number the command prints must be at most this.'),
    expected_exit_code: int('The exit code the command must return (default 0).'),
  },
};

const COMMON: Record<string, Schema> = {
  kind: {
    type: 'string',
    enum: ['command', 'export', 'mirror', 'wiki', 'dirsync'],
    description: 'What the target does (default: command).',
  },
  direction,
  description: str('Human-readable description.'),
  schedule: str('Cron schedule (5 fields, UTC) for the generated workflow.', { format: 'cron' }),
  enabled: bool('Set false to skip the target unless it is named exactly with --target.'),
  commit: bool('Commit changes to declared outputs (pull targets). Default: defaults.commit.'),
  dry_run: bool('Always run this target as a dry run.'),
  fail_on_diff: bool('Fail the target when it changes (or would change) anything.'),
  timeout_minutes: num('Kill the target after this many minutes (default 30).', { exclusiveMinimum: 0 }),
  verification,
};

const tokenEnv = (who: string) =>
  str(`Name of the environment variable holding the token for ${who} (never the token itself).`, {
    pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
  });
const remote = (description: string) => str(description, { minLength: 1 });

const KIND_PROPS: Record<string, { props: Record<string, Schema>; required: string[] }> = {
  command: {
    required: ['entrypoint'],
    props: {
      entrypoint: repoPath('Script to run, relative to the repository root.'),
      args: strList('Arguments passed to the entrypoint.'),
      env: {
        type: 'object',
        description: 'Extra environment variables for the entrypoint.',
        additionalProperties: { type: ['string', 'number', 'boolean'] },
      },
      config: {
        type: 'object',
        description: 'Target-specific settings, passed as FERRY_TARGET_CONFIG (JSON).',
      },
      inputs: globs('Push: files the script publishes. Listed to it in FERRY_INPUTS_FILE.'),
      outputs: globs('Pull: files the script may change. Only these are committed.'),
      commit_message: str('Commit message template ({target}, {direction}).'),
    },
  },
  export: {
    required: ['repo'],
    props: {
      repo: remote('Target repository: owner/name, URL, or local path.'),
      branch: str('Target branch (default main).'),
      allowlist: repoPath('Allowlist file (default public_allowlist.txt).'),
      edition: str('Generate the allowlist from this edition of the manifest (components/editions).'),
      package: str('Custom export: the package name ({package} in repo, map and allowlist).'),
      packages: strList('Custom export: several packages, each reported separately.'),
      allowlist_dir: repoPath('Custom export: directory of custom_package_allowlist*.txt files.'),
      template: repoPath('Custom export: directory rendered into a new target on first export.'),
      map: strList('Path prefix rules FROM=TO ({package} is substituted).'),
      preserve: globs('Target paths kept from the target tip (README, LICENSE, workflows).'),
      mode: { type: 'string', enum: ['snapshot', 'history'], description: 'snapshot (default) or history.' },
      rev: str('Source revision to export (default HEAD).'),
      commit_message: str('Commit message template ({sha}, {short_sha}, {source_repo}, {message}).'),
      force: bool('Force-push (only when you really mean it).'),
      allow_rollback: bool(
        'Export rev even when it is older than the last exported revision (rolls the target back).',
      ),
      max_retries: int('Retries on a push race (default 5).', { minimum: 0 }),
      submodules: {
        type: 'string',
        enum: ['skip', 'keep'],
        description: 'Gitlinks: skip (default) or keep.',
      },
      forbidden: strList('Extra forbidden globs (always win over the allowlist).'),
      secret_scan: bool('Scan added/changed blobs and published commit messages for secrets (default true).'),
      secret_scan_exclude: strList('Globs of source paths the secret scan does not read (e.g. **/tests/**).'),
      secret_baseline: repoPath(
        'Baseline file of accepted secret findings (ferry secrets baseline --write FILE).',
      ),
      import_check: bool('Check that exported files import no unexported module (default true).'),
      max_delete_ratio: num('Refuse an export deleting more than this share of the target (0..1).', {
        minimum: 0,
        maximum: 1,
      }),
      max_delete_share: num('Deprecated spelling of max_delete_ratio (still read, with a warning).', {
        minimum: 0,
        maximum: 1,
      }),
      allow_mass_delete: bool('Allow an export to exceed max_delete_ratio.'),
      allow_mass_delete_commits: strList(
        'History mode: source commit ids (7+ hex digits) whose own deletions may exceed max_delete_ratio.',
      ),
      pull_request: bool('Propose the export through one rolling pull request (docs/pull-requests.md).'),
      pull_request_branch: str('The branch the pull request comes from (default ferry/export/{branch}).'),
      pull_request_title: str('Pull request title ({short_sha}, {sha}, {source_repo}, {branch}).'),
      pull_request_labels: strList('Labels for a new pull request.'),
      pull_request_draft: bool('Open new pull requests as drafts.'),
      token_env: tokenEnv('the target repository'),
    },
  },
  mirror: {
    required: ['a', 'b'],
    props: {
      a: remote('One side: owner/name, URL, or local path.'),
      b: remote('The other side.'),
      branches: strList('Branches to mirror (globs; default main).'),
      tags: str('none (default), all, or a glob of tag names.'),
      on_divergence: { type: 'string', enum: ['issue', 'fail', 'warn'], description: 'Default issue.' },
      issue_repo: str('Repository for divergence issues (default: the current one).'),
      labels: strList('Labels for the divergence issue.'),
      a_token_env: tokenEnv('side a'),
      b_token_env: tokenEnv('side b'),
    },
  },
  wiki: {
    required: ['source'],
    props: {
      source: repoPath('Folder of wiki pages in this repository.'),
      private_wiki: remote('The wiki that gets every page.'),
      public_wiki: remote('The wiki that gets the allowlisted pages.'),
      public_allowlist: repoPath('Allowlist of public pages (default wiki_public_allowlist.txt).'),
      home: str('File that becomes Home.md (default README.md).'),
      private_links: {
        type: 'string',
        enum: ['fail', 'text'],
        description: 'Public links to private pages.',
      },
      commit_message: str('Commit message template.'),
      forbidden: strList("Extra forbidden globs for the public wiki's pages and assets."),
      secret_scan_exclude: strList('Globs of wiki files the secret scan does not read.'),
      secret_baseline: repoPath(
        'Baseline file of accepted secret findings (ferry secrets baseline --write FILE).',
      ),
      token_env: tokenEnv('the wikis'),
    },
  },
  dirsync: {
    required: ['a', 'b'],
    props: {
      a: str('The shared side, e.g. a mounted network drive (absolute, or relative to the repository root).'),
      b: str('The local side, e.g. a staging folder. pull is a → b, push is b → a.'),
      state: repoPath('State file (default: <b>/.ferry-dirsync-state.json).'),
      conflict: {
        type: 'string',
        enum: ['fail', 'keep-both', 'newer', 'prefer-a', 'prefer-b'],
        description: 'Conflict policy (default keep-both).',
      },
      ignore: strList('Globs to ignore.'),
      create_missing_side: bool(
        'A side that is missing (or lost almost every file the last sync saw) is new: create it and fill it from the other side; nothing is deleted.',
      ),
      allow_mass_delete: bool(
        'Let a side that lost almost every file the last sync saw delete those files on the other side too.',
      ),
    },
  },
};

/** Per kind: the common target keys plus the kind's own, nothing else (so typos are caught). */
function targetSchema(): Schema {
  return {
    type: 'object',
    description: 'One sync target.',
    properties: { kind: COMMON.kind },
    allOf: Object.entries(KIND_PROPS).map(([kind, def]) => ({
      if:
        kind === 'command'
          ? { properties: { kind: { const: 'command' } } }
          : { required: ['kind'], properties: { kind: { const: kind } } },
      then: {
        additionalProperties: false,
        required: def.required,
        properties: { ...COMMON, ...def.props },
      },
    })),
  };
}

const check: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'command'],
  properties: {
    name: str('Shown in logs and the report.'),
    command: str('Shell command, run from the repository root.'),
    expected_exit_code: int('Exit code that means pass (default 0).'),
    skip_on_pull: bool('Skip when the run only has pull targets.'),
    skip_on_push: bool('Skip when the run only has push targets.'),
  },
};

const driftGate: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'command'],
  properties: {
    name: str('Shown in logs and the report.'),
    command: str('Shell command printing a number (the last number printed counts).'),
    min_value: num('Fail when the number is below this.'),
    max_value: num('Fail when the number is above this.'),
  },
};

export const FERRY_SCHEMA: Schema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://ferry.invalid/schema/ferry.schema.json',
  title: 'ferry.yml',
  description: 'Ferry config-driven runner: every sync target of a repository, with its direction.',
  type: 'object',
  additionalProperties: false,
  required: ['version', 'targets'],
  properties: {
    version: {
      type: ['string', 'number'],
      enum: ['1', '1.0', 1],
      description: 'Config format version: "1".',
    },
    defaults: {
      type: 'object',
      additionalProperties: false,
      properties: {
        direction,
        dry_run: bool('Run every target as a dry run.'),
        fail_on_diff: bool('Fail targets that change anything.'),
        commit: bool('Commit pull targets’ declared outputs (default true).'),
        push: bool('Push the commits made by pull targets to the checked-out branch (default false).'),
        commit_message: str('Default commit message template ({target}, {direction}).'),
      },
    },
    targets: {
      type: 'object',
      description: 'Targets by name (letters, digits, _ . -).',
      minProperties: 1,
      propertyNames: { pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' },
      additionalProperties: targetSchema(),
    },
    safety: {
      type: 'object',
      additionalProperties: false,
      properties: {
        secret_patterns: strList(
          'Regexes of environment variable names whose values never appear in output.',
        ),
        pre_sync_checks: { type: 'array', items: check },
        post_sync_checks: { type: 'array', items: check },
        drift_gates: { type: 'array', items: driftGate },
      },
    },
    components: {
      type: 'object',
      description: 'Manifest components: name → list of globs.',
      additionalProperties: strList('Globs of this component.'),
    },
    editions: {
      type: 'object',
      description: 'Manifest editions: name → { components, extends, exclude }.',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          components: strList('Components in this edition.'),
          extends: strList('Editions this one builds on.'),
          exclude: strList('Globs excluded from this edition.'),
        },
      },
    },
    workflows: {
      type: 'object',
      description: 'Settings for `ferry workflows`.',
      additionalProperties: false,
      properties: {
        uses: str('The Ferry action reference used in generated workflows.'),
        runs_on: str('runs-on for generated workflows (default ubuntu-latest).'),
        branches: strList('Branches whose pushes trigger export workflows (default main).'),
      },
    },
  },
};
