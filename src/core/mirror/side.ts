import * as path from 'node:path';
import { RemoteError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { GitCommandManager } from '../git/git-command-manager.js';
import { objectsDir } from '../git/scratch-repo.js';
import {
  fetchRefs,
  lsRemote,
  pushRefs,
  type FetchOptions,
  type NetOptions,
  type PushResult,
} from '../git/transport.js';
import { HEADS, TAGS } from './analyze.js';
import type { MirrorSide } from './types.js';

/**
 * One side of the mirror (A or B). Every network operation of a side runs with that side's auth
 * env only: `http.<server>.extraheader` is scoped per server, so two tokens for the same server
 * would otherwise both be sent (and the wrong one could win).
 *
 * A side given as a local path is never fetched from: the scratch repositories see its objects
 * through alternates (`objects`), so nothing is copied, and only pushes go to it. A side reached
 * through git's transport (a URL, `file://` included) is fetched from, by object id, into
 * `refs/ferry/<id>/<object id>` of whichever scratch repository asks.
 */
export class MirrorRemote {
  private constructor(
    readonly id: 'a' | 'b',
    readonly side: MirrorSide,
    /** This side's auth env (nothing of the other side's). */
    private readonly env: Record<string, string>,
    private readonly net: NetOptions & { logger: Logger },
    /** The object directory of a local side, seen through alternates; undefined: fetched. */
    readonly objects: string | undefined,
  ) {}

  /**
   * A side; `git` is any manager (it runs the local checks). A local repository that is itself
   * shallow is fetched from like a remote one: through alternates its cut-off history would look
   * like missing objects.
   */
  static async open(
    id: 'a' | 'b',
    side: MirrorSide,
    env: Record<string, string>,
    net: NetOptions & { logger: Logger },
    git: GitCommandManager,
  ): Promise<MirrorRemote> {
    let objects: string | undefined;
    if (path.isAbsolute(side.url)) {
      const repo = git.with({ cwd: side.url });
      if (await repo.tryExec(['rev-parse', '--git-dir'])) {
        if (!(await repo.isShallow())) objects = await objectsDir(repo);
      }
    }
    return new MirrorRemote(id, side, env, net, objects);
  }

  get local(): boolean {
    return this.objects !== undefined;
  }

  get label(): string {
    return `${this.id.toUpperCase()} (${this.side.spec})`;
  }

  /** Every ref of the remote (heads and tags), name → object id. */
  async listRefs(
    git: GitCommandManager,
    patterns: string[] = [HEADS + '*', TAGS + '*'],
  ): Promise<Map<string, string>> {
    return this.labelled(() => lsRemote(this.at(git), this.side.url, patterns, this.net));
  }

  /** Fetch objects by id (commits or tags) into `repo`, each kept by a ref of its own. */
  async fetch(repo: GitCommandManager, ids: Iterable<string>, opts: FetchOptions = {}): Promise<void> {
    const specs = [...new Set(ids)].map((id) => `+${id}:refs/ferry/${this.id}/${id}`);
    if (specs.length === 0) return;
    await this.labelled(() => fetchRefs(this.at(repo), this.side.url, specs, { ...this.net, ...opts }));
  }

  /** Plain (never forced) push from `repo` to this side. */
  async push(repo: GitCommandManager, refspecs: string[]): Promise<PushResult> {
    return this.labelled(() => pushRefs(this.at(repo), this.side.url, refspecs, this.net));
  }

  private at(git: GitCommandManager): GitCommandManager {
    return git.with({ env: this.env });
  }

  /** Name the side in remote errors: with two repositories, "authentication failed" alone is a riddle. */
  private async labelled<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof RemoteError) throw new RemoteError(`Repository ${this.label}: ${e.message}`);
      throw e;
    }
  }
}
