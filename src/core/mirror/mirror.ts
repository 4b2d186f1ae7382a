import { ConfigurationError, isExpectedError } from '../errors.js';
import { withGroup, type Logger } from '../logger.js';
import { createGitAuth, type GitAuth } from '../git/git-auth-helper.js';
import { GitCommandManager } from '../git/git-command-manager.js';
import { DEFAULT_MAX_RETRIES, rebuildAndPush, type RefUpdate } from '../git/rebuild-and-push.js';
import { createScratchRepo } from '../git/scratch-repo.js';
import { workflowPermissionError, type PushResult } from '../git/transport.js';
import type { ResultOf } from '../report/result.js';
import { branchUnion, classifyBranch, planTags, pushFor, selectTags, HEADS } from './analyze.js';
import { commitsOnlyIn, mergeBase } from './commits.js';
import { branchResult, tagsResult, type BranchOutcome } from './results.js';
import { MirrorRemote } from './side.js';
import type { BranchAnalysis, DivergenceIssueSink, MirrorSettings } from './types.js';

/** What the mirror reports: one result per branch, and one for tags. */
export type MirrorResult = ResultOf<'mirror-branch' | 'mirror-tags'>;

const NO_COMMITS = { count: 0, commits: [] };

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
): Promise<MirrorResult[]> {
  const t0 = performance.now();
  const git = new GitCommandManager(settings.workDir ?? process.cwd(), { logger });
  await git.assertMinimumVersion();
  const scratch = await createScratchRepo(git, { parent: settings.workDir, name: 'mirror' });
  const local = scratch.git;
  const auths: GitAuth[] = [];
  try {
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
    await scratch.dispose();
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

  async run(): Promise<MirrorResult[]> {
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

    const results: MirrorResult[] = [];
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
   * Push every fast-forward, one push per receiving side, through the one rebuild-and-push helper:
   * a branch rejected because its receiving side moved meanwhile is re-fetched and re-analysed,
   * and pushed again if it is still a fast-forward (the other way round, maybe).
   */
  private async pushAll(outcomes: Map<string, BranchOutcome>): Promise<void> {
    const byRef = new Map([...outcomes.values()].map((o) => [HEADS + o.analysis.branch, o]));
    /** Where each branch's last push went. */
    const dest = new Map<string, MirrorRemote>();
    const sideOf = (ref: string) => dest.get(ref) ?? this.B;
    const loop = await rebuildAndPush({
      label: (ref) => sideOf(ref).label,
      build: async (attempt, moved) => {
        for (const ref of moved) await this.refresh(byRef.get(ref)!, sideOf(ref));
        const again = attempt === 1 ? [...outcomes.values()] : [...moved].map((ref) => byRef.get(ref)!);
        return {
          value: undefined,
          updates: again.filter((o) => pushFor(o.analysis.state)).map((o) => this.update(o, dest)),
        };
      },
      push: (updates) => this.pushBySide(updates, dest, byRef),
      workflowError: (ref) => workflowPermissionError(sideOf(ref).side.spec),
      maxRetries: this.s.maxRetries ?? DEFAULT_MAX_RETRIES,
      backoffBaseMs: this.s.netBaseDelayMs,
      logger: this.logger,
    });
    for (const ref of loop.pushed) byRef.get(ref)!.pushedTo = sideOf(ref).id;
    for (const [ref, e] of loop.refused) byRef.get(ref)!.error = e.message;
  }

  /** The ref update that fast-forwards a branch on the side that lacks its commits. */
  private update(o: BranchOutcome, dest: Map<string, MirrorRemote>): RefUpdate {
    const to = pushFor(o.analysis.state)!.to;
    const [receiver, giver] = to === 'a' ? [this.A, this.B] : [this.B, this.A];
    const ref = HEADS + o.analysis.branch;
    dest.set(ref, receiver);
    return { ref, from: giver.localHead(o.analysis.branch) };
  }

  /** One plain push per receiving side; the answers merged (a branch goes one way per round). */
  private async pushBySide(
    updates: readonly RefUpdate[],
    dest: Map<string, MirrorRemote>,
    byRef: Map<string, BranchOutcome>,
  ): Promise<PushResult> {
    const merged: PushResult = { ok: true, refs: new Map(), stderr: '' };
    for (const side of [this.A, this.B]) {
      const batch = updates.filter((u) => dest.get(u.ref) === side);
      if (batch.length === 0) continue;
      this.logger.info(`Pushing ${batch.map((u) => u.ref.slice(HEADS.length)).join(', ')} to ${side.label}`);
      const res = await side.push(batch.map((u) => `${u.from}:${u.ref}`));
      for (const u of batch) byRef.get(u.ref)!.attempts++;
      for (const [ref, st] of res.refs) merged.refs.set(ref, st);
      merged.ok &&= res.ok;
      merged.stderr += res.stderr;
    }
    return merged;
  }

  /** Re-read one branch on the side that rejected our push, and re-analyse it. */
  private async refresh(o: BranchOutcome, side: MirrorRemote): Promise<void> {
    const branch = o.analysis.branch;
    this.logger.warning(`${side.label} moved while mirroring ${branch}: re-analysing.`);
    const refs = await side.listRefs([HEADS + branch]);
    const now = refs.get(HEADS + branch) ?? null;
    if (now) await side.fetch([branch]);
    const a = side.id === 'a' ? now : o.analysis.a;
    const b = side.id === 'b' ? now : o.analysis.b;
    o.analysis = await this.analyze(branch, a, b);
    this.logger.info(`${branch}: now ${o.analysis.state}`);
  }

  /** Build the branch's result and settle its divergence issue. */
  private async finish(o: BranchOutcome): Promise<ResultOf<'mirror-branch'>> {
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
      // The API refused or failed (RemoteError): the branch's result says so. A bug goes up.
      if (!isExpectedError(e)) throw e;
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

  private async mirrorTags(
    refsA: Map<string, string>,
    refsB: Map<string, string>,
  ): Promise<ResultOf<'mirror-tags'>> {
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
