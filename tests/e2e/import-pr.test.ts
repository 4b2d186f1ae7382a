import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { captureLogger } from '../../src/core/logger.js';
import { createGitHubClient } from '../../src/github/client.js';
import { commitFiles, git, revParse, showFile } from '../support/git-fixtures.js';
import { loopbackGitHub } from '../support/github-mirror-fixtures.js';
import {
  exportNow,
  makeImportFixture,
  MAP,
  PRESERVE,
  type ImportFixture,
} from '../support/import-fixtures.js';
import { reportViolations } from '../support/report-schema.js';
import { runAction, runCli, type ActionRun } from '../support/run-action.js';

/**
 * (Each scenario runs the bundle several times: 240 s each, for a shared, busy machine.)
 *
 * actions/import-pull-request (dist/import-pull-request) and `ferry import-pr` (dist/cli) against
 * the loopback GitHub: git over smart HTTP, the REST API under /api/v3 (GHES-style), every request
 * and response checked against GitHub's OpenAPI description. A contributor's pull request comes
 * from a fork; the import goes to a branch and a pull request of the private repository.
 */
const TOKEN = 'ghs_importloop_5e1f2a';
const lb = loopbackGitHub(TOKEN, TOKEN, { apiPathPrefix: '/api/v3' });
afterEach(() => expect(lb.api.violations.splice(0)).toEqual([]));

let n = 0;
interface World {
  f: ImportFixture;
  pub: string;
  priv: string;
  /** A contributor's pull request from the fork `jane/<repo>`; a second call pushes more to it. */
  contribute(files: Record<string, string | null>, opts?: { pr?: number; branch?: string }): Promise<number>;
  run(inputs?: Record<string, string>): Promise<ActionRun>;
}

async function world(): Promise<World> {
  const id = ++n;
  const pub = `acme/public-${id}`;
  const priv = `acme/private-${id}`;
  const f = await makeImportFixture(path.join(lb.root, `w${id}`), {
    privateBare: await lb.git.repo(priv),
    publicBare: await lb.git.repo(pub),
  });
  await fs.writeFile(path.join(f.checkout, 'allowlist.txt'), await fs.readFile(f.allowlist, 'utf8'));
  lb.api.users.add({ login: 'jane', id: 4242, name: 'Jane Doe' });
  const fork = await lb.git.repo(`jane/public-${id}`);
  const work = path.join(lb.root, `fork-${id}`);
  git(lb.root, ['clone', '-q', f.publicBare, work]);
  const prs = new Map<string, number>();
  return {
    f,
    pub,
    priv,
    async contribute(files, opts = {}) {
      const branch = opts.branch ?? 'fix';
      if (!prs.has(branch)) git(work, ['checkout', '-q', '-B', branch, 'origin/main']);
      else git(work, ['checkout', '-q', branch]);
      await commitFiles(work, files, `contribution to ${branch}`);
      git(work, ['push', '-q', '-f', fork, `HEAD:refs/heads/${branch}`]);
      let number = prs.get(branch);
      if (number === undefined) {
        number = lb.api.pulls.open(pub, {
          title: 'Fix the second line',
          body: 'It was wrong.',
          head: `jane:${branch}`,
          user: { login: 'jane', id: 4242 },
        }).number;
        prs.set(branch, number);
      }
      return number;
    },
    run: (inputs = {}) =>
      runAction('import-pull-request', {
        cwd: f.checkout,
        inputs: {
          'public-repo': pub,
          allowlist: 'allowlist.txt',
          map: MAP.join('\n'),
          preserve: PRESERVE.join('\n'),
          token: TOKEN,
          ...inputs,
        },
        env: {
          GITHUB_SERVER_URL: lb.git.url,
          GITHUB_API_URL: lb.api.url,
          GITHUB_REPOSITORY: priv,
          FERRY_GITHUB_TEST_TIMING: '1',
        },
      }),
  };
}

const shown = (r: ActionRun) =>
  r.log
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');

async function reportOf(r: ActionRun) {
  const report = JSON.parse(await fs.readFile(r.outputs['report-path'], 'utf8'));
  expect(reportViolations(report)).toEqual([]);
  return report;
}

