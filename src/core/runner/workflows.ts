/**
 * `ferry workflows`: one workflow per target, generated from ferry.yml, so the CI triggers always
 * match the config (a schedule changed in ferry.yml and not in the workflow would silently not run):
 * - `schedule` from the target's cron;
 * - `workflow_dispatch` with target / direction / dry_run inputs;
 * - for export targets, `on.push.paths` from the allowlist, so the workflow runs exactly when a
 *   file it would publish changes;
 * - a concurrency group per target, so runs against one target never race.
 * Output is deterministic: the same config always gives the same bytes.
 */
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Document } from 'yaml';
import { parseAllowlist, type Rule } from '../allowlist/parse.js';
import type { FerryConfig, TargetConfig, TargetOf } from '../config/types.js';
import { unifiedDiff } from '../util/unified-diff.js';

export const WORKFLOW_DIR = '.github/workflows';

/** The direction filter that selects every target (the action's `direction: all`, `--direction all`). */
export const ALL_DIRECTIONS = 'all';

export function workflowFile(target: string): string {
  return `${WORKFLOW_DIR}/ferry-${target}.yml`;
}

/** Allowlist rules of an export target, read from the repository (none when it has no allowlist file). */
export async function exportAllowlistRules(
  cfg: FerryConfig,
  t: TargetOf<'export'>,
): Promise<{ files: string[]; rules: Rule[] }> {
  const o = t.options;
  const files: string[] = [];
  if (o.allowlist_dir !== undefined) {
    const dir = path.join(cfg.root, o.allowlist_dir);
    const names = existsSync(dir)
      ? (await fs.readdir(dir)).filter((f) => /^custom_package_allowlist.*\.txt$/.test(f)).sort()
      : [];
    files.push(...names.map((n) => `${o.allowlist_dir}/${n}`.replace(/\/+/g, '/')));
  } else files.push(o.allowlist ?? 'public_allowlist.txt');
  const rules: Rule[] = [];
  for (const f of files) {
    const abs = path.join(cfg.root, f);
    if (!existsSync(abs)) continue;
    rules.push(...parseAllowlist(await fs.readFile(abs, 'utf8'), f).rules);
  }
  return { files, rules };
}

/** Expand `{a,b}` alternatives (GitHub's path filters have none). */
export function expandBraces(p: string): string[] {
  const m = /\{([^{}]*)\}/.exec(p);
  if (!m) return [p];
  return m[1]
    .split(',')
    .flatMap((alt) => expandBraces(p.slice(0, m.index) + alt + p.slice(m.index + m[0].length)));
}

/**
 * Allowlist rules → GitHub `paths` filters. Includes come first, vetoes after them as `!` paths
 * (later patterns win in GitHub's filter). Where the dialects differ, the filter errs towards
 * running: `?` (one character for Ferry, "optional" for GitHub) becomes `*` in includes, and an
 * exclude that cannot be said exactly is left out. `extra` (the config and allowlist files) go last,
 * so no veto hides them.
 */
export function allowlistToPathFilters(rules: readonly Rule[], extra: readonly string[] = []): string[] {
  const conv = (r: Rule): string[] => {
    let p = r.text.replace(/^!/, '').trim().replace(/^\/+/, '');
    if (r.negated && p.includes('?')) return [];
    p = p.replace(/\?/g, '*').replace(/\+/g, '\\+');
    return expandBraces(p).flatMap((q) => {
      if (q.endsWith('/')) return [`${q}**`];
      if (r.glob.literal !== undefined && !/[*?[\]]/.test(q)) return [q, `${q}/**`];
      return [q];
    });
  };
  const out: string[] = [];
  const add = (xs: string[]) => xs.forEach((x) => !out.includes(x) && out.push(x));
  add(rules.filter((r) => !r.negated).flatMap(conv));
  add(rules.filter((r) => r.negated).flatMap((r) => conv(r).map((x) => `!${x}`)));
  add([...extra]);
  return out;
}

export interface GeneratedWorkflow {
  file: string;
  content: string;
}

