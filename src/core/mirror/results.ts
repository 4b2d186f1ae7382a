import { newResult, type Finding, type ResultOf } from '../report/result.js';
import { divergenceFingerprint, pushFor, type TagPlan } from './analyze.js';
import { divergenceMarkdown } from './report.js';
import type { BranchAnalysis, DivergenceReport, IssueRef, MirrorSettings } from './types.js';

/** What happened to one branch during a run. */
export interface BranchOutcome {
  analysis: BranchAnalysis;
  pushedTo: 'a' | 'b' | null;
  /** Push attempts (rounds in which this branch was pushed). */
  attempts: number;
  error: string | null;
  issue?: IssueRef | null;
}

export const BRANCH_KIND = 'mirror-branch';
export const TAGS_KIND = 'mirror-tags';

const short = (sha: string | null) => (sha ? sha.slice(0, 12) : '—');
const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;

/** The TargetResult for one branch (target = branch name), plus the divergence report if it diverged. */
export function branchResult(
  o: BranchOutcome,
  s: MirrorSettings,
  urls: { a: string; b: string },
): { result: ResultOf<'mirror-branch'>; report?: DivergenceReport } {
  const an = o.analysis;
  const r = newResult(an.branch, BRANCH_KIND, s.dryRun);
  r.direction = 'bidirectional';
  const side = (id: 'a' | 'b') => `${id.toUpperCase()} (${id === 'a' ? s.a.spec : s.b.spec})`;
  const push = pushFor(an.state);
  const moved = push ? (push.from === 'a' ? an.onlyInA.count : an.onlyInB.count) : 0;
  r.counts = { pushedCommits: 0, onlyInA: 0, onlyInB: 0 };
  let report: DivergenceReport | undefined;
  if (an.state === 'equal') {
    r.message = `in sync at ${short(an.a)}`;
    r.commit = an.a ?? undefined;
  } else if (push) {
    const verb = an.state.startsWith('missing') ? 'create' : 'fast-forward';
    const what = `${verb} ${side(push.to)} with ${plural(moved, 'commit')} from ${side(push.from)}`;
    r.commit = (push.from === 'a' ? an.a : an.b) ?? undefined;
    r.changed = true;
    if (s.dryRun) r.message = `would ${what}`;
    else if (o.pushedTo) {
      r.message = `${verb === 'create' ? 'created' : 'fast-forwarded'} ${side(push.to)} (${plural(moved, 'commit')})`;
      r.counts.pushedCommits = moved;
    } else {
      r.changed = false;
      r.success = false;
      r.message = o.error ?? `could not ${what}`;
      r.findings.push({ severity: 'error', code: 'mirror-push-failed', message: r.message });
    }
  } else {
    // diverged
    const key = { a: s.a.spec, b: s.b.spec, branch: an.branch };
    r.counts.onlyInA = an.onlyInA.count;
    r.counts.onlyInB = an.onlyInB.count;
    r.message =
      `diverged: ${plural(an.onlyInA.count, 'commit')} only in ${side('a')}, ${an.onlyInB.count} only in ${side('b')}` +
      `; merge base ${an.mergeBase ? short(an.mergeBase) : 'none (unrelated histories)'}. Nothing was pushed.`;
    const warn = s.onDivergence === 'warn';
    r.success = warn;
    const finding: Finding = {
      severity: warn ? 'warning' : 'error',
      code: 'mirror-diverged',
      message: `Branch ${an.branch} ${r.message} Merge the two histories and push to both sides.`,
    };
    r.findings.push(finding);
    report = {
      key,
      analysis: an,
      fingerprint: divergenceFingerprint(an.a, an.b, an.mergeBase),
      markdown: divergenceMarkdown(key, an, urls),
    };
  }
  r.details = {
    branch: an.branch,
    state: an.state,
    a: an.a,
    b: an.b,
    mergeBase: an.mergeBase,
    onlyInA: an.onlyInA,
    onlyInB: an.onlyInB,
    pushedTo: o.pushedTo,
    attempts: o.attempts,
    fingerprint: report?.fingerprint ?? null,
    issue: o.issue ?? null,
  };
  return { result: r, report };
}

/** The TargetResult for tags (target `tags`). Conflicting tags are errors: never overwritten. */
export function tagsResult(
  plan: TagPlan,
  pushed: { a: string[]; b: string[] },
  errors: string[],
  s: MirrorSettings,
): ResultOf<'mirror-tags'> {
  const r = newResult('tags', TAGS_KIND, s.dryRun);
  r.direction = 'bidirectional';
  const planned = plan.toA.length + plan.toB.length;
  r.counts = {
    toA: s.dryRun ? plan.toA.length : pushed.a.length,
    toB: s.dryRun ? plan.toB.length : pushed.b.length,
    equal: plan.equal,
    conflicts: plan.conflicts.length,
  };
  r.changed = s.dryRun ? planned > 0 : pushed.a.length + pushed.b.length > 0;
  for (const c of plan.conflicts)
    r.findings.push({
      severity: 'error',
      code: 'mirror-tag-conflict',
      message: `Tag ${c.tag} points at ${short(c.a)} on A (${s.a.spec}) but ${short(c.b)} on B (${s.b.spec}). Ferry never overwrites tags: delete the wrong one by hand.`,
    });
  for (const e of errors) r.findings.push({ severity: 'error', code: 'mirror-push-failed', message: e });
  r.success = r.findings.every((f) => f.severity !== 'error');
  const verb = s.dryRun ? 'would push' : 'pushed';
  r.message =
    `${verb} ${plural(r.counts.toB, 'tag')} to B and ${r.counts.toA} to A; ${plan.equal} equal` +
    (plan.conflicts.length ? `; ${plural(plan.conflicts.length, 'conflict')}` : '');
  r.details = {
    toA: plan.toA,
    toB: plan.toB,
    conflicts: plan.conflicts,
    pushedToA: pushed.a,
    pushedToB: pushed.b,
  };
  return r;
}
