import {
  sync,
  formatProgress,
  printable,
  type ConflictPolicy,
  type SyncDirection,
} from '../../core/dirsync/index.js';
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

const SYNOPSIS =
  'ferry dirsync A B [--state FILE] [--direction both|a-to-b|b-to-a] [--dry-run] ' +
  '[--conflict fail|keep-both|newer|prefer-a|prefer-b] [--ignore GLOB]... ' +
  '[--create-missing-side | --allow-mass-delete] [--json] [--verbose]';

export const dirsyncCommand: Command = {
  name: 'dirsync',
  summary: 'Two-way directory sync with a state file and conflict detection',
  usage:
    SYNOPSIS +
    '\n\nA side that is missing, or lost (almost) every file the last sync saw, is refused (a disconnected drive).' +
    '\nThen decide:' +
    '\n  --create-missing-side  the side is new: create it if missing and fill it from the other side; nothing is deleted' +
    '\n  --allow-mass-delete    the deletions are real: make them on the other side too' +
    '\nDetails: docs/dirsync.md',
  options: {
    ...COMMON_OPTIONS,
    state: { type: 'string', arg: 'FILE', help: 'The state file (default B/.ferry-dirsync-state.json).' },
    direction: { type: 'string', arg: 'DIR', help: 'both (default), a-to-b or b-to-a.' },
    'dry-run': { type: 'boolean', help: 'Plan only: print what would be done, change nothing.' },
    conflict: {
      type: 'string',
      arg: 'POLICY',
      help: 'A file changed on both sides: fail, keep-both (default), newer, prefer-a, prefer-b.',
    },
    ignore: { type: 'string', multiple: true, arg: 'GLOB', help: 'Paths to leave alone.' },
    'create-missing-side': {
      type: 'boolean',
      help: 'Create a side that does not exist (a first sync into a new folder).',
    },
    'allow-mass-delete': {
      type: 'boolean',
      help: 'Sync even when a side looks wiped (most of its files gone).',
    },
    // Removed; still parsed so that using it says what to use instead.
    force: {
      type: 'boolean',
      removed: true,
      help: 'Removed: use --create-missing-side or --allow-mass-delete.',
    },
  },
  allowPositionals: true,
  async run(args, ctx) {
    if (args.positionals.length !== 2)
      throw new UsageError(`Name exactly two directories, A and B.\nUsage: ${SYNOPSIS}`);
    if (flag(args, 'force'))
      throw new UsageError(
        'ferry dirsync no longer takes --force: it both created a missing side and let a wipe through, ' +
          'so a recreated empty side deleted everything on the other one. Say which you mean:\n' +
          '  --create-missing-side  the side is new: create it if missing and fill it from the other side (nothing is deleted)\n' +
          '  --allow-mass-delete    the deletions are real: make them on the other side too',
      );
    const [a, b] = args.positionals;
    const result = await sync({
      a,
      b,
      state: str(args, 'state'),
      direction: (str(args, 'direction') ?? 'both') as SyncDirection,
      conflict: (str(args, 'conflict') ?? 'keep-both') as ConflictPolicy,
      ignore: list(args, 'ignore'),
      dryRun: flag(args, 'dry-run'),
      createMissingSide: flag(args, 'create-missing-side'),
      allowMassDelete: flag(args, 'allow-mass-delete'),
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
      // Names that are not valid UTF-8 show their odd bytes as \xNN (names.ts).
      if (result.dryRun || flag(args, 'verbose'))
        for (const r of rows)
          ctx.out(
            printable(
              `${r.ok ? '' : 'FAILED '}${r.op}\t${r.direction ?? ''}\t${r.path}${r.to ? ` -> ${r.to}` : ''}`,
            ) + '\n',
          );
      for (const f of result.findings) ctx.out(printable(`${f.severity}: ${f.message}`) + '\n');
      ctx.out(`${result.message}\n`);
    }
    if (ctx.ci) for (const l of annotationLines(result.findings)) process.stdout.write(l + '\n');
    return result.success ? EXIT_OK : EXIT_FAILED;
  },
};