/** Every generated workflow, sorted by file name. */
export async function generateWorkflows(cfg: FerryConfig, configPath: string): Promise<GeneratedWorkflow[]> {
  const out: GeneratedWorkflow[] = [];
  for (const t of [...cfg.targets].filter((t) => t.enabled).sort((a, b) => a.name.localeCompare(b.name))) {
    const paths =
      t.kind === 'export'
        ? await exportAllowlistRules(cfg, t).then(({ files, rules }) =>
            allowlistToPathFilters(rules, [configPath, ...files]),
          )
        : undefined;
    out.push({ file: workflowFile(t.name), content: renderWorkflow(cfg, t, configPath, paths) });
  }
  return out;
}

function tokenEnvs(t: TargetConfig): string[] {
  return Object.entries(t.options)
    .filter(([k, v]) => /token_env$/.test(k) && typeof v === 'string')
    .map(([, v]) => String(v))
    .sort();
}

export function renderWorkflow(
  cfg: FerryConfig,
  t: TargetConfig,
  configPath: string,
  pushPaths?: string[],
): string {
  const on: Record<string, unknown> = {};
  if (t.schedule) on.schedule = [{ cron: t.schedule }];
  if (pushPaths) on.push = { branches: cfg.workflows.branches, paths: pushPaths };
  on.workflow_dispatch = {
    inputs: {
      target: { description: 'Target name or glob', type: 'string', default: t.name },
      // A choice option must not be empty (actionlint; the runner shows no such option): `all`
      // is the action's and the CLI's word for "every direction, as configured".
      direction: {
        description: 'Only targets of this direction (all: as configured)',
        type: 'choice',
        options: [ALL_DIRECTIONS, 'pull', 'push', 'bidirectional'],
        default: ALL_DIRECTIONS,
      },
      dry_run: { description: 'Plan only: change nothing', type: 'boolean', default: false },
    },
  };
  const env = Object.fromEntries(tokenEnvs(t).map((e) => [e, `\${{ secrets.${e} }}`]));
  const step: Record<string, unknown> = {
    name: `ferry run ${t.name}`,
    uses: cfg.workflows.uses,
    with: {
      config: configPath,
      target: `\${{ inputs.target || '${t.name}' }}`,
      direction: '${{ inputs.direction }}',
      'dry-run': '${{ inputs.dry_run == true }}',
      verify: 'true',
    },
  };
  if (Object.keys(env).length) step.env = env;
  const wf = {
    name: `ferry: ${t.name}`,
    on,
    permissions: { contents: 'write' },
    concurrency: { group: `ferry-${t.name}`, 'cancel-in-progress': false },
    jobs: {
      sync: {
        'runs-on': cfg.workflows.runs_on,
        'timeout-minutes': Math.ceil(t.timeout_minutes) + 10,
        steps: [{ uses: 'actions/checkout@v4', with: { 'fetch-depth': 0 } }, step],
      },
    },
  };
  const doc = new Document(wf);
  const header =
    `# Generated by \`ferry workflows\` from ${configPath} (target '${t.name}'). Do not edit:\n` +
    `# change ${configPath} and run: ferry workflows --config ${configPath} --write\n`;
  return header + doc.toString({ lineWidth: 0 });
}

export interface WorkflowCheck {
  stale: { file: string; diff: string }[];
  missing: string[];
  orphaned: string[];
}

/** Compare generated workflows with the checked-in ones. */
export async function checkWorkflows(
  root: string,
  generated: readonly GeneratedWorkflow[],
): Promise<WorkflowCheck> {
  const res: WorkflowCheck = { stale: [], missing: [], orphaned: [] };
  for (const g of generated) {
    const abs = path.join(root, g.file);
    if (!existsSync(abs)) res.missing.push(g.file);
    else {
      const cur = await fs.readFile(abs, 'utf8');
      if (cur !== g.content)
        res.stale.push({ file: g.file, diff: unifiedDiff(cur, g.content, g.file) + '\n' });
    }
  }
  const dir = path.join(root, WORKFLOW_DIR);
  if (existsSync(dir))
    for (const f of (await fs.readdir(dir)).sort()) {
      const rel = `${WORKFLOW_DIR}/${f}`;
      if (/^ferry-.*\.ya?ml$/.test(f) && !generated.some((g) => g.file === rel)) {
        const text = await fs.readFile(path.join(dir, f), 'utf8');
        if (text.startsWith('# Generated by `ferry workflows`')) res.orphaned.push(rel);
      }
    }
  return res;
}
