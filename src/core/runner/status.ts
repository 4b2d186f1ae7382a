import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { compileAllowlist } from '../allowlist/matcher.js';
import { generateAllowlist, parseManifest } from '../allowlist/manifest.js';
import type { FerryConfig, TargetConfig, TargetKind, TargetOf } from '../config/types.js';
import { errorMessage, isExpectedError } from '../errors.js';
import { createGitAuth } from '../git/git-auth-helper.js';
import { GitCommandManager } from '../git/git-command-manager.js';
import { resolveRemote } from '../git/remote.js';
import { FERRY_TRAILERS, findTrailerCommit } from '../git/trailers.js';
import { fetchRefs, lsRemote } from '../git/transport.js';
import type { Logger } from '../logger.js';
import { renderTemplate } from '../util/placeholders.js';
import { failResult, newResult, type Finding, type ResultOf } from '../report/result.js';
import { lookupToken } from '../settings/token.js';

type StatusResult = ResultOf<'status'>;
import { exportAllowlistRules, workflowFile } from './workflows.js';

/**
 * `ferry status`: drift per target, as TargetResults (changed = drifted, findings say why):
 * - export: source commits not yet exported, counted from the newest `Ferry-Origin-Rev:` trailer
 *   on the target branch (only commits touching allowlisted paths count as unexported);
 * - mirror: ahead/behind per branch;
 * - a generated allowlist (export target with `edition`) that no longer matches the manifest;
 * - a workflow whose schedule disagrees with the config.
 * Read-only, apart from temporary refs under refs/ferry/status/ that are removed again.
 */
export async function statusOf(
  cfg: FerryConfig,
  targets: readonly TargetConfig[],
  logger: Logger,
  env = process.env,
): Promise<StatusResult[]> {
  const out: StatusResult[] = [];
  for (const t of targets) {
    const t0 = performance.now();
    const r = newResult(t.name, 'status', false);
    r.direction = t.direction;
    r.details = { targetKind: t.kind };
    const drift: Finding[] = [];
    try {
      if (t.kind === 'export')
        drift.push(...(await exportDrift({ cfg, t, r, env, logger })), ...(await allowlistDrift(cfg, t)));
      if (t.kind === 'mirror') drift.push(...(await mirrorDrift({ cfg, t, r, env, logger })));
      drift.push(...(await scheduleDrift(cfg, t)));
      r.findings.push(...drift);
      r.changed = drift.length > 0;
      r.message = drift.length ? drift.map((d) => d.message).join('; ') : 'in sync';
    } catch (e) {
      // A remote that refuses or a config mistake leaves this target's status unknown: a failed
      // result (the CLI exits 1). A bug is not a status: it goes up with its stack.
      if (!isExpectedError(e)) throw e;
      failResult(r, `status unknown: ${errorMessage(e)}`);
    }
    r.durationMs = Math.round(performance.now() - t0);
    out.push(r);
  }
  return out;
}

const finding = (code: string, message: string, t: TargetConfig): Finding => ({
  severity: 'warning',
  code,
  message,
  file: t.where.file,
  line: t.where.line,
});

async function authFor(tokenEnv: string | undefined, env: NodeJS.ProcessEnv) {
  // The same lookup as `ferry run`, so status authenticates wherever the run does.
  const token = lookupToken(env, { named: tokenEnv });
  return createGitAuth({ token, serverUrl: env.GITHUB_SERVER_URL });
}

/** Fetch one remote branch into a temporary ref; returns the ref, or undefined when the branch is missing. */
async function fetchTemp(
  git: GitCommandManager,
  url: string,
  branch: string,
  tempRef: string,
  logger: Logger,
): Promise<string | undefined> {
  const refs = await lsRemote(git, url, [`refs/heads/${branch}`], { logger });
  if (!refs.has(`refs/heads/${branch}`)) return undefined;
  await fetchRefs(git, url, [`+refs/heads/${branch}:${tempRef}`], { logger });
  return tempRef;
}

