import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigurationError } from '../errors.js';
import { withGroup, type Logger } from '../logger.js';
import { createGitAuth, type GitAuth } from '../git/git-auth-helper.js';
import { GitCommandManager } from '../git/git-command-manager.js';
import { workflowPermissionError } from '../git/transport.js';
import type { TargetResult } from '../report/result.js';
import { branchUnion, classifyBranch, planTags, pushFor, selectTags, HEADS } from './analyze.js';
import { commitsOnlyIn, mergeBase } from './commits.js';
import { branchResult, tagsResult, type BranchOutcome } from './results.js';
import { MirrorRemote } from './side.js';
import type { BranchAnalysis, DivergenceIssueSink, MirrorSettings } from './types.js';

const NO_COMMITS = { count: 0, commits: [] };

/**
 * "The side moved meanwhile". pushRefs classifies a client-side stale push as rejected-stale; a ref
 * that moved on the server between its advertisement and the update (a push racing ours) comes
 * back as `[remote rejected] (failed to update ref)` / `cannot lock ref`, which is the same thing.
 */
function isStale(st: { status: string; detail: string }): boolean {
  return (
    st.status === 'rejected-stale' ||
    (st.status === 'rejected-other' &&
      /failed to (update|lock) ref|cannot lock ref|incorrect old value/i.test(st.detail))
  );
}

/**
 * Mirror branches (and optionally tags) between two repositories, both ways, by fast-forward only.
 * Returns one TargetResult per branch (kind `mirror-branch`) plus one for tags (kind `mirror-tags`)
 * when tags are mirrored. Divergence goes to `issues` when `onDivergence` is `issue`; without a
 * sink, `issue` behaves as `fail`. A dry run analyses only: nothing is pushed, no issue is touched.
 */
export async function runMirror(
  settings: MirrorSettings,
  logger: Logger,
  issues?: DivergenceIssueSink,
): Promise<TargetResult[]> {
  const t0 = performance.now();
  const ownWorkDir = !settings.workDir;
  const work = settings.workDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-mirror-')));
  const auths: GitAuth[] = [];
  try {
    const local = new GitCommandManager(work, { logger });
    await local.assertMinimumVersion();
    await fs.mkdir(work, { recursive: true });
    await local.exec(['init', '-q', '--bare', work]);
    const net = { logger, baseDelayMs: settings.netBaseDelayMs };
    const authA = await createGitAuth(settings.a.auth);
    auths.push(authA);
    const authB = await createGitAuth(settings.b.auth);
    auths.push(authB);
    const A = new MirrorRemote('a', settings.a, local.with({ env: authA.env }), net);
    const B = new MirrorRemote('b', settings.b, local.with({ env: authB.env }), net);
    const engine = new MirrorEngine(settings, logger, local, A, B, issues);
    const results = await engine.run();
    const ms = Math.round(performance.now() - t0);
    // The wall time is shared: each result carries its share so totals add up.
    for (const r of results) r.durationMs = Math.round(ms / results.length);
    return results;
  } finally {
    for (const a of auths) await a.cleanup();
    if (ownWorkDir) await fs.rm(work, { recursive: true, force: true });
  }
}

class MirrorEngine {
  constructor(
    private readonly s: MirrorSettings,
    private readonly logger: Logger,
    private readonly local: GitCommandManager,
    private readonly A: MirrorRemote,
    private readonly B: MirrorRemote,
    private readonly issues?: DivergenceIssueSink,
  ) {}

  async run(): Promise<TargetResult[]> {
    const { s, A, B } = this;
    const [refsA, refsB] = await withGroup(this.logger, 'List refs on both sides', async () => [
      await A.listRefs(),
      await B.listRefs(),
    ]);
    const branches = branchUnion(refsA, refsB, s.branches);
    if (branches.length === 0)
      throw new ConfigurationError(
        `No branch matching ${s.branches.map((b) => `'${b}'`).join(', ')} exists on ${A.label} or ${B.label}. ` +
          'Check the branches input (names or globs such as release/*).',
      );
    const tip = (refs: Map<string, string>, b: string) => refs.get(HEADS + b) ?? null;
    // Branches already equal need no history: the daily no-op run fetches nothing at all.
    const differ = branches.filter((b) => tip(refsA, b) !== tip(refsB, b));
    if (differ.length)
      await withGroup(this.logger, `Fetch ${differ.length} branch(es) from both sides`, async () => {
        await A.fetch(differ.filter((b) => tip(refsA, b)));
        await B.fetch(differ.filter((b) => tip(refsB, b)));
      });

    const outcomes = new Map<string, BranchOutcome>();
    for (const b of branches) {
      const analysis = await this.analyze(b, tip(refsA, b), tip(refsB, b));
      outcomes.set(b, { analysis, pushedTo: null, attempts: 0, error: null });
      this.logger.info(`${b}: ${analysis.state}`);
    }
    if (!s.dryRun) await this.pushAll(outcomes);

    const results: TargetResult[] = [];
    for (const b of branches) results.push(await this.finish(outcomes.get(b)!));
    if (s.tags.kind !== 'none') results.push(await this.mirrorTags(refsA, refsB));
    return results;
  }

