import * as path from 'node:path';
import { runCustomExports } from '../../export/custom.js';
import { runExport } from '../../export/index.js';
import { resolveExportSettings } from '../../export/settings.js';
import { combineResults, remoteSpec, tokenFor } from './combine.js';
import type { KindAdapter } from './types.js';

/** ferry.yml keys of an export target that are not the action input in snake_case. */
export const EXPORT_KEYS = {
  'target-repo': 'repo',
  'forbidden-paths': 'forbidden',
  token: 'token_env',
} as const;

/**
 * The `export` kind: the export engine (sync-to-public), or per-package exports (sync-to-custom),
 * through the same resolver as the actions and the CLI.
 */
export const runExportTarget: KindAdapter<'export'> = async (ctx) => {
  const o = ctx.target.options;
  const inRepo = (p: string | undefined) => (p === undefined ? undefined : path.join(ctx.root, p));
  const token = tokenFor(ctx, o.token_env);
  const services = { pullRequests: ctx.pullRequests?.(token) };
  const settings = resolveExportSettings({
    source: ctx.root,
    rev: o.rev,
    target: remoteSpec(ctx, o.repo),
    branch: o.branch,
    allowlist: inRepo(o.allowlist ?? 'public_allowlist.txt'),
    map: o.map,
    preserve: o.preserve,
    messageTemplate: o.commit_message,
    dryRun: ctx.dryRun,
    force: o.force,
    allowRollback: o.allow_rollback,
    maxRetries: o.max_retries,
    mode: o.mode,
    history: o.allow_mass_delete_commits
      ? { allowMassDeleteCommits: o.allow_mass_delete_commits }
      : undefined,
    submodules: o.submodules,
    token,
    serverUrl: ctx.env.GITHUB_SERVER_URL,
    templateDir: inRepo(o.template),
    sourceRepo: ctx.env.GITHUB_REPOSITORY,
    forbiddenPaths: o.forbidden,
    secretScan: o.secret_scan,
    secretScanExclude: o.secret_scan_exclude,
    secretBaseline: inRepo(o.secret_baseline),
    importCheck: o.import_check,
    maxDeleteRatio: o.max_delete_ratio,
    allowMassDelete: o.allow_mass_delete,
    pullRequest: o.pull_request,
    pullRequestBranch: o.pull_request_branch,
    pullRequestTitle: o.pull_request_title,
    pullRequestLabels: o.pull_request_labels,
    pullRequestDraft: o.pull_request_draft,
  });
  const packages = o.packages ?? (o.package ? [o.package] : undefined);
  if (packages) {
    const parts = await runCustomExports(
      { ...settings, allowlistFile: undefined },
      { packages, allowlistDir: inRepo(o.allowlist_dir ?? '.')! },
      ctx.logger,
      services,
    );
    return combineResults(ctx, parts);
  }
  return combineResults(ctx, [
    await runExport({ ...settings, label: ctx.target.name }, ctx.logger, services),
  ]);
};