test('clean: one commit by the contributor on a ferry/import branch and a private pull request; again: unchanged', async () => {
  const w = await world();
  const pr = await w.contribute({ 'lib/a.txt': 'one\nTWO\nthree\n', 'lib/new.txt': 'new\n' });
  const r = await w.run({ 'pull-request': String(pr) });
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  expect(shown(r)).not.toContain(TOKEN);
  const branch = `ferry/import/acme-public-${n}-${pr}`;
  expect(r.outputs).toMatchObject({ imported: '1', status: 'imported', branch });
  const bare = w.f.privateBare;
  const tip = revParse(bare, branch)!;
  expect(r.outputs['commit-sha']).toBe(tip);
  expect(showFile(bare, tip, 'src/pub/new.txt')).toBe('new');
  expect(git(bare, ['log', '-1', '--format=%an <%ae>%n%B', tip]).trim()).toBe(
    [
      'Jane Doe <4242+jane@users.noreply.github.com>',
      'Fix the second line',
      '',
      'It was wrong.',
      '',
      `Ferry-Import: acme/public-${n}#${pr}`,
      `Ferry-Import-Head: ${git(w.f.publicBare, ['rev-parse', `refs/pull/${pr}/head`])}`,
      `Ferry-Import-Base: ${w.f.exportedRev}`,
      // The fork's commit has a git author of its own: credited last.
      'Co-authored-by: Test Author <author@example.com>',
    ].join('\n'),
  );
  const opened = lb.api.pulls.all(w.priv);
  expect(opened).toHaveLength(1);
  expect(opened[0].pull).toMatchObject({ headRef: branch, baseRef: 'main' });
  expect(r.outputs['private-pull-request-url']).toContain(`/pull/${opened[0].pull.number}`);
  const report = await reportOf(r);
  expect(report.results[0]).toMatchObject({ kind: 'import', details: { status: 'imported', pushed: true } });

  const again = await w.run({ 'pull-request': String(pr) });
  expect(again.exitCode).toBe(0);
  expect(again.outputs.status).toBe('unchanged');
  expect(revParse(bare, branch)).toBe(tip);
}, 240_000);

test('refused paths: one comment on the public pull request lists them; nothing is written', async () => {
  const w = await world();
  const pr = await w.contribute({ 'lib/a.txt': 'x\n', 'README.md': 'mine\n', 'tools/x.sh': 'x\n' });
  const r = await w.run({ 'pull-request': String(pr) });
  expect(r.exitCode).toBe(1);
  expect(r.outputs.status).toBe('refused');
  expect(r.stdout).toContain('::error');
  const comments = lb.api.comments(w.pub, pr);
  expect(comments).toHaveLength(1);
  expect(comments[0].body).toContain('README.md: a file the public repository keeps itself');
  expect(comments[0].body).toContain('tools/x.sh: the private path is not in the export');
  expect(git(w.f.privateBare, ['for-each-ref', 'refs/heads/ferry'])).toBe('');
  // The same head is not commented on twice.
  await w.run({ 'pull-request': String(pr) });
  expect(lb.api.comments(w.pub, pr)).toHaveLength(1);
}, 240_000);

test('conflict: needs-rebase, the branch on R; already landed: nothing written', async () => {
  const w = await world();
  await commitFiles(w.f.checkout, { 'src/pub/a.txt': 'one\nzwei\nthree\n', 'src/pub/b.txt': 'B\n' });
  git(w.f.checkout, ['push', '-q', 'origin', 'main']);
  const conflicting = await w.contribute({ 'lib/a.txt': 'one\nTWO\nthree\n' });
  const landed = await w.contribute({ 'lib/b.txt': 'B\n' }, { branch: 'same' });
  const r = await w.run({ 'pull-request': String(conflicting) });
  expect(r.exitCode).toBe(0);
  expect(r.outputs.status).toBe('needs-rebase');
  const tip = revParse(w.f.privateBare, `ferry/import/acme-public-${n}-${conflicting}`)!;
  expect(git(w.f.privateBare, ['rev-parse', `${tip}^`])).toBe(w.f.exportedRev);
  expect(r.stdout).toMatch(/::warning.*does not apply on main/);
  const r2 = await w.run({ 'pull-request': String(landed) });
  expect(r2.exitCode).toBe(0);
  expect(r2.outputs).toMatchObject({ status: 'already-landed', imported: '0' });
  expect(revParse(w.f.privateBare, `ferry/import/acme-public-${n}-${landed}`)).toBeUndefined();
}, 240_000);

