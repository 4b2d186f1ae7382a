/**
 * The mirror's analysis repository: commits only, and only as deep as the questions need.
 *
 * Every question is "which commits are reachable from these tips and from none of those"
 * (a fast-forward check, a divergence report, what a push sends). Remote sides are fetched
 * shallow and without trees (`--depth`, `--filter=tree:0`: a commit costs a few hundred bytes),
 * then deepened in doubling steps until every answer is exact. A cut-off history errs two ways:
 * - the tips' walk stops early (an answer lacks commits): then the answer holds a shallow
 *   boundary commit;
 * - the other side's walk stops early at a boundary commit X, so commits older than X that X
 *   reaches look "only here". A commit can only be reached from X if it is not newer than X, so an
 *   answer whose commits are all newer than every such X (by committer date, with an hour's slack
 *   for clocks) is exact; where X's parents are here (fetched from the other side), they are
 *   followed instead of trusting dates.
 * Local sides are seen whole through alternates.
 * The repository never holds a tree, so nothing here can be pushed from it: pushes are prepared
 * in a repository of their own (transfer.ts).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../logger.js';
import type { GitCommandManager } from '../git/git-command-manager.js';
import type { MirrorRemote } from './side.js';

/** Commits reachable from `tips` and from none of `not`. */
export interface Question {
  tips: readonly string[];
  not: readonly string[];
}

/** Depth of the first fetch of a tip: most fast-forwards fit, and 64 commits are ~20 KB. */
export const FIRST_DEPTH = 64;
/** Guard against a server that keeps answering without deepening. */
const MAX_ROUNDS = 24;
/**
 * History fetches offer no "have"s (`fetch.negotiationAlgorithm=noop`): for each have, the server
 * walks the trees of that commit to leave out what the client holds (thousands of tree objects on
 * a large repository, seconds per fetch), while resending a few commits costs a few hundred bytes.
 */
const HISTORY_FETCH = { filter: 'tree:0', promisor: true, negotiationTips: [] } as const;
/**
 * Clock skew tolerated between a commit and its ancestors (seconds). A clock wrong by more can
 * only make a fast-forward look diverged (reported, nothing pushed), never lose a commit: git
 * itself refuses a push that is not a fast-forward.
 */
const CLOCK_SLACK_S = 3600;

export class HistoryRepo {
  /** Object ids fetched per remote side (deepening extends them all). */
  private readonly wanted = new Map<MirrorRemote, Set<string>>();
  /** Commits fetched so far, per remote side, as a depth from its tips (for the next step). */
  private readonly depth = new Map<MirrorRemote, number>();
  /** Rounds of deepening done (reported in the log). */
  rounds = 0;

  constructor(
    readonly git: GitCommandManager,
    private readonly logger: Logger,
  ) {}

