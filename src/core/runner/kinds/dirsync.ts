import * as path from 'node:path';
import { sync } from '../../dirsync/index.js';
import type { KindAdapter } from './types.js';

/**
 * The `dirsync` kind: the three-way directory sync. `a` is the shared side (a mounted drive), `b`
 * the local side; pull is a → b (syncDown), push is b → a (syncUp), bidirectional is both.
 */
export const runDirsyncTarget: KindAdapter<'dirsync'> = async (ctx) => {
  const o = ctx.target.options;
  const side = (p: string) => (path.isAbsolute(p) ? p : path.join(ctx.root, p));
  const d = ctx.target.direction;
  const r = await sync({
    a: side(o.a),
    b: side(o.b),
    state: o.state === undefined ? undefined : path.join(ctx.root, o.state),
    direction: d === 'pull' ? 'a-to-b' : d === 'push' ? 'b-to-a' : 'both',
    conflict: o.conflict,
    ignore: o.ignore,
    createMissingSide: o.create_missing_side === true,
    allowMassDelete: o.allow_mass_delete === true,
    // Messages name the ferry.yml keys, not the CLI flags.
    optionName: (name) => `${name.replaceAll('-', '_')}: true`,
    dryRun: ctx.dryRun,
    logger: ctx.logger,
    target: ctx.target.name,
  });
  return { ...r, target: ctx.target.name, direction: d };
};