/** One target's drift check: its config, the result it fills in, and where it runs. */
interface DriftCheck<K extends TargetKind> {
  cfg: FerryConfig;
  t: TargetOf<K>;
  r: StatusResult;
  env: NodeJS.ProcessEnv;
  logger: Logger;
}

/** Per package for custom exports ({package} in repo), else the one target repo. */
async function exportDrift(d: DriftCheck<'export'>): Promise<Finding[]> {
  const o = d.t.options;
  const packages = o.packages ?? (o.package ? [o.package] : []);
  if (!packages.length) return exportRepoDrift(d, o.repo);
  const out: Finding[] = [];
  for (const pkg of packages) {
    const part = newResult(pkg, 'status', false);
    const found = await exportRepoDrift(
      { ...d, r: part },
      renderTemplate(o.repo, { package: pkg }, 'repo'),
      false,
    );
    out.push(...found.map((f) => ({ ...f, message: `${pkg}: ${f.message}` })));
    for (const [k, v] of Object.entries(part.counts)) d.r.counts[k] = (d.r.counts[k] ?? 0) + v;
  }
  return out;
}

async function exportRepoDrift(
  { cfg, t, r, env, logger }: DriftCheck<'export'>,
  repo: string,
  filterByAllowlist = true,
): Promise<Finding[]> {
  const local = path.join(cfg.root, repo);
  const isUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(repo);
  const url = resolveRemote(!isUrl && existsSync(local) ? local : repo, env.GITHUB_SERVER_URL || undefined);
  const branch = t.options.branch ?? 'main';
  const auth = await authFor(t.options.token_env, env);
  const git = new GitCommandManager(cfg.root, { env: auth.env, logger });
  const tempRef = `refs/ferry/status/${t.name}/${r.target}`;
  try {
    const ref = await fetchTemp(git, url, branch, tempRef, logger);
    const head = await git.revParse('HEAD');
    if (!ref) {
      r.counts.unexported = Number(await git.exec(['rev-list', '--count', head]));
      return [finding('never-exported', `target branch ${branch} does not exist yet: nothing exported`, t)];
    }
    // The same search as the export's (git/trailers.ts), so both name the same last export.
    const origin = (await findTrailerCommit(git, ref, 'originRev', { logger }))?.value;
    if (!origin)
      return [
        finding(
          'no-origin-trailer',
          `no ${FERRY_TRAILERS.originRev.key} trailer on ${branch}: not exported by Ferry yet`,
          t,
        ),
      ];
    r.details = { targetKind: t.kind, lastExported: origin };
    if (!(await git.tryRevParse(origin)))
      return [
        finding(
          'origin-unknown',
          `last exported revision ${origin.slice(0, 12)} is not in this clone (shallow? use fetch-depth: 0)`,
          t,
        ),
      ];
    const log = await git.exec(['log', '--format=%x01%H', '--name-only', '-z', `${origin}..${head}`]);
    const { rules } = filterByAllowlist ? await exportAllowlistRules(cfg, t) : { rules: [] };
    const m = rules.length ? compileAllowlist(rules) : undefined;
    let total = 0;
    let relevant = 0;
    for (const rec of log.split('\x01').filter((s) => s.trim())) {
      total++;
      const files = rec
        .slice(40)
        .split(/[\0\n]/)
        .filter(Boolean);
      if (!m || files.some((f) => m.selects(f))) relevant++;
    }
    r.counts.unexported = relevant;
    r.counts.commits_since_export = total;
    return relevant
      ? [
          finding(
            'unexported-commits',
            `${relevant} source commit(s) since ${origin.slice(0, 7)} touch exported paths and are not exported yet`,
            t,
          ),
        ]
      : [];
  } finally {
    await git.tryExec(['update-ref', '-d', tempRef]);
    await auth.cleanup();
  }
}

