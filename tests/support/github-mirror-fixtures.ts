import * as path from 'node:path';
import { commitFiles, git, makeBare, makeRepo } from './git-fixtures.js';
import { GitHttpServer } from './git-http-server.js';
import { GitHubApiServer } from './github-api-server.js';
import { cleanupTmp, tmpDir } from './tmp.js';

/**
 * Two bare repositories ("A" and "B") that start identical, and helpers to add commits to either
 * side through a clone, the way a merged PR lands. Used by the mirror integration and e2e tests.
 */
export class MirrorPair {
  private n = 0;
  constructor(
    readonly root: string,
    readonly a: string,
    readonly b: string,
  ) {}

  /** Bare A and B (paths given or under root) both at one initial commit on main. */
  static async create(
    root: string,
    a = path.join(root, 'a.git'),
    b = path.join(root, 'b.git'),
  ): Promise<MirrorPair> {
    const pair = new MirrorPair(root, a, b);
    for (const bare of [a, b]) await makeBare(bare).catch(() => bare);
    const seed = path.join(root, 'seed');
    await makeRepo(seed, { 'README.md': 'hello\n' }, 'initial');
    git(seed, ['push', '-q', a, 'main']);
    git(seed, ['push', '-q', b, 'main']);
    return pair;
  }

  /** Commit on `side`'s branch (created from main when missing) and push it there. Returns the sha. */
  async commit(
    side: 'a' | 'b',
    message: string,
    branch = 'main',
    files?: Record<string, string>,
  ): Promise<string> {
    const bare = side === 'a' ? this.a : this.b;
    const work = path.join(this.root, `work-${side}-${++this.n}`);
    git(this.root, ['clone', '-q', bare, work]);
    if (git(work, ['ls-remote', 'origin', `refs/heads/${branch}`]) === '')
      git(work, ['checkout', '-q', '-b', branch]);
    else git(work, ['checkout', '-q', branch]);
    const sha = await commitFiles(work, files ?? { [`${side}-${this.n}.txt`]: `${message}\n` }, message);
    git(work, ['push', '-q', 'origin', `HEAD:refs/heads/${branch}`]);
    return sha;
  }

  tip(side: 'a' | 'b', ref = 'main'): string | undefined {
    try {
      return git(side === 'a' ? this.a : this.b, ['rev-parse', '--verify', '-q', ref]);
    } catch {
      return undefined;
    }
  }

  tag(side: 'a' | 'b', name: string, rev = 'main'): void {
    git(side === 'a' ? this.a : this.b, ['tag', name, rev]);
  }
}

/** The loopback servers of a test file: git over smart HTTP and GitHub's REST API (pull requests backed by the git server's repos), with a tmp root. */
export interface LoopbackGitHub {
  git: GitHttpServer;
  api: GitHubApiServer;
  root: string;
}

/**
 * Start both loopback servers before the file's tests and stop them (and clean the tmp dirs)
 * after; the fields are set once `beforeAll` has run.
 */
export function loopbackGitHub(
  gitToken: string,
  apiToken: string,
  opts: { apiPathPrefix?: string } = {},
): LoopbackGitHub {
  const lb = {} as LoopbackGitHub;
  beforeAll(async () => {
    lb.root = await tmpDir();
    lb.git = new GitHttpServer(path.join(lb.root, 'srv'), gitToken);
    await lb.git.start();
    lb.api = new GitHubApiServer(apiToken, { pathPrefix: opts.apiPathPrefix });
    await lb.api.start();
    // Pull requests live in the git server's bare repos; refs/pull/N/head follows pushes.
    lb.api.pulls.attach(lb.git.root);
    lb.git.beforeRequest = (full) => lb.api.pulls.sync(full);
  });
  afterAll(async () => {
    await lb.git.stop();
    await lb.api.stop();
    await cleanupTmp();
  });
  return lb;
}
