import { sync, formatProgress, type ConflictPolicy, type SyncDirection } from '../../core/dirsync/index.js';
import { toJsonReport } from '../../core/report/render.js';
import { annotationLines } from '../annotations.js';
import {
  COMMON_OPTIONS,
  EXIT_FAILED,
  EXIT_OK,
  flag,
  list,
  str,
  UsageError,
  type Command,
} from '../command.js';

export const dirsyncCommand: Command = {
  name: 'dirsync',
  summary: 'Two-way directory sync with a state file and conflict detection',
  usage:
    'ferry dirsync A B [--state FILE] [--direction both|a-to-b|b-to-a] [--dry-run] ' +
    '[--conflict fail|keep-both|newer|prefer-a|prefer-b] [--ignore GLOB]... [--force] [--json]',
  options: {
    ...COMMON_OPTIONS,
    state: { type: 'string' },
    direction: { type: 'string' },
    'dry-run': { type: 'boolean' },
    conflict: { type: 'string' },
    ignore: { type: 'string', multiple: true },
    force: { type: 'boolean' },
  },
  allowPositionals: true,
  async run(args, ctx) {
    if (args.positionals.length !== 2)
      throw new UsageError(`Name exactly two directories, A and B.\nUsage: ${this.usage}`);
    const [a, b] = args.positionals;
    const result = await sync({
      a,
      b,
      state: str(args, 'state'),
      direction: (str(args, 'direction') ?? 'both') as SyncDirection,
      conflict: (str(args, 'conflict') ?? 'keep-both') as ConflictPolicy,
      ignore: list(args, 'ignore'),
      dryRun: flag(args, 'dry-run'),
      force: flag(args, 'force'),
      logger: ctx.logger,
      onProgress: (p) => process.stderr.write(formatProgress(p) + '\n'),
    });
    if (flag(args, 'json')) {
      ctx.out(JSON.stringify(toJsonReport('dirsync', [result]), null, 2) + '\n');
    } else {
      const rows = (result.details?.actions ?? []) as {
        op: string;
        path: string;
        direction?: string;
        to?: string;
        ok: boolean;
        error?: string;
      }[];
      if (result.dryRun || flag(args, 'verbose'))
        for (const r of rows)
          ctx.out(
            `${r.ok ? '' : 'FAILED '}${r.op}\t${r.direction ?? ''}\t${r.path}${r.to ? ` -> ${r.to}` : ''}\n`,
          );
      for (const f of result.findings) ctx.out(`${f.severity}: ${f.message}\n`);
      ctx.out(`${result.message}\n`);
    }
    if (ctx.ci) for (const l of annotationLines(result.findings)) process.stdout.write(l + '\n');
    return result.success ? EXIT_OK : EXIT_FAILED;
  },
};
