import type { FerryConfig, TargetConfig } from '../config/types.js';
import { errorMessage, isExpectedError } from '../errors.js';
import { GitCommandManager } from '../git/git-command-manager.js';
import { registerSecret } from '../git/secrets.js';
import { registerCredentialEnv } from '../settings/token.js';
import { withGroup, type Logger } from '../logger.js';
import { failResult, newResult, type Direction, type TargetResult } from '../report/result.js';
import { runCheck, runDriftGate, runVerification, type CheckResult } from './checks.js';
import { pushFailureMessage, pushPullCommits } from './push-commits.js';
import { runKind } from './kinds/index.js';
import type { DivergenceIssueFactory, PullRequestApiForToken } from './kinds/types.js';
import { selectTargets, type Selection } from './select.js';

export interface RunOptions extends Selection {
  dryRun?: boolean;
  verify?: boolean;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
  progress?: (message: string) => void;
  divergenceIssues?: DivergenceIssueFactory;
  pullRequests?: PullRequestApiForToken;
}

export interface RunOutcome {
  config: FerryConfig;
  results: TargetResult[];
  checks: CheckResult[];
  success: boolean;
  dryRun: boolean;
}

/**
 * The runner: pre-sync checks, then every selected target in turn (a failing target does not stop
 * the others), then the push of pull commits (when configured), post-sync checks and drift gates.
 * The run fails at the end when anything failed.
 */
export async function runConfig(cfg: FerryConfig, opts: RunOptions): Promise<RunOutcome> {
  const { logger } = opts;
  const env = opts.env ?? process.env;
  const targets = selectTargets(cfg, opts);
  const dryRun = opts.dryRun === true || cfg.defaults.dry_run;
  protectSecrets(cfg, env);
  for (const w of cfg.warnings) logger.warning(w.message, w.where);
  const shell = { cwd: cfg.root, env, timeoutMs: 30 * 60_000 };
  const directions = [...new Set(targets.map((t) => t.direction))] as Direction[];
  const checks: CheckResult[] = [];

  for (const c of cfg.safety.pre_sync_checks) {
    const r = await withGroup(logger, `pre-sync check: ${c.name}`, () =>
      runCheck(c, 'pre-sync', directions, shell),
    );
    logCheck(logger, r);
    checks.push(r);
  }
  const blocked = checks.find((c) => !c.success);
  const results: TargetResult[] = [];
  for (const [i, t] of targets.entries()) {
    if (blocked) {
      const r = newResult(t.name, t.kind, dryRun || t.dry_run);
      r.direction = t.direction;
      results.push(failResult(r, `not run: pre-sync check '${blocked.name}' failed (${blocked.message})`));
      continue;
    }
    opts.progress?.(`[${i + 1}/${targets.length}] ${t.name} (${t.kind}, ${t.direction})`);
    results.push(
      await withGroup(
        logger,
        `${t.name} (${t.kind}, ${t.direction}${dryRun || t.dry_run ? ', dry run' : ''})`,
        () => runTarget(cfg, t, { ...opts, dryRun: dryRun || t.dry_run, env }),
      ),
    );
  }
  if (!blocked && dryRun) {
    // Post-sync checks and drift gates judge what a sync produced; a dry run produced nothing.
    for (const c of [...cfg.safety.post_sync_checks, ...cfg.safety.drift_gates])
      checks.push({
        name: c.name,
        phase: 'expected_exit_code' in c ? 'post-sync' : 'drift-gate',
        success: true,
        skipped: true,
        message: 'dry run: nothing was synced to check',
        exit_code: null,
        value: null,
        duration: 0,
        file: c.where.file,
        line: c.where.line,
      });
  } else if (!blocked) {
    if (cfg.defaults.push && !dryRun && results.some((r) => r.kind === 'command' && r.commit))
      checks.push(await pushCommits(cfg, env, logger));
    for (const c of cfg.safety.post_sync_checks) {
      const r = await withGroup(logger, `post-sync check: ${c.name}`, () =>
        runCheck(c, 'post-sync', directions, shell),
      );
      logCheck(logger, r);
      checks.push(r);
    }
    for (const g of cfg.safety.drift_gates) {
      const r = await withGroup(logger, `drift gate: ${g.name}`, () => runDriftGate(g, shell));
      logCheck(logger, r);
      checks.push(r);
    }
  }
  return {
    config: cfg,
    results,
    checks,
    dryRun,
    success: results.every((r) => r.success) && checks.every((c) => c.success),
  };
}

