import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import {
  compileAllowlist,
  generateAllowlist,
  lintAllowlist,
  loadAllowlistStrict,
  parseManifest,
  readAllowlistFile,
} from '../../core/allowlist/index.js';
import { ConfigurationError } from '../../core/errors.js';
import { GitCommandManager } from '../../core/git/git-command-manager.js';
import { readTree } from '../../core/git/tree.js';
import { writeFileAtomic } from '../../core/util/fs-atomic.js';
import { unifiedDiff } from '../../core/util/unified-diff.js';
import { annotationLines } from '../annotations.js';
import {
  COMMON_OPTIONS,
  EXIT_FAILED,
  EXIT_OK,
  flag,
  requireStr,
  str,
  UsageError,
  type Command,
} from '../command.js';

/** The options of the commands that read an allowlist against a revision's tree (ls, check). */
const ALLOWLIST_AT_REVISION: Command['options'] = {
  ...COMMON_OPTIONS,
  allowlist: { type: 'string', arg: 'FILE', help: 'The allowlist file.' },
  repo: { type: 'string', arg: 'DIR', help: 'The repository (default: the current directory).' },
  rev: { type: 'string', arg: 'REV', help: 'The revision whose tree is read (default HEAD).' },
};

async function readRevision(repo: string, rev: string): Promise<{ sha: string; paths: string[] }> {
  const git = new GitCommandManager(path.resolve(repo));
  const sha = await git.tryRevParse(rev).catch(() => undefined);
  if (!sha)
    throw new ConfigurationError(
      `Revision '${rev}' was not found in ${repo}. Check --rev and --repo (a git repository with that commit).`,
    );
  return { sha, paths: (await readTree(git, sha)).filter((e) => e.type === 'blob').map((e) => e.path) };
}

export const allowlistLs: Command = {
  name: 'allowlist ls',
  summary: 'List the paths an allowlist selects at a revision (read with git plumbing)',
  usage: 'ferry allowlist ls --allowlist FILE [--repo DIR] [--rev REV] [--json]',
  options: ALLOWLIST_AT_REVISION,
  async run(args, ctx) {
    const file = requireStr(args, 'allowlist', this);
    const rules = await loadAllowlistStrict(file);
    const { sha, paths } = await readRevision(str(args, 'repo') ?? '.', str(args, 'rev') ?? 'HEAD');
    const selected = compileAllowlist(rules).filter(paths);
    if (flag(args, 'json'))
      ctx.out(
        JSON.stringify(
          { allowlist: file, rev: sha, total: paths.length, count: selected.length, selected },
          null,
          2,
        ) + '\n',
      );
    else ctx.out(selected.length ? selected.join('\n') + '\n' : '');
    return EXIT_OK;
  },
};

export const allowlistCheck: Command = {
  name: 'allowlist check',
  summary: 'Lint an allowlist against a tree: unused, vetoed, duplicate and malformed rules',
  usage: 'ferry allowlist check --allowlist FILE [--repo DIR] [--rev REV] [--json]',
  options: ALLOWLIST_AT_REVISION,
  async run(args, ctx) {
    const parsed = await readAllowlistFile(requireStr(args, 'allowlist', this));
    const { sha, paths } = await readRevision(str(args, 'repo') ?? '.', str(args, 'rev') ?? 'HEAD');
    const report = lintAllowlist(parsed, paths);
    if (flag(args, 'json')) {
      ctx.out(
        JSON.stringify(
          {
            allowlist: parsed.file,
            rev: sha,
            ok: report.findings.length === 0,
            paths: report.pathCount,
            selected: report.selectedCount,
            findings: report.findings,
            rules: report.stats.map((s) => ({
              line: s.rule.line,
              rule: s.rule.text,
              matched: s.matched,
              selected: s.rule.negated ? null : s.selected,
            })),
          },
          null,
          2,
        ) + '\n',
      );
    } else {
      for (const f of report.findings)
        ctx.out(`${f.file}:${f.line}: ${f.severity}: ${f.message} [${f.code}]\n`);
      ctx.logger.info(
        `${parsed.rules.length} rules, ${report.selectedCount} of ${report.pathCount} paths selected, ${report.findings.length} finding(s)`,
      );
    }
    // Annotations are workflow commands the runner reads from the step's output. With --json they
    // go to stderr (the runner reads both) so stdout stays one parseable JSON document.
    if (ctx.ci) {
      const sink = flag(args, 'json') ? process.stderr : process.stdout;
      for (const l of annotationLines(report.findings)) sink.write(l + '\n');
    }
    return report.findings.length ? EXIT_FAILED : EXIT_OK;
  },
};

