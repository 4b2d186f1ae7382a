import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { commitFiles, git, makeRepo, revParse } from '../support/git-fixtures.js';
import { loopbackGitHub } from '../support/github-mirror-fixtures.js';
import { runAction, type ActionRun } from '../support/run-action.js';

/**
 * Closing the loop: an export (dist/sync-to-public, a plain push) that publishes a change imported
 * from a public pull request (`Ferry-Import` trailers) comments "landed as <sha>" once, labels and
 * closes it; a pull request that moved after the import is told so and left open.
 */
const TOKEN = 'ghs_closeLoop_7e8f9a0b';
const lb = loopbackGitHub(TOKEN, TOKEN);
afterEach(() => expect(lb.api.violations.splice(0)).toEqual([]));
const SCENARIO_MS = 300_000;

/** A public repository `acme/<name>` and a contributor's fork, both holding a README on main. */
async function publicWithFork(
  name: string,
): Promise<{ full: string; bare: string; fork: string; seed: string }> {
  const full = `acme/${name}`;
  const bare = await lb.git.repo(full);
  const fork = await lb.git.repo(`octo/${name}`);
  const seed = path.join(lb.root, `seed-${name}`);
  await makeRepo(seed, { 'README.md': '# public\n' });
  git(seed, ['push', '-q', bare, 'main']);
  return { full, bare, fork, seed };
}

/** dist/sync-to-public from `source` to `full` (allowlist allow.txt, README.md preserved). */
function syncToPublic(source: string, full: string, inputs: Record<string, string> = {}): Promise<ActionRun> {
  return runAction('sync-to-public', {
    cwd: source,
    env: {
      GITHUB_SERVER_URL: lb.git.url,
      GITHUB_API_URL: lb.api.url,
      GITHUB_REPOSITORY: 'acme/private',
      FERRY_GITHUB_TEST_TIMING: '1',
    },
    inputs: { 'target-repo': full, token: TOKEN, allowlist: 'allow.txt', preserve: 'README.md', ...inputs },
  });
}

/** The JSON report's `details.landed` of a run. */
async function landed(r: ActionRun): Promise<unknown> {
  return JSON.parse(await fs.readFile(r.outputs['report-path'], 'utf8')).results[0].details.landed;
}