async function runTarget(
  cfg: FerryConfig,
  t: TargetConfig,
  opts: RunOptions & { dryRun: boolean; env: NodeJS.ProcessEnv },
): Promise<TargetResult> {
  const t0 = performance.now();
  // Interactive terminals get a heartbeat on long steps; CI logs have the script's own output.
  const heartbeat = opts.progress
    ? setInterval(
        () => opts.progress!(`${t.name}: still running (${Math.round((performance.now() - t0) / 1000)} s)`),
        15_000,
      )
    : undefined;
  let r: TargetResult;
  try {
    r = await runKind({
      config: cfg,
      target: t,
      root: cfg.root,
      dryRun: opts.dryRun,
      logger: opts.logger,
      env: opts.env,
      progress: opts.progress,
      divergenceIssues: opts.divergenceIssues,
      pullRequests: opts.pullRequests,
    });
  } catch (e) {
    r = newResult(t.name, t.kind, opts.dryRun);
    // The runner is the top of its targets: a bad target never stops the others, so even a bug
    // becomes a failed result here, with its stack in the log (the run still exits 1).
    if (isExpectedError(e)) failResult(r, errorMessage(e));
    else {
      opts.logger.error(
        `internal error in target '${t.name}': ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
      );
      failResult(r, `internal error: ${errorMessage(e).split('\n')[0]}`, [
        { severity: 'error', code: 'internal-error', message: 'a bug in Ferry: the stack is in the log' },
      ]);
    }
  }
  // The report speaks the config's words: the target's name and direction (adapters keep its kind:
  // an engine result of another kind sits in `parts`).
  r.target = t.name;
  r.direction = t.direction;
  if (r.success && t.fail_on_diff && r.changed)
    failResult(
      r,
      `${r.message ? `${r.message}; ` : ''}fail_on_diff is set and the target ${r.dryRun ? 'would change' : 'changed'}`,
    );
  if (opts.verify && t.verification) {
    if (!r.success) r.verificationPassed = null;
    else {
      const v = await runVerification(t, t.verification, {
        cwd: cfg.root,
        env: opts.env,
        timeoutMs: t.timeout_minutes * 60_000,
      });
      r.verificationPassed = v.passed;
      r.verification = v;
      if (v.passed) opts.logger.info(v.message);
      else if (opts.dryRun)
        // A dry run changed nothing, so verification judges the current state: report, don't fail.
        r.findings.push({
          severity: 'warning',
          code: 'verification',
          message: `${v.message} (dry run: current state)`,
          file: t.where.file,
          line: t.where.line,
        });
      else failResult(r, `${r.message ? `${r.message}; ` : ''}${v.message}`);
    }
  }
  if (heartbeat) clearInterval(heartbeat);
  r.durationMs = Math.round(performance.now() - t0);
  const line = `${t.name}: ${r.success ? 'ok' : 'FAILED'}${r.message ? `: ${r.message}` : ''}`;
  if (r.success) opts.logger.info(line);
  else opts.logger.error(line, { file: t.where.file, line: t.where.line });
  return r;
}

/**
 * Values of environment variables named by safety.secret_patterns, and of the token variables the
 * targets name (`token_env`, `a_token_env`, ...), never appear in output: registered before any
 * target runs, so a command target that prints one shows ***.
 */
function protectSecrets(cfg: FerryConfig, env: NodeJS.ProcessEnv): void {
  const res = cfg.safety.secret_patterns.map((p) => new RegExp(`^(?:${p})$`, 'i'));
  for (const [k, v] of Object.entries(env)) if (v && res.some((re) => re.test(k))) registerSecret(v);
  for (const t of cfg.targets)
    for (const [key, name] of Object.entries(t.options))
      if (key.endsWith('token_env') && typeof name === 'string') registerSecret(env[name]);
  registerCredentialEnv(env);
}

/** Push what the pull targets committed to the checked-out branch (defaults.push). Never forced. */
async function pushCommits(cfg: FerryConfig, env: NodeJS.ProcessEnv, logger: Logger): Promise<CheckResult> {
  const t0 = performance.now();
  const base = {
    name: 'push commits',
    phase: 'post-sync' as const,
    skipped: false,
    exit_code: null,
    value: null,
    file: cfg.file,
    line: 1,
  };
  const git = new GitCommandManager(cfg.root, { env: env as Record<string, string>, logger });
  const duration = () => (performance.now() - t0) / 1000;
  try {
    const p = await pushPullCommits(git, logger);
    const rebuilt = p.localBehind
      ? ' (origin had moved: rebuilt on its tip; the checkout kept local changes and is behind, git pull)'
      : ' (origin had moved: rebuilt on its tip)';
    return {
      ...base,
      success: true,
      message: `pushed to origin/${p.branch}${p.rebuilt ? rebuilt : ''}`,
      duration: duration(),
    };
  } catch (e) {
    return { ...base, success: false, message: pushFailureMessage(e), duration: duration() };
  }
}

function logCheck(logger: Logger, c: CheckResult): void {
  const msg = `${c.phase} '${c.name}': ${c.skipped ? 'skipped' : c.success ? 'passed' : 'FAILED'} (${c.message})`;
  if (c.success) logger.info(msg);
  else logger.error(msg, { file: c.file, line: c.line });
}
