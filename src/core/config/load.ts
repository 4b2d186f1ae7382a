import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { isAlias, LineCounter, parseDocument, visit, type Alias, type Node } from 'yaml';
import { ConfigurationError, ConfigurationErrors } from '../errors.js';
import type { Direction } from '../report/result.js';
import {
  DEFAULT_COMMIT_MESSAGE,
  DEFAULT_TIMEOUT_MINUTES,
  DEFAULT_WORKFLOW_USES,
  type CheckConfig,
  type ConfigWarning,
  type DriftGateConfig,
  type FerryConfig,
  type TargetConfig,
  type TargetKind,
  type Verification,
} from './types.js';
import { loadSchemaValidator, locate, nodeAt, schemaErrors, type YamlSource } from './validate.js';
import { didYouMean } from './suggest.js';

/** Keys every target has; everything else is the kind's own options. */
const COMMON_KEYS = new Set([
  'kind',
  'direction',
  'description',
  'schedule',
  'enabled',
  'commit',
  'dry_run',
  'fail_on_diff',
  'timeout_minutes',
  'verification',
]);

type Obj = Record<string, unknown>;

/** Read and validate a ferry.yml. `root` is the repository its paths are relative to. */
export async function loadConfig(
  file: string,
  opts: { root?: string; cwd?: string } = {},
): Promise<FerryConfig> {
  const cwd = opts.cwd ?? process.cwd();
  const abs = path.resolve(cwd, file);
  let text: string;
  try {
    text = await fs.readFile(abs, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new ConfigurationError(
        `config file ${file} not found. Create it (see docs/runner.md) or pass --config FILE.`,
      );
    if (code === 'EISDIR')
      throw new ConfigurationError(
        `config file ${file} is a directory. Pass the file itself, e.g. --config ${path.join(file, 'ferry.yml')}.`,
      );
    if (code === 'EACCES')
      throw new ConfigurationError(
        `config file ${file} cannot be read (permission denied). Fix its permissions.`,
      );
    throw e;
  }
  await loadSchemaValidator();
  return parseConfig(text, file, { absFile: abs, root: opts.root ?? cwd });
}

export function parseConfig(
  text: string,
  file: string,
  opts: { absFile?: string; root?: string } = {},
): FerryConfig {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  const src: YamlSource = { file, doc, lc };
  if (doc.errors.length) {
    throw new ConfigurationErrors(
      doc.errors.map((e) => {
        const p = lc.linePos(e.pos[0]);
        return new ConfigurationError(`invalid YAML: ${e.message.split('\n')[0]}`, {
          file,
          line: p.line,
          column: p.col,
        });
      }),
    );
  }
  const data = toData(src);
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw new ConfigurationError('ferry.yml must be a mapping with `version` and `targets`.', {
      file,
      line: 1,
      column: 1,
    });
  const errors = schemaErrors(src, data);
  if (errors.length) throw errors.length === 1 ? errors[0] : new ConfigurationErrors(errors);
  const cfg = build(src, data as Obj, opts);
  const semantic = semanticErrors(src, cfg, data as Obj);
  if (semantic.length) throw semantic.length === 1 ? semantic[0] : new ConfigurationErrors(semantic);
  return cfg;
}

/**
 * The document as plain data. yaml stops an alias bomb (aliases of aliases that would expand to
 * millions of nodes) with a ReferenceError: that is the user's file, so it is a configuration error
 * at the first nested alias, not an internal one.
 */
function toData(src: YamlSource): unknown {
  try {
    return src.doc.toJS() as unknown;
  } catch (e) {
    if (!(e instanceof ReferenceError && /alias/i.test(e.message))) throw e;
    const alias = firstNestedAlias(src);
    const p = alias?.range ? src.lc.linePos(alias.range[0]) : { line: 1, col: 1 };
    throw new ConfigurationError(
      'YAML aliases here expand to too many values (aliases of aliases: an alias bomb). Write the values out, or use aliases that do not refer to other aliases.',
      { file: src.file, line: p.line, column: p.col },
    );
  }
}

/** The first alias whose anchored node holds aliases itself (where the expansion multiplies). */
function firstNestedAlias(src: YamlSource): Alias | undefined {
  let first: Alias | undefined;
  let nested: Alias | undefined;
  visit(src.doc, {
    Alias(_, node) {
      first ??= node;
      const target = node.resolve(src.doc) as Node | undefined;
      let inner = false;
      if (target && !isAlias(target))
        visit(target, {
          Alias() {
            inner = true;
            return visit.BREAK;
          },
        });
      if (inner) {
        nested = node;
        return visit.BREAK;
      }
    },
  });
  return nested ?? first;
}

function build(src: YamlSource, data: Obj, opts: { absFile?: string; root?: string }): FerryConfig {
  const d = (data.defaults ?? {}) as Obj;
  const defaults = {
    direction: (d.direction as Direction) ?? 'bidirectional',
    dry_run: (d.dry_run as boolean) ?? false,
    fail_on_diff: (d.fail_on_diff as boolean) ?? false,
    commit: (d.commit as boolean) ?? true,
    push: (d.push as boolean) ?? false,
    commit_message: (d.commit_message as string) ?? DEFAULT_COMMIT_MESSAGE,
  };
  const warnings: ConfigWarning[] = [];
  const targets = Object.entries(data.targets as Record<string, Obj>).map(([name, t]): TargetConfig => {
    const options: Obj = {};
    for (const [k, v] of Object.entries(t)) if (!COMMON_KEYS.has(k)) options[k] = v;
    renameDeprecatedKeys(src, name, options, warnings);
    // The schema has validated every key and value of the kind's options: the one place they are typed.
    return {
      name,
      kind: ((t.kind as TargetKind) ?? 'command') as TargetKind,
      direction: (t.direction as Direction) ?? defaults.direction,
      description: t.description as string | undefined,
      schedule: t.schedule as string | undefined,
      enabled: (t.enabled as boolean) ?? true,
      commit: (t.commit as boolean) ?? defaults.commit,
      dry_run: (t.dry_run as boolean) ?? defaults.dry_run,
      fail_on_diff: (t.fail_on_diff as boolean) ?? defaults.fail_on_diff,
      verification: t.verification as Verification | undefined,
      timeout_minutes: (t.timeout_minutes as number) ?? DEFAULT_TIMEOUT_MINUTES,
      options,
      where: locate(src, nodeAt(src, ['targets', name]).key),
    } as unknown as TargetConfig;
  });
  const s = (data.safety ?? {}) as Obj;
  const checks = (key: string): CheckConfig[] =>
    ((s[key] ?? []) as Obj[]).map((c, i) => ({
      name: c.name as string,
      command: c.command as string,
      expected_exit_code: (c.expected_exit_code as number) ?? 0,
      skip_on_pull: (c.skip_on_pull as boolean) ?? false,
      skip_on_push: (c.skip_on_push as boolean) ?? false,
      where: locate(src, nodeAt(src, ['safety', key, String(i)]).node),
    }));
  const gates: DriftGateConfig[] = ((s.drift_gates ?? []) as Obj[]).map((g, i) => ({
    name: g.name as string,
    command: g.command as string,
    min_value: g.min_value as number | undefined,
    max_value: g.max_value as number | undefined,
    where: locate(src, nodeAt(src, ['safety', 'drift_gates', String(i)]).node),
  }));
  const w = (data.workflows ?? {}) as Obj;
  return {
    file: src.file,
    absFile: opts.absFile ?? path.resolve(src.file),
    root: opts.root ?? process.cwd(),
    version: String(data.version),
    defaults,
    targets,
    warnings,
    safety: {
      secret_patterns: (s.secret_patterns as string[]) ?? [],
      pre_sync_checks: checks('pre_sync_checks'),
      post_sync_checks: checks('post_sync_checks'),
      drift_gates: gates,
    },
    components: data.components as Record<string, string[]> | undefined,
    editions: data.editions as Record<string, unknown> | undefined,
    workflows: {
      uses: (w.uses as string) ?? DEFAULT_WORKFLOW_USES,
      runs_on: (w.runs_on as string) ?? 'ubuntu-latest',
      branches: (w.branches as string[]) ?? ['main'],
    },
  };
}

/**
 * Keys renamed for one spelling per setting (the action input, the CLI flag and the ferry.yml key
 * name the same thing): the old key still works, with a warning at its line.
 */
const DEPRECATED_KEYS: Record<string, string> = { max_delete_share: 'max_delete_ratio' };

function renameDeprecatedKeys(
  src: YamlSource,
  target: string,
  options: Obj,
  warnings: ConfigWarning[],
): void {
  for (const [old, now] of Object.entries(DEPRECATED_KEYS)) {
    if (!(old in options)) continue;
    const where = locate(src, nodeAt(src, ['targets', target, old]).key);
    if (now in options)
      throw new ConfigurationError(`target '${target}' sets both ${old} and ${now}: keep ${now}.`, where);
    warnings.push({ message: `targets.${target}.${old} is deprecated: rename it to ${now}.`, where });
    options[now] = options[old];
    delete options[old];
  }
}

/** Rules the schema cannot say: cross-references, regexes, what a direction needs. */
function semanticErrors(src: YamlSource, cfg: FerryConfig, data: Obj): ConfigurationError[] {
  const errs: ConfigurationError[] = [];
  const at = (segs: string[], useKey = false) => {
    const n = nodeAt(src, segs);
    return locate(src, useKey ? (n.key ?? n.node) : (n.node ?? n.key));
  };
  (cfg.safety.secret_patterns ?? []).forEach((p, i) => {
    try {
      new RegExp(p);
    } catch (e) {
      errs.push(
        new ConfigurationError(
          `safety.secret_patterns: '${p}' is not a valid regular expression (${(e as Error).message}).`,
          at(['safety', 'secret_patterns', String(i)]),
        ),
      );
    }
  });
  for (const g of cfg.safety.drift_gates) {
    if (g.min_value === undefined && g.max_value === undefined)
      errs.push(new ConfigurationError(`drift gate '${g.name}' needs min_value and/or max_value.`, g.where));
  }
  const editions = (data.editions ?? {}) as Record<string, Obj>;
  const components = Object.keys((data.components ?? {}) as Obj);
  for (const [name, ed] of Object.entries(editions)) {
    ((ed.components ?? []) as string[]).forEach((c, i) => {
      if (!components.includes(c))
        errs.push(
          new ConfigurationError(
            `edition '${name}' names unknown component '${c}'.${didYouMean(c, components)} Known: ${components.join(', ') || '(none)'}.`,
            at(['editions', name, 'components', String(i)]),
          ),
        );
    });
    ((ed.extends ?? []) as string[]).forEach((x, i) => {
      if (!(x in editions))
        errs.push(
          new ConfigurationError(
            `edition '${name}' extends unknown edition '${x}'.${didYouMean(x, Object.keys(editions))}`,
            at(['editions', name, 'extends', String(i)]),
          ),
        );
    });
  }
  for (const t of cfg.targets) {
    const tp = ['targets', t.name];
    if (t.kind === 'command' && t.direction !== 'push' && !t.options.outputs?.length)
      errs.push(
        new ConfigurationError(
          `${t.direction} target '${t.name}' declares no outputs, so nothing it writes could be committed. Add outputs: ["path/**"] (or set direction: push).`,
          t.where,
        ),
      );
    if (t.kind !== 'export') continue;
    const o = t.options;
    if (o.package !== undefined && o.packages !== undefined)
      errs.push(
        new ConfigurationError(
          `target '${t.name}' sets both package and packages; use one.`,
          at([...tp, 'packages'], true),
        ),
      );
    if (o.edition !== undefined && !(o.edition in editions))
      errs.push(
        new ConfigurationError(
          `target '${t.name}' uses edition '${o.edition}', which is not defined under editions.${didYouMean(o.edition, Object.keys(editions))}`,
          at([...tp, 'edition']),
        ),
      );
    if (o.edition !== undefined && o.allowlist === undefined)
      errs.push(
        new ConfigurationError(
          `target '${t.name}' sets edition but no allowlist: name the generated allowlist file (allowlist: public_allowlist.txt).`,
          at([...tp, 'edition'], true),
        ),
      );
  }
  return errs;
}