test('a head that moves during the run: head-moved, nothing written', async () => {
  const w = await world();
  const pr = await w.contribute({ 'lib/a.txt': 'one\nTWO\nthree\n' });
  // The contributor pushes again just as Ferry looks a second time (before it pushes).
  const pulls = lb.api.pulls as unknown as { serve: (op: string, c: { full: string }) => unknown };
  const serve = pulls.serve.bind(pulls);
  let gets = 0;
  pulls.serve = (op, c) => {
    if (op === 'pulls/get' && c.full === w.pub && ++gets === 2) {
      const work = path.join(lb.root, `fork-${n}`);
      git(work, ['commit', '-q', '--allow-empty', '-m', 'more']);
      git(work, ['push', '-q', '-f', path.join(lb.git.root, `jane/public-${n}.git`), 'HEAD:refs/heads/fix']);
    }
    return serve(op, c);
  };
  try {
    const r = await w.run({ 'pull-request': String(pr) });
    expect(r.exitCode).toBe(1);
    expect(r.outputs.status).toBe('head-moved');
    expect(git(w.f.privateBare, ['for-each-ref', 'refs/heads/ferry'])).toBe('');
  } finally {
    pulls.serve = serve;
  }
}, 240_000);

test('by label, from a schedule: every labelled open pull request; ferry import-pr does the same from a terminal', async () => {
  const w = await world();
  const a = await w.contribute({ 'lib/a.txt': 'one\nTWO\nthree\n' });
  const b = await w.contribute({ 'lib/b.txt': 'b2\n' }, { branch: 'other' });
  await w.contribute({ 'lib/b.txt': 'b3\n' }, { branch: 'unlabelled' });
  // A maintainer labels two of them.
  const o = createGitHubClient({
    token: TOKEN,
    baseUrl: lb.api.url,
    logger: captureLogger(),
    paceWrites: false,
  });
  const [owner, repo] = w.pub.split('/');
  for (const pr of [a, b])
    await o.rest.issues.addLabels({ owner, repo, issue_number: pr, labels: ['ferry-import'] });
  const dry = await runCli(
    [
      'import-pr',
      '--public-repo',
      w.pub,
      '--private-repo',
      w.priv,
      '--allowlist',
      'allowlist.txt',
      ...MAP.flatMap((m) => ['--map', m]),
      ...PRESERVE.flatMap((p) => ['--preserve', p]),
      '--dry-run',
      '--json',
    ],
    {
      cwd: w.f.checkout,
      env: {
        FERRY_TOKEN: TOKEN,
        GITHUB_SERVER_URL: lb.git.url,
        GITHUB_API_URL: lb.api.url,
        FERRY_GITHUB_TEST_TIMING: '1',
      },
    },
  );
  expect(dry.stderr).not.toContain(TOKEN);
  expect(dry.exitCode).toBe(0);
  const report = JSON.parse(dry.stdout);
  expect(reportViolations(report)).toEqual([]);
  expect(
    report.results.map((x: { target: string; details: { status: string } }) => [x.target, x.details.status]),
  ).toEqual([
    [`${w.pub}#${b}`, 'imported'],
    [`${w.pub}#${a}`, 'imported'],
  ]);
  expect(git(w.f.privateBare, ['for-each-ref', 'refs/heads/ferry'])).toBe('');
  expect(lb.api.pulls.all(w.priv)).toHaveLength(0);

  const r = await w.run();
  expect(r.exitCode).toBe(0);
  expect(r.outputs.imported).toBe('2');
  expect(lb.api.pulls.all(w.priv)).toHaveLength(2);
}, 240_000);

test('a branch that merged the public main instead of rebasing: only the contributor change comes in', async () => {
  const w = await world();
  const pr = await w.contribute({ 'lib/a.txt': 'one\nTWO\nthree\n' });
  // The private main moves on and is exported; the contributor merges the public main in.
  const later = await commitFiles(w.f.checkout, { 'src/pub/b.txt': 'exported later\n' });
  git(w.f.checkout, ['push', '-q', 'origin', 'main']);
  await exportNow(w.f);
  const work = path.join(lb.root, `fork-${n}`);
  git(work, ['fetch', '-q', 'origin']);
  git(work, ['merge', '-q', '--no-edit', 'origin/main']);
  git(work, ['push', '-q', '-f', path.join(lb.git.root, `jane/public-${n}.git`), 'HEAD:refs/heads/fix']);
  const r = await w.run({ 'pull-request': String(pr) });
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  expect(r.outputs.status).toBe('imported');
  const tip = revParse(w.f.privateBare, `ferry/import/acme-public-${n}-${pr}`)!;
  expect(git(w.f.privateBare, ['rev-parse', `${tip}^`])).toBe(later);
  expect(git(w.f.privateBare, ['diff', '--name-only', later, tip])).toBe('src/pub/a.txt');
  const report = await reportOf(r);
  expect(report.results[0].details).toMatchObject({ base: later, status: 'imported' });
}, 240_000);