test(
  'the export that publishes an imported change closes its pull request; a moved one stays open',
  async () => {
    const { full, bare, fork, seed } = await publicWithFork('pub-loop');
    git(seed, ['push', '-q', fork, 'main']);
    // Two contributor pull requests from a fork.
    const heads: string[] = [];
    for (const b of ['fix-1', 'fix-2']) {
      git(seed, ['checkout', '-q', '-B', b, 'main']);
      heads.push(await commitFiles(seed, { [`public/${b}.txt`]: `${b}\n` }, b));
      git(seed, ['push', '-q', fork, `${b}:refs/heads/${b}`]);
      lb.api.pulls.open(full, { title: b, head: `octo:${b}`, user: { login: 'octo', id: 42 } });
    }
    // #2 moves after its import.
    const moved = await commitFiles(seed, { 'public/fix-2.txt': 'fix-2, again\n' }, 'fix-2 again');
    git(seed, ['push', '-q', fork, 'fix-2:refs/heads/fix-2']);

    const source = path.join(lb.root, 'source');
    await makeRepo(source, { 'public/a.txt': 'a\n', 'allow.txt': 'public/\n' });
    for (const [i, b] of ['fix-1', 'fix-2'].entries())
      await commitFiles(
        source,
        { [`public/${b}.txt`]: `${b}\n` },
        `${b} (#${i + 1})\n\nFerry-Import: ${full}#${i + 1}\nFerry-Import-Head: ${heads[i]}\nFerry-Import-Base: ${'0'.repeat(40)}\nCo-authored-by: octo <42+octo@users.noreply.github.com>`,
      );
    const r = await syncToPublic(source, full);
    expect(r.exitCode).toBe(0);
    const published = revParse(bare, 'main')!;
    // The export commit keeps the contributor's credit last, after Ferry's trailers.
    expect(git(bare, ['log', '-1', '--format=%B', 'main'])).toMatch(
      /Ferry-Origin-Rev: [0-9a-f]{40}\nFerry-Config: [0-9a-f]{16}\nCo-authored-by: octo <42\+octo@users\.noreply\.github\.com>\s*$/,
    );
    const [p1, p2] = lb.api.pulls.all(full);
    expect(p1.issue).toMatchObject({ state: 'closed', labels: ['ferry-landed'] });
    expect(lb.api.comments(full, 1).map((c) => c.body)).toEqual([
      expect.stringContaining(`landed as ${published}`),
    ]);
    expect(p2.issue.state).toBe('open');
    expect(p2.pull.headSha).toBe(moved);
    expect(lb.api.comments(full, 2).map((c) => c.body)).toEqual([
      expect.stringMatching(/has moved since .*leaves it open/),
    ]);
    expect(r.summary).toMatch(/Imported pull request\*\* acme\/pub-loop#1 landed as [0-9a-f]{7}: closed/);
    expect(await landed(r)).toEqual([
      expect.objectContaining({ pull_request: `${full}#2`, operation: 'moved' }),
      expect.objectContaining({ pull_request: `${full}#1`, operation: 'closed', commit: published }),
    ]);
  },
  SCENARIO_MS,
);

test(
  'an export through the rolling pull request closes the imported pull request once that pull request is merged',
  async () => {
    const { full, bare, fork, seed } = await publicWithFork('pub-loop-pr');
    git(seed, ['checkout', '-q', '-B', 'fix', 'main']);
    const head = await commitFiles(seed, { 'public/fix.txt': 'fix\n' }, 'fix');
    git(seed, ['push', '-q', fork, 'fix:refs/heads/fix']);
    lb.api.pulls.open(full, { title: 'fix', head: 'octo:fix', user: { login: 'octo', id: 42 } });
    const source = path.join(lb.root, 'source-pr');
    await makeRepo(source, { 'public/a.txt': 'a\n', 'allow.txt': 'public/\n' });
    await commitFiles(
      source,
      { 'public/fix.txt': 'fix\n' },
      `fix (#1)\n\nFerry-Import: ${full}#1\nFerry-Import-Head: ${head}\nFerry-Import-Base: ${'0'.repeat(40)}`,
    );
    const run = () => syncToPublic(source, full, { 'pull-request': 'true' });
    // The export is proposed, not landed: the contributor's pull request stays open.
    const proposed = await run();
    expect(proposed.exitCode).toBe(0);
    expect(proposed.outputs['pull-request-operation']).toBe('created');
    const exportPr = Number(proposed.outputs['pull-request-number']);
    expect(lb.api.pulls.get(full, 1)).toMatchObject({ mergedAt: null });
    expect(lb.api.comments(full, 1)).toEqual([]);
    // A maintainer squash-merges it; the next run sees the export on main and deletes the branch.
    const squash = lb.api.pulls.merge(full, exportPr, 'squash');
    const r = await run();
    expect(r.exitCode).toBe(0);
    expect(revParse(bare, 'ferry/export/main')).toBeUndefined();
    const [p1] = lb.api.pulls.all(full);
    expect(p1.issue).toMatchObject({ state: 'closed', labels: ['ferry-landed'] });
    expect(lb.api.comments(full, 1).map((c) => c.body)).toEqual([
      expect.stringContaining(`landed as ${squash}`),
    ]);
    expect(await landed(r)).toEqual([
      expect.objectContaining({ pull_request: `${full}#1`, operation: 'closed', commit: squash }),
    ]);
    // Again: nothing more is said or done.
    const again = await run();
    expect(again.exitCode).toBe(0);
    expect(lb.api.comments(full, 1)).toHaveLength(1);
  },
  SCENARIO_MS,
);