  /** Gather the facts for one branch from the scratch repo and classify it. */
  private async analyze(branch: string, a: string | null, b: string | null): Promise<BranchAnalysis> {
    const g = this.local;
    const cap = this.s.maxListedCommits;
    const facts = { a, b, aInB: false, bInA: false };
    if (a && b && a !== b) {
      facts.bInA = await g.isAncestor(b, a);
      facts.aInB = !facts.bInA && (await g.isAncestor(a, b));
    }
    const state = classifyBranch(facts);
    const out: BranchAnalysis = {
      branch,
      state,
      a,
      b,
      mergeBase: null,
      onlyInA: NO_COMMITS,
      onlyInB: NO_COMMITS,
    };
    const all = async (t: string) => ({
      count: Number(await g.exec(['rev-list', '--count', t])),
      commits: [],
    });
    if (state === 'a-ahead' || state === 'diverged') out.onlyInA = await commitsOnlyIn(g, a!, b!, cap);
    if (state === 'b-ahead' || state === 'diverged') out.onlyInB = await commitsOnlyIn(g, b!, a!, cap);
    if (state === 'missing-in-b') out.onlyInA = await all(a!);
    if (state === 'missing-in-a') out.onlyInB = await all(b!);
    if (state === 'diverged') out.mergeBase = await mergeBase(g, a!, b!);
    return out;
  }

  /**
   * Push every fast-forward, one push per receiving side. A ref rejected because that side moved
   * meanwhile is re-fetched, re-analysed and (if still a fast-forward) pushed again next round.
   */
  private async pushAll(outcomes: Map<string, BranchOutcome>): Promise<void> {
    const rounds = this.s.maxPushRounds ?? 4;
    for (let round = 1; round <= rounds; round++) {
      const pending = [...outcomes.values()].filter(
        (o) => !o.pushedTo && !o.error && pushFor(o.analysis.state),
      );
      if (pending.length === 0) return;
      for (const to of ['a', 'b'] as const) {
        const batch = pending.filter((o) => pushFor(o.analysis.state)!.to === to);
        if (batch.length === 0) continue;
        const dest = to === 'a' ? this.A : this.B;
        const src = to === 'a' ? this.B : this.A;
        const specs = batch.map((o) => `${src.localHead(o.analysis.branch)}:${HEADS}${o.analysis.branch}`);
        this.logger.info(`Pushing ${batch.map((o) => o.analysis.branch).join(', ')} to ${dest.label}`);
        const res = await dest.push(specs);
        for (const o of batch) {
          o.attempts++;
          const st = res.refs.get(HEADS + o.analysis.branch);
          if (st && (st.status === 'ok' || st.status === 'up-to-date')) o.pushedTo = to;
          else if (st && isStale(st) && round < rounds) {
            this.logger.warning(`${dest.label} moved while mirroring ${o.analysis.branch}: re-analysing.`);
            await this.refresh(o, dest);
          } else if (st?.status === 'rejected-workflow')
            o.error = workflowPermissionError(dest.side.spec).message;
          else
            o.error = `Push of ${o.analysis.branch} to ${dest.label} was rejected: ${st?.detail ?? res.stderr.trim().split('\n').pop()}`;
        }
      }
    }
  }

  /** Re-read one branch on the side that rejected our push, and re-analyse it. */
  private async refresh(o: BranchOutcome, side: MirrorRemote): Promise<void> {
    const branch = o.analysis.branch;
    const refs = await side.listRefs([HEADS + branch]);
    const now = refs.get(HEADS + branch) ?? null;
    if (now) await side.fetch([branch]);
    const a = side.id === 'a' ? now : o.analysis.a;
    const b = side.id === 'b' ? now : o.analysis.b;
    o.analysis = await this.analyze(branch, a, b);
    this.logger.info(`${branch}: now ${o.analysis.state}`);
  }

  /** Build the branch's result and settle its divergence issue. */
  private async finish(o: BranchOutcome): Promise<TargetResult> {
    const { s } = this;
    const key = { a: s.a.spec, b: s.b.spec, branch: o.analysis.branch };
    const r = branchResult(o, s, { a: s.a.url, b: s.b.url });
    const wantIssues = this.issues && s.onDivergence === 'issue' && !s.dryRun;
    try {
      if (wantIssues && o.analysis.state === 'diverged') {
        o.issue = await this.issues!.reportDivergence(r.report!);
      } else if (wantIssues && !o.error && (o.analysis.state === 'equal' || o.pushedTo)) {
        o.issue = (await this.issues!.reportInSync(key, o.analysis)) ?? null;
      }
    } catch (e) {
      r.result.success = false;
      r.result.findings.push({
        severity: 'error',
        code: 'mirror-issue-failed',
        message: `Could not update the divergence issue for ${key.branch}: ${(e as Error).message}`,
      });
    }
    if (r.result.details) r.result.details.issue = o.issue ?? null;
    return r.result;
  }

  private async mirrorTags(refsA: Map<string, string>, refsB: Map<string, string>): Promise<TargetResult> {
    const { s, A, B } = this;
    const plan = planTags(selectTags(refsA, s.tags), selectTags(refsB, s.tags));
    const pushed = { a: [] as string[], b: [] as string[] };
    const errors: string[] = [];
    if (!s.dryRun) {
      for (const [dest, src, names] of [
        [B, A, plan.toB],
        [A, B, plan.toA],
      ] as const) {
        if (names.length === 0) continue;
        await src.fetch([], names);
        const res = await dest.push(names.map((t) => `${src.localTag(t)}:refs/tags/${t}`));
        for (const t of names) {
          const st = res.refs.get(`refs/tags/${t}`);
          if (st && (st.status === 'ok' || st.status === 'up-to-date')) pushed[dest.id].push(t);
          else errors.push(`tag ${t} → ${dest.label}: ${st?.detail ?? 'rejected'}`);
        }
      }
    }
    return tagsResult(plan, pushed, errors, s);
  }
}
