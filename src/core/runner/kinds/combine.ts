import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { newResult, type TargetResult } from '../../report/result.js';
import type { KindContext } from './types.js';

/**
 * Engines that report several results for one target (a wiki's private and public side, a
 * mirror's branches, a custom export's packages) become one runner result: it succeeds when every
 * part did, changed when any part did, and keeps each part under details.parts.
 */
export function combineResults(ctx: KindContext, parts: readonly TargetResult[]): TargetResult {
  if (parts.length === 1) return { ...parts[0], target: ctx.target.name, direction: ctx.target.direction };
  const r = newResult(ctx.target.name, ctx.target.kind, ctx.dryRun);
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
  r.details = {
    parts: parts.map((p) => ({
      target: p.target,
      kind: p.kind,
      success: p.success,
      changed: p.changed,
      message: p.message,
      commit: p.commit ?? null,
      counts: p.counts,
      details: p.details ?? {},
    })),
  };
  return r;
}

/** The token for a target: the variable its `*token_env` option names, else FERRY_TOKEN (the action's token input). */
export function tokenFor(ctx: KindContext, key = 'token_env'): string | undefined {
  const name = ctx.target.options[key];
  if (typeof name === 'string') return ctx.env[name] || undefined;
  return ctx.env.FERRY_TOKEN || undefined;
}

/** A remote written as a relative local path means relative to the repository root, not the process cwd. */
export function remoteSpec(ctx: KindContext, spec: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec) || /^[\w.-]+@[\w.-]+:/.test(spec) || path.isAbsolute(spec))
    return spec;
  const local = path.join(ctx.root, spec);
  return existsSync(local) ? local : spec;
}

/** Only the options the user set, so engine defaults apply to the rest. */
export function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