async function mirrorDrift({ cfg, t, r, env, logger }: DriftCheck<'mirror'>): Promise<Finding[]> {
  const out: Finding[] = [];
  const branches = t.options.branches ?? ['main'];
  const a = resolveRemote(t.options.a, env.GITHUB_SERVER_URL || undefined);
  const b = resolveRemote(t.options.b, env.GITHUB_SERVER_URL || undefined);
  const authA = await authFor(t.options.a_token_env, env);
  const authB = await authFor(t.options.b_token_env, env);
  const gitA = new GitCommandManager(cfg.root, { env: authA.env, logger });
  const gitB = new GitCommandManager(cfg.root, { env: authB.env, logger });
  const table: { branch: string; ahead?: number; behind?: number; note?: string }[] = [];
  try {
    for (const br of branches) {
      if (/[*?[{]/.test(br)) {
        table.push({ branch: br, note: 'glob: not expanded by status' });
        continue;
      }
      const ra = await fetchTemp(gitA, a, br, `refs/ferry/status/${t.name}/a/${br}`, logger);
      const rb = await fetchTemp(gitB, b, br, `refs/ferry/status/${t.name}/b/${br}`, logger);
      if (!ra || !rb) {
        table.push({ branch: br, note: `missing on ${!ra ? 'a' : 'b'}` });
        out.push(finding('mirror-missing-branch', `branch ${br} is missing on side ${!ra ? 'a' : 'b'}`, t));
        continue;
      }
      const [ahead, behind] = (await gitA.exec(['rev-list', '--left-right', '--count', `${ra}...${rb}`]))
        .split(/\s+/)
        .map(Number);
      table.push({ branch: br, ahead, behind });
      r.counts.ahead = (r.counts.ahead ?? 0) + ahead;
      r.counts.behind = (r.counts.behind ?? 0) + behind;
      if (ahead || behind)
        out.push(
          finding(
            ahead && behind ? 'mirror-diverged' : 'mirror-out-of-sync',
            `${br}: a is ${ahead} ahead and ${behind} behind b`,
            t,
          ),
        );
    }
  } finally {
    for (const br of branches)
      for (const side of ['a', 'b'])
        await gitA.tryExec(['update-ref', '-d', `refs/ferry/status/${t.name}/${side}/${br}`]);
    await authA.cleanup();
    await authB.cleanup();
  }
  r.details = { targetKind: t.kind, branches: table };
  return out;
}

/** An export target's allowlist generated from the manifest (edition) must match the manifest today. */
async function allowlistDrift(cfg: FerryConfig, t: TargetOf<'export'>): Promise<Finding[]> {
  const { edition, allowlist } = t.options;
  if (edition === undefined || allowlist === undefined) return [];
  const manifest = parseManifest(
    stringifyYaml({ components: cfg.components ?? {}, editions: cfg.editions ?? {} }),
    cfg.file,
  );
  const want = generateAllowlist(manifest, edition, cfg.file);
  const file = path.join(cfg.root, allowlist);
  const have = existsSync(file) ? await fs.readFile(file, 'utf8') : undefined;
  if (have === want) return [];
  return [
    finding(
      'stale-allowlist',
      `${allowlist} ${have === undefined ? 'is missing' : 'is stale'}: regenerate it with ferry allowlist generate --manifest ${cfg.file} --edition ${edition} --write ${allowlist}`,
      t,
    ),
  ];
}

/** The checked-in workflow for the target must run on the configured schedule. */
async function scheduleDrift(cfg: FerryConfig, t: TargetConfig): Promise<Finding[]> {
  const file = workflowFile(t.name);
  const abs = path.join(cfg.root, file);
  if (!existsSync(abs))
    return t.schedule
      ? [
          finding(
            'workflow-missing',
            `no ${file} runs the schedule '${t.schedule}' (run ferry workflows --write)`,
            t,
          ),
        ]
      : [];
  const wf = parseYaml(await fs.readFile(abs, 'utf8')) as { on?: { schedule?: { cron?: string }[] } } | null;
  const crons = (wf?.on?.schedule ?? []).map((s) => s.cron).filter(Boolean);
  const want = t.schedule ? [t.schedule] : [];
  if (JSON.stringify([...crons].sort()) === JSON.stringify(want)) return [];
  return [
    finding(
      'workflow-schedule',
      `${file} runs on [${crons.join(', ') || 'no schedule'}] but the config says ${t.schedule ? `'${t.schedule}'` : 'no schedule'} (run ferry workflows --write)`,
      t,
    ),
  ];
}
