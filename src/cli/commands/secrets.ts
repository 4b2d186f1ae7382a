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

/**
 * `ferry secrets baseline --write FILE`: accept today's secret findings (after review) so exports
 * report only new ones. Commit the file and name it in secret-baseline / --secret-baseline.
 */
export const secretsBaselineCommand: Command = {
  name: 'secrets baseline',
  summary: 'Write the secret baseline: the current findings, accepted, so exports report only new ones',
  usage:
    'ferry secrets baseline --write FILE [--source DIR] [--rev REV] [--allowlist FILE] [--secret-scan-exclude GLOB]... ' +
    '[--secret-pattern RE]... [--dry-run] [--json]',
  options: {
    ...COMMON_OPTIONS,
    write: { type: 'string' },
    source: { type: 'string' },
    rev: { type: 'string' },
    allowlist: { type: 'string' },
    'secret-scan-exclude': { type: 'string', multiple: true },
    'secret-pattern': { type: 'string', multiple: true },
    'dry-run': { type: 'boolean' },
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
