import { ConfigurationError, isExpectedError } from '../errors.js';
import { withGroup, type Logger } from '../logger.js';
import { createGitAuth, type GitAuth } from '../git/git-auth-helper.js';
import { GitCommandManager, missingObjectsError } from '../git/git-command-manager.js';
import { DEFAULT_MAX_RETRIES, rebuildAndPush, type RefUpdate } from '../git/rebuild-and-push.js';
import { workflowPermissionError, type PushResult } from '../git/transport.js';
import type { ResultOf } from '../report/result.js';
import { branchUnion, classifyBranch, planTags, pushFor, selectTags, HEADS, TAGS } from './analyze.js';
import { commitsOnlyIn, mergeBase } from './commits.js';
import type { Question } from './history.js';
import { branchResult, tagsResult, type BranchOutcome } from './results.js';
import { MirrorRemote } from './side.js';
import { prepareTransfer, type PushPlan } from './transfer.js';
import type { BranchAnalysis, DivergenceIssueSink, MirrorSettings } from './types.js';
import { MirrorWorkspace } from './workspace.js';

/** What the mirror reports: one result per branch, and one for tags. */
export type MirrorResult = ResultOf<'mirror-branch' | 'mirror-tags'>;

const NO_COMMITS = { count: 0, commits: [] };

/**
 * Mirror branches (and optionally tags) between two repositories, both ways, by fast-forward only.
 * Returns one TargetResult per branch (kind `mirror-branch`) plus one for tags (kind `mirror-tags`)
 * when tags are mirrored. Divergence goes to `issues` when `onDivergence` is `issue`; without a
 * sink, `issue` behaves as `fail`. A dry run analyses only: nothing is pushed, no issue is touched.
 *
 * Both sides are listed with `ls-remote`; a run where they agree stops there. Otherwise the
 * history is fetched commits-only and as deep as the questions need (history.ts), and each push
 * fetches about what it adds (transfer.ts).
 */
