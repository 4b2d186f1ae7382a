/**
 * The common incremental case without listing any tree. When the target tip is a Ferry commit of
 * the base revision made with the same selection config (its `Ferry-Origin-Rev` and `Ferry-Config`
 * trailers), its tree IS the snapshot of the base: no reconciliation can be needed, and the replay
 * only has to know the target entries of the paths the range touches. Those are the old sides of
 * the range's raw diffs, checked against the tip in one `cat-file --batch-check` (a target edited
 * by hand under Ferry's trailers falls back). Source-path questions of the import check go to the
 * base revision through the same process, overlaid with the range's own changes (the timelines).
 *
 * Conservative, like the snapshot's incremental path: map rules, deletions of selected paths,
 * symlinks and gitlinks fall back to the full start (they need whole-tree knowledge: collisions,
 * dangling links, the mass-deletion ratio).
 */
import { NameChecker } from '../../git/batch-check.js';
import type { LogCommit } from '../../git/log-reader.js';
import { lastTrailer } from '../../git/trailers.js';
import type { ExportBuildContext, TargetTree } from '../types.js';
import { sourceProbe } from '../source-probe.js';
import type { ReplayBase } from './base.js';
import type { StepViews } from './gates.js';
import type { ReplayState } from './state.js';

export interface QuickStart {
  /** The tip's entries at every selected path the range touches (absent when the tip lacks it). */
  start: TargetTree;
  names: NameChecker;
  /** Views for the gates at a step, given the replay state (which holds the timelines). */
  viewsAt(state: ReplayState, step: number): StepViews;
}

const GITLINK = '160000';
const SYMLINK = '120000';
const ZERO = '000000';

/** Does the tip qualify (trailers)? Cheap: one `cat-file commit`. */
export async function tipQualifies(
  ctx: ExportBuildContext,
  tip: string | undefined,
  base: ReplayBase,
): Promise<boolean> {
  const s = ctx.settings;
  if (!tip || s.force || !ctx.configHash || (s.map ?? []).length || base.kind !== 'trailer' || !base.rev)
    return false;
  const msg = await ctx.git.exec(['cat-file', 'commit', tip]);
  const body = msg.slice(msg.indexOf('\n\n') + 2);
  return lastTrailer(body, 'originRev') === base.rev && lastTrailer(body, 'config') === ctx.configHash;
}

/**
 * The quick start for `commits` (the whole range, read), or undefined when the range needs the
 * full start. The caller closes `names`.
 */
export async function quickStart(
  ctx: ExportBuildContext,
  tip: string,
  base: string,
  commits: readonly LogCommit[],
): Promise<QuickStart | undefined> {
  // Target path → the old side of its first change in the range (= its entry in the base snapshot).
  const first = new Map<string, { mode: string; oid: string }>();
  for (const c of commits)
    for (const ch of c.changes) {
      if (!ctx.select(ch.path)) continue;
      if (ch.status === 'D' || ch.dstMode === ZERO) return undefined;
      if ([ch.srcMode, ch.dstMode].some((m) => m === SYMLINK || m === GITLINK)) return undefined;
      if (!first.has(ch.path)) first.set(ch.path, { mode: ch.srcMode, oid: ch.srcOid });
    }
  const names = new NameChecker(ctx.git);
  try {
    const paths = [...first.keys()].filter((p) => !/[\n\r]/.test(p));
    if (paths.length !== first.size) {
      await names.close();
      return undefined;
    }
    const atTip = await names.check(paths.map((p) => `${tip}:${p}`));
    const start: TargetTree = new Map();
    for (let i = 0; i < paths.length; i++) {
      const p = paths[i];
      const old = first.get(p)!;
      const got = atTip[i];
      if (ctx.isPreserved(p)) {
        // Frozen when the tip has it (overlayPreserved keeps the tip's copy), else the source's.
        if (got) start.set(p, { mode: old.mode, oid: got.oid, size: -1, origin: 'preserved' });
        else if (old.mode !== ZERO) return fail(names);
        continue;
      }
      const expected = old.mode === ZERO ? undefined : old.oid;
      if (got?.oid !== expected || (got && got.type !== 'blob')) return fail(names);
      if (expected)
        start.set(p, { mode: old.mode, oid: expected, size: -1, sourcePath: p, origin: 'source' });
    }
    const probe = sourceProbe(names, base);
    const keepGitlinks = (ctx.settings.submodules ?? 'skip') === 'keep';
    return {
      start,
      names,
      viewsAt(state, step) {
        const overlay = state.sourceTimeline;
        const exported = state.exportedTimeline;
        return {
          sourcePaths: {
            async existing(asked) {
              const found = new Set<string>();
              const unknown = asked.filter((p) => overlay.at(p, step) === undefined);
              const atBase = await probe.existing(unknown);
              for (const p of asked) if (overlay.at(p, step) ?? atBase.has(p)) found.add(p);
              return found;
            },
          },
          exportedSourcePaths: {
            // Asked only about paths the source view found: selected, and not a skipped gitlink.
            has: (p: string) =>
              exported.at(p, step) ??
              (ctx.select(p) && (keepGitlinks || probe.known.get(p)?.type !== 'commit')),
          } as ReadonlySet<string>,
        };
      },
    };
  } catch (e) {
    await names.close();
    throw e;
  }
}

async function fail(names: NameChecker): Promise<undefined> {
  await names.close();
  return undefined;
}
