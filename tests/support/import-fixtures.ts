/**
 * A private repository exported to a public one, and pull requests on the public one, for the
 * import tests: local bare repositories, real git, `refs/pull/N/head` written as GitHub does.
 * The in-process PullRequestHost stands in for the API in the core tests; the e2e tests use the
 * loopback GitHub instead.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runExport } from '../../src/core/export/index.js';
import type { PrivatePullRequest, PublicPullRequest, PullRequestHost } from '../../src/core/import/types.js';
import { silentLogger } from '../../src/core/logger.js';
import { commitFiles, git, GIT_ENV, makeBare, writeFiles, type FileSpec } from './git-fixtures.js';
import { execFileSync } from 'node:child_process';

export const ALLOWLIST = 'src/pub/\nLICENSE\n!src/pub/internal/\n';
export const MAP = ['src/pub/=lib/'];
export const PRESERVE = ['LICENSE', 'README.md'];

export interface ImportFixture {
  dir: string;
  /** The private repository behind the remote (bare) and its checkout. */
  privateBare: string;
  checkout: string;
  publicBare: string;
  allowlist: string;
  /** The private revision the public main was exported from. */
  exportedRev: string;
}

/** Private files under src/pub/ are exported to lib/; README.md is the public repo's own. */
export async function makeImportFixture(
  dir: string,
  bares: { privateBare?: string; publicBare?: string } = {},
): Promise<ImportFixture> {
  await fs.mkdir(dir, { recursive: true });
  const privateBare = await makeBare(bares.privateBare ?? path.join(dir, 'private.git'));
  const checkout = path.join(dir, 'private');
  git(dir, ['clone', '-q', privateBare, checkout]);
  git(checkout, ['checkout', '-q', '-b', 'main']);
  await commitFiles(checkout, {
    'src/pub/a.txt': 'one\ntwo\nthree\n',
    'src/pub/b.txt': 'b\n',
    'src/pub/internal/x.txt': 'internal\n',
    'src/priv/secret.txt': 'private\n',
    LICENSE: 'MIT\n',
  });
  git(checkout, ['push', '-q', 'origin', 'main']);
  const publicBare = await makeBare(bares.publicBare ?? path.join(dir, 'public.git'));
  const allowlist = path.join(dir, 'allowlist.txt');
  await fs.writeFile(allowlist, ALLOWLIST);
  // The public repository's own README, then Ferry's first export on top.
  const seed = path.join(dir, 'public-seed');
  git(dir, ['clone', '-q', publicBare, seed]);
  git(seed, ['checkout', '-q', '-b', 'main']);
  await commitFiles(seed, { 'README.md': 'public readme\n' }, 'readme');
  git(seed, ['push', '-q', 'origin', 'main']);
  const exportedRev = await exportNow({ checkout, publicBare, allowlist });
  return { dir, privateBare, checkout, publicBare, allowlist, exportedRev };
}

/** Export the checkout to the public repository again (what the next export run does). */
export async function exportNow(
  f: Pick<ImportFixture, 'checkout' | 'publicBare' | 'allowlist'>,
  branch = 'main',
) {
  const r = await runExport(
    {
      source: f.checkout,
      target: f.publicBare,
      branch,
      allowlistFile: f.allowlist,
      map: MAP,
      preserve: PRESERVE,
    },
    silentLogger,
  );
  if (!r.success) throw new Error(`fixture export failed: ${r.message}`);
  return git(f.checkout, ['rev-parse', 'HEAD']);
}

export interface PrSpec {
  files: Record<string, FileSpec | null>;
  author?: { name: string; email: string };
  message?: string;
  /** Submodules to add: path → commit id. */
  gitlinks?: Record<string, string>;
  /** Start from this public ref (default main). */
  from?: string;
}

/** Commits on a clone of the public repository, published as refs/pull/N/head. */
export async function openPublicPr(f: ImportFixture, n: number, commits: PrSpec[]): Promise<string> {
  const clone = path.join(f.dir, `pr-${n}-${Date.now()}`);
  git(f.dir, ['clone', '-q', f.publicBare, clone]);
  git(clone, ['checkout', '-q', '--detach', `origin/${commits[0]?.from ?? 'main'}`]);
  let sha = git(clone, ['rev-parse', 'HEAD']);
  for (const c of commits) {
    await writeFiles(clone, c.files);
    git(clone, ['add', '-A']);
    for (const [p, sha] of Object.entries(c.gitlinks ?? {}))
      git(clone, ['update-index', '--add', '--cacheinfo', `160000,${sha},${p}`]);
    const who = c.author ?? { name: 'Jane Doe', email: 'jane@example.com' };
    execFileSync('git', ['commit', '-q', '--allow-empty', '-m', c.message ?? 'contribution'], {
      cwd: clone,
      env: { ...GIT_ENV, GIT_AUTHOR_NAME: who.name, GIT_AUTHOR_EMAIL: who.email },
    });
    sha = git(clone, ['rev-parse', 'HEAD']);
  }
  // GitHub writes refs/pull/N/head itself; the contributor cannot push it.
  git(clone, ['push', '-q', '-f', 'origin', `HEAD:refs/pull/${n}/head`]);
  return sha;
}

/** The GitHub side in memory: the pull requests of the public repository and the private one. */
export class MemoryHost implements PullRequestHost {
  readonly publicComments: { number: number; body: string }[] = [];
  readonly privateComments: { number: number; body: string }[] = [];
  readonly privatePrs: (PrivatePullRequest & { head: string; base: string; title: string; body: string })[] =
    [];
  readonly prs = new Map<number, Omit<PublicPullRequest, 'headSha'>>();
  labelled: number[] = [];
  /** Called on each getPublic (a test moves the head from here). */
  onGet?: (n: number, call: number) => void;
  private calls = 0;

  constructor(private readonly publicBare: string) {}

  addPr(n: number, title = `Fix ${n}`, body = 'Please take this.') {
    this.prs.set(n, {
      number: n,
      title,
      body,
      state: 'open',
      url: `https://github.invalid/acme/public/pull/${n}`,
      author: { login: 'jane', id: 4242, name: 'Jane Doe' },
    });
  }

  async getPublic(n: number): Promise<PublicPullRequest> {
    this.onGet?.(n, ++this.calls);
    const pr = this.prs.get(n);
    if (!pr) throw new Error(`no PR ${n}`);
    return { ...pr, headSha: git(this.publicBare, ['rev-parse', `refs/pull/${n}/head`]) };
  }
  async listPublicByLabel(): Promise<number[]> {
    return this.labelled;
  }
  async commentPublic(number: number, marker: string, body: string): Promise<boolean> {
    if (this.publicComments.some((c) => c.number === number && c.body.includes(marker))) return false;
    this.publicComments.push({ number, body: `${marker}\n${body}` });
    return true;
  }
  async findPrivate(head: string) {
    return this.privatePrs.find((p) => p.head === head);
  }
  async openPrivate(p: { head: string; base: string; title: string; body: string }) {
    const pr = {
      ...p,
      number: 100 + this.privatePrs.length,
      url: `https://github.invalid/acme/private/pull/${100 + this.privatePrs.length}`,
    };
    this.privatePrs.push(pr);
    return { number: pr.number, url: pr.url };
  }
  async updatePrivate(number: number, p: { title: string; body: string }) {
    Object.assign(
      this.privatePrs.find((x) => x.number === number)!,
      p,
    );
  }
  async commentPrivate(number: number, marker: string, body: string): Promise<boolean> {
    if (this.privateComments.some((c) => c.number === number && c.body.includes(marker))) return false;
    this.privateComments.push({ number, body });
    return true;
  }
}