  /**
   * Fetch `ids` of each side that are new (remote sides only), then deepen every remote side
   * until each question's answer is exact, or the histories are exhausted.
   */
  async settle(
    wants: ReadonlyMap<MirrorRemote, Iterable<string>>,
    questions: readonly Question[],
  ): Promise<void> {
    for (const [side, ids] of wants) {
      if (side.local) continue;
      const seen = this.wanted.get(side) ?? new Set<string>();
      const fresh = [...ids].filter((id) => !seen.has(id));
      if (fresh.length === 0) continue;
      // As deep as this side's history already is: a shallower fetch would cut it.
      const depth = this.depth.get(side) ?? FIRST_DEPTH;
      await this.fetchSide(side, fresh, depth);
      for (const id of fresh) seen.add(id);
      this.wanted.set(side, seen);
      this.depth.set(side, depth);
    }
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const shallow = await this.shallowCommits();
      if (shallow.size === 0 || !(await this.anyOpen(questions, shallow))) return;
      // Each side is fetched again at twice the depth rather than deepened in place (fetchSide).
      for (const [side, ids] of this.wanted) {
        const depth = this.depth.get(side)! * 2;
        this.logger.info(`Reading ${depth} commits of the history of ${side.label}.`);
        await this.fetchSide(side, ids, depth);
        this.depth.set(side, depth);
      }
      this.rounds++;
      const now = await this.shallowCommits();
      if (now.size === shallow.size && [...now].every((c) => shallow.has(c))) return; // nothing deeper
    }
  }

  /**
   * Fetch `ids` of `side` at `depth` (commits only), and keep the shallow boundary right for both
   * sides. The fetch runs without a boundary file, so the client sends none: a server told of a
   * boundary inside the range it sends treats that commit as one the client has, and walks its
   * trees to leave them out (seconds on a large repository). The file is then rewritten as the
   * union of both boundaries, without the commits whose parents are now all here.
   */
  private async fetchSide(side: MirrorRemote, ids: Iterable<string>, depth: number): Promise<void> {
    const file = await this.shallowFile();
    const before = await this.shallowCommits();
    await fs.rm(file, { force: true });
    await side.fetch(this.git, ids, { depth, ...HISTORY_FETCH });
    const all = new Set([...before, ...(await this.shallowCommits())]);
    await fs.rm(file, { force: true });
    if (all.size === 0) return;
    // Without the file, `--parents` prints each commit's real parents.
    const out = await this.git.exec(['rev-list', '--no-walk', '--parents', ...all]);
    const rows = out.split('\n').map((l) => l.split(' ')); // [commit, ...parents]
    const missing = new Set(await missingObjects(this.git, [...new Set(rows.flatMap((r) => r.slice(1)))]));
    const cut = rows.filter((r) => r.slice(1).some((p) => missing.has(p))).map((r) => r[0]);
    if (cut.length) await fs.writeFile(file, cut.map((c) => c + '\n').join(''));
  }

  /** The commits of a question (newest first), as the history holds them. */
  async commits(q: Question): Promise<string[]> {
    const out = await this.git.exec(['rev-list', ...q.tips, '--not', ...q.not]);
    return out ? out.split('\n') : [];
  }

  /**
   * The commits of the `not` side that a push of `tips` builds on: the parents of the question's
   * commits outside it, and tips already reachable from `not`. The receiving side must hold them
   * (with their trees) for git to send only what it lacks.
   */
  async boundary(q: Question): Promise<string[]> {
    const out = await this.git.exec(['rev-list', '--boundary', ...q.tips, '--not', ...q.not]);
    const inside = new Set<string>();
    const edge = new Set<string>();
    for (const line of out.split('\n'))
      if (line.startsWith('-')) edge.add(line.slice(1));
      else if (line) inside.add(line);
    for (const t of q.tips) if (!inside.has(t)) edge.add(t);
    return [...edge];
  }

  /**
   * The fetch depth from `from` that includes every commit of `targets` (a fetch at depth d holds
   * the commits fewer than d steps from a tip), or undefined when one is not reachable here.
   */
  async depthToCover(from: readonly string[], targets: readonly string[]): Promise<number | undefined> {
    if (targets.length === 0) return 1;
    // The graph between `from` and the targets: nothing below the targets' parents is listed.
    const stop = targets.map((t) => `^${t}^@`);
    const out = await this.git.exec(['rev-list', '--parents', ...from, ...stop]);
    const parents = new Map<string, string[]>();
    for (const line of out.split('\n')) {
      const [c, ...ps] = line.split(' ');
      if (c) parents.set(c, ps);
    }
    const dist = new Map<string, number>(from.map((f) => [f, 1]));
    const queue = [...from];
    for (let i = 0; i < queue.length; i++) {
      const c = queue[i];
      for (const p of parents.get(c) ?? [])
        if (!dist.has(p)) {
          dist.set(p, dist.get(c)! + 1);
          queue.push(p);
        }
    }
    let d = 1;
    for (const t of targets) {
      const td = dist.get(t);
      if (td === undefined) return undefined;
      d = Math.max(d, td);
    }
    return d;
  }

  /** Whether `id` names a commit held here (a tag may name a tree or a blob). */
  async isCommit(id: string): Promise<boolean> {
    const r = await this.git.execRaw(['cat-file', '-t', id], { allowedExitCodes: [1, 128] });
    return r.exitCode === 0 && r.stdout.toString().trim() === 'commit';
  }

  private async anyOpen(questions: readonly Question[], shallow: ReadonlySet<string>): Promise<boolean> {
    for (const q of questions) if (await this.isOpen(q, shallow)) return true;
    return false;
  }

  /** Whether the answer to `q` may still change as the history deepens (see the module comment). */
  private async isOpen(q: Question, shallow: ReadonlySet<string>): Promise<boolean> {
    const answer = await this.datedCommits(q.tips, q.not);
    if (answer.size === 0) return false; // a cut-off history only adds commits to an answer
    if ([...answer.keys()].some((c) => shallow.has(c))) return true;
    const oldest = Math.min(...answer.values());
    // The other side's boundary commits: where its walk stopped.
    if (q.not.length === 0) return false;
    const cut = [...(await this.datedCommits(q.not, [])).entries()].filter(([c]) => shallow.has(c));
    const follow: string[] = [];
    for (const [x, date] of cut) {
      const parents = await this.parentsOf(x);
      if (parents.every((p) => p.present)) follow.push(...parents.map((p) => p.id));
      else if (oldest <= date + CLOCK_SLACK_S) return true;
    }
    if (follow.length === 0) return false;
    // Parents that are here: commits they reach are not "only in the tips" (one level; deeper
    // cuts are settled by the next round).
    const again = await this.datedCommits(q.tips, [...q.not, ...follow]);
    return again.size !== answer.size;
  }

  /** Commits reachable from `tips` and from none of `not`, with their committer dates. */
  private async datedCommits(tips: readonly string[], not: readonly string[]): Promise<Map<string, number>> {
    // `commit <id>` then the date: --no-commit-header needs git 2.33.
    const out = await this.git.exec(['rev-list', '--format=%ct', ...tips, '--not', ...not]);
    const m = new Map<string, number>();
    let id = '';
    for (const line of out.split('\n')) {
      if (line.startsWith('commit ')) id = line.slice(7);
      else if (id && line) m.set(id, Number(line));
    }
    return m;
  }

  /** A commit's parents as its object records them (a boundary commit's are hidden from walks). */
  private async parentsOf(id: string): Promise<{ id: string; present: boolean }[]> {
    const body = await this.git.exec(['cat-file', 'commit', id]);
    const ids = [...body.split('\n\n')[0].matchAll(/^parent ([0-9a-f]{40,64})$/gm)].map((m) => m[1]);
    if (ids.length === 0) return [];
    const missing = new Set(await missingObjects(this.git, ids));
    return ids.map((p) => ({ id: p, present: !missing.has(p) }));
  }

  /** The shallow boundary: commits whose parents this repository does not hold. */
  private async shallowCommits(): Promise<Set<string>> {
    const text = await fs.readFile(await this.shallowFile(), 'utf8').catch(() => '');
    return new Set(text.split('\n').filter(Boolean));
  }

  private async shallowFile(): Promise<string> {
    return path.join(await this.gitDir(), 'shallow');
  }

  private dir?: string;
  private async gitDir(): Promise<string> {
    return (this.dir ??= await this.git.gitDir());
  }
}

/** The objects of `ids` that `repo` does not hold. */
export async function missingObjects(repo: GitCommandManager, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const out = await repo.exec(['cat-file', '--batch-check=%(objectname)'], { input: ids.join('\n') + '\n' });
  return out
    .split('\n')
    .filter((l) => l.endsWith(' missing'))
    .map((l) => l.split(' ')[0]);
}
