import { selectTargets } from '../../core/runner/select.js';
import { EXIT_OK, flag, list, type Command } from '../command.js';
import { CONFIG_OPTIONS, configFromArgs, directionArg } from './config-args.js';

/**
 * `ferry list`: the targets. `--json` is a GitHub Actions matrix, `{"include":[{target,direction,kind}]}`,
 * for `strategy.matrix: ${{ fromJSON(needs.list.outputs.matrix) }}`.
 */
export const listCommand: Command = {
  name: 'list',
  summary: 'List the targets of ferry.yml (--json: a GitHub Actions matrix)',
  usage: 'ferry list [--config FILE] [--target GLOB]... [--direction D] [--json]',
  options: CONFIG_OPTIONS,
  async run(args, ctx) {
    const cfg = await configFromArgs(args, ctx);
    const targets = selectTargets(cfg, { targets: list(args, 'target'), direction: directionArg(args) });
    if (flag(args, 'json')) {
      const include = targets.map((t) => ({ target: t.name, direction: t.direction, kind: t.kind }));
      ctx.out(JSON.stringify({ include }) + '\n');
      return EXIT_OK;
    }
    const rows = targets.map((t) => [t.name, t.kind, t.direction, t.schedule ?? '-', t.description ?? '']);
    const head = ['TARGET', 'KIND', 'DIRECTION', 'SCHEDULE', 'DESCRIPTION'];
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    for (const r of [head, ...rows])
      ctx.out(
        r
          .map((c, i) => (i < r.length - 1 ? c.padEnd(w[i]) : c))
          .join('  ')
          .trimEnd() + '\n',
      );
    return EXIT_OK;
  },
};
