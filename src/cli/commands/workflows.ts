import * as path from 'node:path';
import { writeFileAtomic } from '../../core/util/fs-atomic.js';
import { checkWorkflows, generateWorkflows } from '../../core/runner/workflows.js';
import { DEFAULT_CONFIG_PATH } from '../../core/config/types.js';
import { EXIT_FAILED, EXIT_OK, flag, str, UsageError, type Command } from '../command.js';
import { CONFIG_OPTIONS, configFromArgs } from './config-args.js';

/** `ferry workflows --write | --check`: generate `.github/workflows/ferry-<target>.yml` from ferry.yml. */
export const workflowsCommand: Command = {
  name: 'workflows',
  summary: 'Generate (--write) or check (--check) .github/workflows/ferry-*.yml from ferry.yml',
  usage: 'ferry workflows [--config FILE] [--root DIR] (--write | --check) [--json]',
  options: {
    ...CONFIG_OPTIONS,
    write: { type: 'boolean', help: 'Write .github/workflows/ferry-<target>.yml for every enabled target.' },
    check: {
      type: 'boolean',
      help: 'Exit 1 with a diff when a checked-in workflow is stale, missing or orphaned.',
    },
  },
  async run(args, ctx) {
    if (flag(args, 'write') === flag(args, 'check'))
      throw new UsageError(`give exactly one of --write or --check.\nUsage: ${this.usage}`);
    const cfg = await configFromArgs(args, ctx);
    const configPath = (str(args, 'config') ?? DEFAULT_CONFIG_PATH).replace(/^\.\//, '');
    const generated = await generateWorkflows(cfg, configPath);
    if (flag(args, 'write')) {
      for (const g of generated) await writeFileAtomic(path.join(cfg.root, g.file), g.content);
      if (flag(args, 'json'))
        ctx.out(JSON.stringify({ written: generated.map((g) => g.file) }, null, 2) + '\n');
      else for (const g of generated) ctx.out(`wrote ${g.file}\n`);
      return EXIT_OK;
    }
    const res = await checkWorkflows(cfg.root, generated);
    const stale = res.stale.length + res.missing.length + res.orphaned.length > 0;
    if (flag(args, 'json')) ctx.out(JSON.stringify({ up_to_date: !stale, ...res }, null, 2) + '\n');
    else {
      for (const m of res.missing) ctx.out(`missing: ${m}\n`);
      for (const o of res.orphaned) ctx.out(`orphaned (its target is gone; delete it): ${o}\n`);
      for (const s of res.stale) ctx.out(`stale: ${s.file}\n${s.diff}`);
      ctx.out(
        stale
          ? `workflows are out of date: run ferry workflows --config ${configPath} --write\n`
          : 'workflows are up to date\n',
      );
    }
    return stale ? EXIT_FAILED : EXIT_OK;
  },
};
