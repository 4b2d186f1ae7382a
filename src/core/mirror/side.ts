import { RemoteError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { GitCommandManager } from '../git/git-command-manager.js';
import { fetchRefs, lsRemote, pushRefs, type NetOptions, type PushResult } from '../git/transport.js';
import { HEADS, TAGS } from './analyze.js';
import type { MirrorSide } from './types.js';

/**
 * One side of the mirror (A or B) as seen from the scratch repo. Every network operation of a side
 * runs with that side's auth env only: `http.<server>.extraheader` is scoped per server, so two
 * tokens for the same server would otherwise both be sent (and the wrong one could win).
 * Fetched refs live under `refs/ferry/<id>/heads/*` and `refs/ferry/<id>/tags/*` in the scratch repo.
 */
export class MirrorRemote {
  constructor(
    readonly id: 'a' | 'b',
    readonly side: MirrorSide,
    /** A git manager on the scratch repo carrying only this side's auth env. */
    private readonly git: GitCommandManager,
    private readonly net: NetOptions & { logger: Logger },
  ) {}

  get label(): string {
    return `${this.id.toUpperCase()} (${this.side.spec})`;
  }

  localHead(branch: string): string {
    return `refs/ferry/${this.id}/heads/${branch}`;
  }

  localTag(tag: string): string {
    return `refs/ferry/${this.id}/tags/${tag}`;
  }

  /** Every ref of the remote (heads and tags), name → object id. */
  async listRefs(patterns: string[] = [HEADS + '*', TAGS + '*']): Promise<Map<string, string>> {
    return this.labelled(() => lsRemote(this.git, this.side.url, patterns, this.net));
  }

  /** Fetch branches and tags into this side's namespace of the scratch repo. */
  async fetch(branches: readonly string[], tags: readonly string[] = []): Promise<void> {
    const specs = [
      ...branches.map((b) => `+${HEADS}${b}:${this.localHead(b)}`),
      ...tags.map((t) => `+${TAGS}${t}:${this.localTag(t)}`),
    ];
    if (specs.length === 0) return;
    await this.labelled(() => fetchRefs(this.git, this.side.url, specs, this.net));
  }

  /** Plain (never forced) push of scratch refs to this side. */
  async push(refspecs: string[]): Promise<PushResult> {
    return this.labelled(() => pushRefs(this.git, this.side.url, refspecs, this.net));
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
