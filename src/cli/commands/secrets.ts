import * as path from 'node:path';
import { writeSecretBaseline } from '../../core/export/secrets-baseline.js';
import {
  COMMON_OPTIONS,
  EXIT_OK,
  flag,
  list,
  requireStr,
  str,
  type CliContext,
  type Command,
  type ParsedArgs,
} from '../command.js';
import { GATE_OPTIONS } from './gate-options.js';

/**
 * `ferry secrets baseline --write FILE`: accept today's secret findings (after review) so exports
 * report only new ones. Commit the file and name it in secret-baseline / --secret-baseline.
 */
export const secretsBaselineCommand: Command = {
  name: 'secrets baseline',
  summary: 'Write the secret baseline: the current findings, accepted, so exports report only new ones',
  usage: 'ferry secrets baseline --write FILE [--source DIR] [--rev REV] [--allowlist FILE] [options]',
  options: {
    ...COMMON_OPTIONS,
    json: {
      type: 'boolean',
      help: 'Print the outcome as JSON (file, findings with path, rule, fingerprint and line, scanned, binary, written).',
    },
    write: {
      type: 'string',
      arg: 'FILE',
      help: 'The baseline file to write (its salt is kept if it exists).',
    },
    source: {
      type: 'string',
      arg: 'DIR',
      help: 'The source repository (default: the current directory).',
      input: 'source',
    },
    rev: { type: 'string', arg: 'REV', help: 'The revision to scan (default HEAD).', input: 'rev' },
    allowlist: {
      type: 'string',
      arg: 'FILE',
      help: "Scan only the files this allowlist selects (the export's); default every file.",
      input: 'allowlist',
    },
    'secret-scan-exclude': GATE_OPTIONS['secret-scan-exclude'],
    'secret-pattern': GATE_OPTIONS['secret-pattern'],
    'dry-run': { type: 'boolean', help: 'Scan and print, write nothing.' },
  },
  async run(args: ParsedArgs, ctx: CliContext) {
    const at = (p: string | undefined) => (p ? path.resolve(ctx.cwd, p) : p);
    const file = at(requireStr(args, 'write', this))!;
    const r = await writeSecretBaseline({
      source: at(str(args, 'source')) ?? ctx.cwd,
      rev: str(args, 'rev'),
      allowlistFile: at(str(args, 'allowlist')),
      safety: {
        secretScanExclude: list(args, 'secret-scan-exclude'),
        secretPatterns: list(args, 'secret-pattern'),
      },
      file,
      dryRun: flag(args, 'dry-run'),
    });
    if (flag(args, 'json')) ctx.out(JSON.stringify(r, null, 2) + '\n');
    else {
      const byFile = new Map<string, number>();
      for (const f of r.findings) byFile.set(f.path, (byFile.get(f.path) ?? 0) + 1);
      ctx.out(
        `${r.written ? 'wrote' : 'would write'} ${r.file}: ${r.findings.length} finding(s) in ${byFile.size} file(s) ` +
          `(${r.scanned} text files scanned, ${r.binary} binary skipped)\n`,
      );
      for (const [p, n] of [...byFile].sort()) ctx.out(`  ${p}: ${n}\n`);
    }
    return EXIT_OK;
  },
};
