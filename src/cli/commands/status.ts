import { toJsonReport, toText } from '../../core/report/render.js';
import { selectTargets } from '../../core/runner/select.js';
import { statusOf } from '../../core/runner/status.js';
import { annotationLines } from '../annotations.js';
import { EXIT_FAILED, EXIT_OK, flag, list, type Command } from '../command.js';
import { CONFIG_OPTIONS, configFromArgs, directionArg } from './config-args.js';

/** `ferry status`: drift per target; `--fail-on-drift` exits 1 when anything drifted. */
export const statusCommand: Command = {
  name: 'status',
  summary:
    'Show drift per target: unexported commits, mirror ahead/behind, stale allowlists, workflow schedules',
  usage: 'ferry status [--config FILE] [--target GLOB]... [--fail-on-drift] [--json] [--ci]',
  options: { ...CONFIG_OPTIONS, 'fail-on-drift': { type: 'boolean' } },
  async run(args, ctx) {
    const cfg = await configFromArgs(args, ctx);
    const targets = selectTargets(cfg, { targets: list(args, 'target'), direction: directionArg(args) });
    const results = await statusOf(cfg, targets, ctx.logger);
    const drifted = results.some((r) => r.changed || !r.success);
    if (ctx.ci && !flag(args, 'json'))
      for (const l of annotationLines(results.flatMap((r) => r.findings))) ctx.out(l + '\n');
    if (flag(args, 'json'))
      ctx.out(JSON.stringify({ ...toJsonReport('status', results), drift: drifted }, null, 2) + '\n');
    else
      ctx.out(
        toText(results)
          .replace(/\] CHANGED/g, '] DRIFT')
          .replace(/\] UP TO DATE/g, '] IN SYNC'),
      );
    return drifted && flag(args, 'fail-on-drift') ? EXIT_FAILED : EXIT_OK;
  },
};
