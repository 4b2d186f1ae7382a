/**
 * The mirror's scratch repositories, made only when a run has something to look at (a no-op run
 * lists refs and makes none): one analysis repository (commits only, history.ts) and one push
 * repository per receiving side (transfer.ts). Each push repository holds one receiver's commits
 * without blobs and the giver's objects with them, never the reverse, so a giver's fetch is never
 * skipped because its tip is already there without its blobs. All see local sides through
 * alternates. Their pack sizes are what the run fetched.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../logger.js';
import type { GitCommandManager } from '../git/git-command-manager.js';
import { createScratchRepo, type ScratchRepo } from '../git/scratch-repo.js';
import { HistoryRepo } from './history.js';
import type { MirrorRemote } from './side.js';

export class MirrorWorkspace {
  private readonly repos: Promise<ScratchRepo>[] = [];
  private history?: Promise<HistoryRepo>;
  private readonly pushRepos = new Map<MirrorRemote, Promise<GitCommandManager>>();

  constructor(
    private readonly base: GitCommandManager,
    private readonly sides: readonly MirrorRemote[],
    private readonly logger: Logger,
    private readonly parent?: string,
  ) {}

  /** The analysis repository. */
  async historyRepo(): Promise<HistoryRepo> {
    this.history ??= this.make('mirror-history').then((r) => new HistoryRepo(r.git, this.logger));
    return this.history;
  }

  /** The push repository for pushes to `receiver`. */
  async pushRepo(receiver: MirrorRemote): Promise<GitCommandManager> {
    let repo = this.pushRepos.get(receiver);
    if (!repo) {
      repo = this.make(`mirror-to-${receiver.id}`).then((r) => r.git);
      this.pushRepos.set(receiver, repo);
    }
    return repo;
  }

  /** Bytes of objects fetched into the scratch repositories (their packs and loose objects). */
  async fetchedBytes(): Promise<number> {
    let total = 0;
    for (const r of await Promise.all(this.repos)) total += await dirBytes(path.join(r.dir, 'objects'));
    return total;
  }

  async dispose(): Promise<void> {
    const made = await Promise.allSettled(this.repos);
    for (const r of made) if (r.status === 'fulfilled') await r.value.dispose();
  }

  private make(name: string): Promise<ScratchRepo> {
    const alternates = this.sides.flatMap((s) => (s.objects ? [s.objects] : []));
    const repo = createScratchRepo(this.base, { parent: this.parent, name, alternates });
    this.repos.push(repo);
    return repo;
  }
}

/** Pack files and loose objects under an object directory (not indexes, not alternates). */
async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) {
    const loose = /^[0-9a-f]{2}$/.test(path.basename(e.parentPath));
    if (e.isFile() && (loose || e.name.endsWith('.pack')))
      total += (await fs.stat(path.join(e.parentPath, e.name))).size;
  }
  return total;
}