export async function runMirror(
  settings: MirrorSettings,
  logger: Logger,
  issues?: DivergenceIssueSink,
): Promise<MirrorResult[]> {
  const t0 = performance.now();
  const git = new GitCommandManager(settings.workDir ?? process.cwd(), { logger });
  await git.assertMinimumVersion();
  const auths: GitAuth[] = [];
  let ws: MirrorWorkspace | undefined;
  try {
    const net = { logger, baseDelayMs: settings.netBaseDelayMs };
    const authA = await createGitAuth(settings.a.auth);
    auths.push(authA);
    const authB = await createGitAuth(settings.b.auth);
    auths.push(authB);
    const A = await MirrorRemote.open('a', settings.a, authA.env, net, git);
    const B = await MirrorRemote.open('b', settings.b, authB.env, net, git);
    ws = new MirrorWorkspace(git, [A, B], logger, settings.workDir);
    const engine = new MirrorEngine(settings, logger, git, ws, A, B, issues);
    const results = await engine.run();
    const fetched = await ws.fetchedBytes();
    if (fetched > 0) logger.info(`Fetched ${formatBytes(fetched)} in all.`);
    const ms = Math.round(performance.now() - t0);
    // The wall time is shared: each result carries its share so totals add up.
    for (const r of results) r.durationMs = Math.round(ms / results.length);
    return results;
  } finally {
    for (const a of auths) await a.cleanup();
    await ws?.dispose();
  }
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

type Tips = { a: Map<string, string>; b: Map<string, string> };

class MirrorEngine {
  /** Each side's branch tips as this run knows them (its own pushes included). */
  private readonly tips: Tips = { a: new Map(), b: new Map() };

  constructor(
    private readonly s: MirrorSettings,
    private readonly logger: Logger,
    private readonly git: GitCommandManager,
    private readonly ws: MirrorWorkspace,
    private readonly A: MirrorRemote,
    private readonly B: MirrorRemote,
    private readonly issues?: DivergenceIssueSink,
  ) {}

  async run(): Promise<MirrorResult[]> {
    const { s, A, B } = this;
    const [refsA, refsB] = await withGroup(this.logger, 'List refs on both sides', async () => [
      await A.listRefs(this.git),
      await B.listRefs(this.git),
    ]);
    const branches = branchUnion(refsA, refsB, s.branches);
    if (branches.length === 0)
      throw new ConfigurationError(
        `No branch matching ${s.branches.map((b) => `'${b}'`).join(', ')} exists on ${A.label} or ${B.label}. ` +
          'Check the branches input (names or globs such as release/*).',
      );
    for (const b of branches) {
      if (refsA.has(HEADS + b)) this.tips.a.set(b, refsA.get(HEADS + b)!);
      if (refsB.has(HEADS + b)) this.tips.b.set(b, refsB.get(HEADS + b)!);
    }
    // Branches already equal need no history: the daily no-op run fetches nothing at all.
    const differ = branches.filter((b) => this.tip('a', b) !== this.tip('b', b));
    if (differ.length)
      await withGroup(this.logger, `Read the history of ${differ.length} branch(es)`, () =>
        this.settle(differ),
      );

    const outcomes = new Map<string, BranchOutcome>();
    for (const b of branches) {
      const analysis = await this.analyze(b);
      outcomes.set(b, { analysis, pushedTo: null, attempts: 0, error: null });
      this.logger.info(`${b}: ${analysis.state}`);
    }
    if (!s.dryRun) await this.pushAll(outcomes);

    const results: MirrorResult[] = [];
    for (const b of branches) results.push(await this.finish(outcomes.get(b)!));
    if (s.tags.kind !== 'none') results.push(await this.mirrorTags(refsA, refsB));
    return results;
  }

  private tip(id: 'a' | 'b', branch: string): string | null {
    return this.tips[id].get(branch) ?? null;
  }

  private side(id: 'a' | 'b'): MirrorRemote {
    return id === 'a' ? this.A : this.B;
  }

  /** The side that is not `side`: the giver of a push to it. */
  private other(side: MirrorRemote): MirrorRemote {
    return side === this.A ? this.B : this.A;
  }

  /** What a new ref on `receiver` builds on: its tips of the mirrored branches. */
  private basesOn(receiver: MirrorRemote): string[] {
    return [...new Set(this.tips[receiver.id].values())];
  }

  /**
   * Make the analysis repository answer every question about `branches` exactly: for a branch on
   * both sides, the commits only in A and only in B; for a branch on one side, the commits the
   * other side lacks (counted against its mirrored branches).
   */
  private async settle(branches: readonly string[]): Promise<void> {
    const wants = new Map<MirrorRemote, string[]>([
      [this.A, []],
      [this.B, []],
    ]);
    const questions: Question[] = [];
    for (const branch of branches) {
      const a = this.tip('a', branch);
      const b = this.tip('b', branch);
      if (a && b) {
        wants.get(this.A)!.push(a);
        wants.get(this.B)!.push(b);
        questions.push({ tips: [a], not: [b] }, { tips: [b], not: [a] });
      } else if (a || b) {
        const [giver, receiver] = a ? [this.A, this.B] : [this.B, this.A];
        const bases = this.basesOn(receiver);
        wants.get(giver)!.push((a ?? b)!);
        wants.get(receiver)!.push(...bases);
        questions.push({ tips: [(a ?? b)!], not: bases });
      }
    }
    const hist = await this.ws.historyRepo();
    await hist.settle(wants, questions);
  }

  /** Classify one branch from the settled history. */
  private async analyze(branch: string): Promise<BranchAnalysis> {
    const a = this.tip('a', branch);
    const b = this.tip('b', branch);
    const facts = { a, b, aInB: false, bInA: false };
    const out: BranchAnalysis = {
      branch,
      state: 'equal',
      a,
      b,
      mergeBase: null,
      onlyInA: NO_COMMITS,
      onlyInB: NO_COMMITS,
    };
    if (a === b) return out;
    const g = (await this.ws.historyRepo()).git;
    if (a && b) {
      facts.bInA = await g.isAncestor(b, a);
      facts.aInB = !facts.bInA && (await g.isAncestor(a, b));
    }
    const state = classifyBranch(facts);
    out.state = state;
    const cap = this.s.maxListedCommits;
    if (state === 'a-ahead' || state === 'diverged') out.onlyInA = await commitsOnlyIn(g, a!, [b!], cap);
    if (state === 'b-ahead' || state === 'diverged') out.onlyInB = await commitsOnlyIn(g, b!, [a!], cap);
    if (state === 'missing-in-b') out.onlyInA = await commitsOnlyIn(g, a!, this.basesOn(this.B), 0);
    if (state === 'missing-in-a') out.onlyInB = await commitsOnlyIn(g, b!, this.basesOn(this.A), 0);
    if (state === 'diverged') out.mergeBase = await mergeBase(g, a!, b!);
    return out;
  }

  /**
   * Push every fast-forward, one push per receiving side, through the one rebuild-and-push helper:
   * a branch rejected because its receiving side moved meanwhile is re-read and re-analysed,
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
        const plans: PushPlan[] = [];
        for (const o of again) if (pushFor(o.analysis.state)) plans.push(await this.branchPlan(o.analysis));
        await this.transfer(plans);
        for (const p of plans) dest.set(p.ref, p.receiver);
        return { value: undefined, updates: plans.map((p) => ({ ref: p.ref, from: p.want })) };
      },
      push: (updates) => this.pushBySide(updates, dest, byRef),
      workflowError: (ref) => workflowPermissionError(sideOf(ref).side.spec),
      maxRetries: this.s.maxRetries ?? DEFAULT_MAX_RETRIES,
      backoffBaseMs: this.s.netBaseDelayMs,
      logger: this.logger,
    });
    for (const ref of loop.pushed) {
      const o = byRef.get(ref)!;
      const to = sideOf(ref).id;
      o.pushedTo = to;
      this.tips[to].set(o.analysis.branch, (to === 'a' ? o.analysis.b : o.analysis.a)!);
    }
    for (const [ref, e] of loop.refused) byRef.get(ref)!.error = e.message;
  }

  /** The push that fast-forwards (or creates) a branch on the side that lacks its commits. */
  private async branchPlan(an: BranchAnalysis): Promise<PushPlan> {
    const push = pushFor(an.state)!;
    const receiver = this.side(push.to);
    const want = (push.from === 'a' ? an.a : an.b)!;
    const theirs = push.to === 'a' ? an.a : an.b;
    const bases = theirs ? [theirs] : this.basesOn(receiver);
    const [plan] = await this.plans([{ ref: HEADS + an.branch, want }], receiver, [want], bases);
    return plan;
  }

  /** Plans for refs that go to `receiver` together; `commits` are the commits they name. */
  private async plans(
    refs: readonly { ref: string; want: string }[],
    receiver: MirrorRemote,
    commits: readonly string[],
    bases: readonly string[],
  ): Promise<PushPlan[]> {
    const giver = this.other(receiver);
    let cover: string[] = [];
    let depth: number | undefined = 1;
    // Only a push between two fetched sides fetches the receiver's commits (transfer.ts).
    if (!giver.local && !receiver.local && commits.length) {
      const hist = await this.ws.historyRepo();
      cover = await hist.boundary({ tips: commits, not: bases });
      depth = await hist.depthToCover(bases, cover);
    }
    return refs.map(({ ref, want }) => ({ ref, receiver, giver, want, bases, cover, depth }));
  }

  /** Fetch what the pushes need, into each receiver's push repository. */
  private async transfer(plans: readonly PushPlan[]): Promise<void> {
    for (const receiver of [this.A, this.B]) {
      const batch = plans.filter((p) => p.receiver === receiver);
      if (batch.length === 0 || batch[0].giver.local) continue;
      await withGroup(
        this.logger,
        `Fetch what ${receiver.label} lacks from ${batch[0].giver.label}`,
        async () => prepareTransfer(await this.ws.pushRepo(receiver), batch, this.logger),
      );
    }
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
      const res = await side.push(
        await this.ws.pushRepo(side),
        batch.map((u) => `${u.from}:${u.ref}`),
      );
      for (const u of batch) byRef.get(u.ref)!.attempts++;
      // A local giver lends its objects through alternates: when it lacks some, git's push says
      // so locally, and the receiver only sees an incomplete pack ("unpacker error").
      const giver = this.other(side);
      const lacking = res.ok
        ? undefined
        : missingObjectsError(res.stderr, `Repository ${(giver.local ? giver : side).label}`);
      if (lacking) throw lacking;
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
    const refs = await side.listRefs(this.git, [HEADS + branch]);
    const now = refs.get(HEADS + branch);
    if (now) this.tips[side.id].set(branch, now);
    else this.tips[side.id].delete(branch);
    await this.settle([branch]);
    o.analysis = await this.analyze(branch);
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
      for (const [dest, refs, names] of [
        [B, refsA, plan.toB],
        [A, refsB, plan.toA],
      ] as const) {
        if (names.length === 0) continue;
        await this.prepareTags(dest, refs, names);
        const repo = await this.ws.pushRepo(dest);
        const res = await dest.push(
          repo,
          names.map((t) => `${refs.get(TAGS + t)}:${TAGS}${t}`),
        );
        for (const t of names) {
          const st = res.refs.get(TAGS + t);
          if (st && (st.status === 'ok' || st.status === 'up-to-date')) pushed[dest.id].push(t);
          else errors.push(`tag ${t} → ${dest.label}: ${st?.detail ?? 'rejected'}`);
        }
      }
    }
    return tagsResult(plan, pushed, errors, s);
  }

  /**
   * Fetch what tags new to `dest` need, like a branch creation: against `dest`'s mirrored
   * branches as they are after this run's pushes (a release tag usually names a commit they hold).
   */
  private async prepareTags(
    dest: MirrorRemote,
    refs: Map<string, string>,
    names: readonly string[],
  ): Promise<void> {
    const src = this.other(dest);
    if (src.local) return;
    const hist = await this.ws.historyRepo();
    const bases = this.basesOn(dest);
    const wants = names.map((t) => refs.get(TAGS + t)!);
    await hist.settle(
      new Map([
        [src, wants],
        [dest, bases],
      ]),
      [],
    );
    // Only tags of commits take part in the history questions (a tag may name a tree).
    const commits: string[] = [];
    for (const t of names) {
      const target = refs.get(`${TAGS}${t}^{}`) ?? refs.get(TAGS + t)!;
      if (await hist.isCommit(target)) commits.push(target);
    }
    if (commits.length) await hist.settle(new Map(), [{ tips: commits, not: bases }]);
    const plans = await this.plans(
      names.map((t) => ({ ref: TAGS + t, want: refs.get(TAGS + t)! })),
      dest,
      commits,
      bases,
    );
    await withGroup(this.logger, `Fetch the tags ${dest.label} lacks`, async () =>
      prepareTransfer(await this.ws.pushRepo(dest), plans, this.logger),
    );
  }
}