export const allowlistExplain: Command = {
  name: 'allowlist explain',
  summary: 'For each path: selected or not, and the rule line that decided',
  usage: 'ferry allowlist explain --allowlist FILE [--json] PATH...',
  options: { ...COMMON_OPTIONS, allowlist: { type: 'string', arg: 'FILE', help: 'The allowlist file.' } },
  allowPositionals: true,
  async run(args, ctx) {
    const rules = await loadAllowlistStrict(requireStr(args, 'allowlist', this));
    if (args.positionals.length === 0) throw new UsageError(`Name at least one path.\nUsage: ${this.usage}`);
    const m = compileAllowlist(rules);
    const rows = args.positionals.map((p) => {
      const norm = p.replace(/^\.?\//, '');
      const d = m.explain(norm);
      return {
        path: norm,
        selected: d.selected,
        rule: d.rule
          ? { text: d.rule.text, file: d.rule.file, line: d.rule.line, exclude: d.rule.negated }
          : null,
      };
    });
    if (flag(args, 'json')) ctx.out(JSON.stringify(rows, null, 2) + '\n');
    else
      for (const r of rows) {
        const why = r.rule ? `${r.rule.file}:${r.rule.line}: ${r.rule.text}` : 'no rule matches';
        ctx.out(`${r.selected ? 'selected' : r.rule ? 'excluded' : 'not selected'}\t${r.path}\t(${why})\n`);
      }
    return EXIT_OK;
  },
};

export const allowlistGenerate: Command = {
  name: 'allowlist generate',
  summary: 'Generate an allowlist from a tier manifest (components/editions); --check finds a stale one',
  usage: 'ferry allowlist generate --manifest FILE --edition NAME (--write OUT | --check OUT | --stdout)',
  options: {
    ...COMMON_OPTIONS,
    manifest: {
      type: 'string',
      arg: 'FILE',
      help: 'The manifest: components and editions (a ferry.yml works).',
    },
    edition: { type: 'string', arg: 'NAME', help: 'The edition to generate the allowlist of.' },
    write: { type: 'string', arg: 'OUT', help: 'Write the allowlist to OUT.' },
    check: {
      type: 'string',
      arg: 'OUT',
      help: 'Exit 1 with a diff when OUT is not what would be generated.',
    },
    stdout: { type: 'boolean', help: 'Print the allowlist.' },
  },
  async run(args, ctx) {
    const manifestFile = requireStr(args, 'manifest', this);
    const edition = requireStr(args, 'edition', this);
    const write = str(args, 'write');
    const check = str(args, 'check');
    if ([write, check, flag(args, 'stdout') || undefined].filter(Boolean).length !== 1)
      throw new UsageError(`Give exactly one of --write, --check, --stdout.\nUsage: ${this.usage}`);
    const text = await readText(manifestFile);
    const generated = generateAllowlist(parseManifest(text, manifestFile), edition, manifestFile);
    if (flag(args, 'stdout')) {
      ctx.out(generated);
      return EXIT_OK;
    }
    if (write) {
      await writeFileAtomic(write, generated);
      ctx.logger.info(`wrote ${write}`);
      return EXIT_OK;
    }
    const current = await fs.readFile(check!, 'utf8').catch(() => undefined);
    if (current === generated) {
      if (flag(args, 'json')) ctx.out(JSON.stringify({ file: check, stale: false }) + '\n');
      else ctx.logger.info(`${check} is up to date with ${manifestFile}`);
      return EXIT_OK;
    }
    const diff = current === undefined ? `${check} does not exist` : unifiedDiff(current, generated, check!);
    if (flag(args, 'json')) ctx.out(JSON.stringify({ file: check, stale: true, diff }, null, 2) + '\n');
    else
      ctx.out(
        `${check} is stale: regenerate it with\n  ferry allowlist generate --manifest ${manifestFile} --edition ${edition} --write ${check}\n${diff}\n`,
      );
    return EXIT_FAILED;
  },
};

async function readText(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch {
    throw new ConfigurationError(`Cannot read '${file}'. Check the path.`);
  }
}

export const allowlistCommands = [allowlistLs, allowlistCheck, allowlistExplain, allowlistGenerate];
