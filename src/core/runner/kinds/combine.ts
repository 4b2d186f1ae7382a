import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { TargetKind } from '../../config/types.js';
import { newResult, type TargetResult } from '../../report/result.js';
import { lookupToken } from '../../settings/token.js';
import type { KindContext } from './types.js';

/**
 * Engines that report several results for one target (a wiki's private and public side, a
 * mirror's branches and tags, a custom export's packages), or one result of another kind, become
 * one runner result of the target's kind: it succeeds when every part did, changed when any part
 * did, and keeps each engine result, as it came, in `parts`.
 */
export function combineResults<K extends TargetKind>(
  ctx: KindContext<K>,
  parts: readonly TargetResult[],
): TargetResult {
  const kind: TargetKind = ctx.target.kind;
  if (parts.length === 1 && parts[0].kind === kind)
    return { ...parts[0], target: ctx.target.name, direction: ctx.target.direction };
  const r = newResult(ctx.target.name, kind, ctx.dryRun);
  r.direction = ctx.target.direction;
  r.success = parts.every((p) => p.success);
  r.changed = parts.some((p) => p.changed);
  for (const p of parts) {
    for (const [k, v] of Object.entries(p.counts)) r.counts[k] = (r.counts[k] ?? 0) + v;
    r.findings.push(...p.findings);
    if (p.changes) (r.changes ??= []).push(...p.changes);
    if (p.outputsCreated) (r.outputsCreated ??= []).push(...p.outputsCreated);
  }
  const failed = parts.filter((p) => !p.success);
  r.message = (failed.length ? failed : parts).map((p) => `${p.target}: ${p.message}`).join('; ');
  r.parts = [...parts];
  return r;
}

/** The token for a target: the variable its `*token_env` option names, else the one lookup's defaults. */
export function tokenFor<K extends TargetKind>(
  ctx: KindContext<K>,
  tokenEnv: string | undefined,
): string | undefined {
  return lookupToken(ctx.env, { named: tokenEnv });
}

/** A remote written as a relative local path means relative to the repository root, not the process cwd. */
export function remoteSpec<K extends TargetKind>(ctx: KindContext<K>, spec: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec) || /^[\w.-]+@[\w.-]+:/.test(spec) || path.isAbsolute(spec))
    return spec;
  const local = path.join(ctx.root, spec);
  return existsSync(local) ? local : spec;
}
