import { toJsonReport, toText } from '../../core/report/render.js';
import { detailsOf } from '../../core/report/result.js';
import { selectTargets } from '../../core/runner/select.js';
import { statusOf } from '../../core/runner/status.js';
import { annotationLines } from '../annotations.js';
import { EXIT_FAILED, EXIT_OK, flag, list, type Command } from '../command.js';
import { CONFIG_OPTIONS, configFromArgs, directionArg } from './config-args.js';

/**
 * `ferry status`: drift per target. Exits 1 when the status of a target could not be found (a
 * remote refused, say), and with `--fail-on-drift` also when anything drifted.
 */
export const statusCommand: Command = {
  name: 'status',
  summary:
    'Show drift per target: unexported commits, mirror ahead/behind, stale allowlists, workflow schedules',
  usage: 'ferry status [--config FILE] [--target GLOB]... [--fail-on-drift] [options]',
  options: {
    ...CONFIG_OPTIONS,
    'fail-on-drift': {
      type: 'boolean',
      help: 'Exit 1 when a target drifted (not only when a status is unknown).',
    },
  },
  env: { token: 'FERRY_TOKEN or GITHUB_TOKEN (or the variable a target names in token_env)' },
  async run(args, ctx) {
    const cfg = await configFromArgs(args, ctx);
    const targets = selectTargets(cfg, { targets: list(args, 'target'), direction: directionArg(args) });
    const results = await statusOf(cfg, targets, ctx.logger);
    const unknown = results.some((r) => !r.success);
    const drifted = unknown || results.some((r) => r.changed);
    if (ctx.ci && !flag(args, 'json'))
      for (const l of annotationLines(results.flatMap((r) => r.findings))) ctx.out(l + '\n');
    if (flag(args, 'json'))
      ctx.out(JSON.stringify({ ...toJsonReport('status', results), drift: drifted }, null, 2) + '\n');
    else
      ctx.out(
        toText(results, (r) => detailsOf(r, 'status')?.targetKind ?? r.kind)
          .replace(/\] CHANGED/g, '] DRIFT')
          .replace(/\] UP TO DATE/g, '] IN SYNC'),
      );
    return unknown || (drifted && flag(args, 'fail-on-drift')) ? EXIT_FAILED : EXIT_OK;
  },
};
