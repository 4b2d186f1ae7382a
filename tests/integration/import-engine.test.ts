import * as path from 'node:path';
import { ConfigurationError } from '../../src/core/errors.js';
import { runImport, type ImportSettings } from '../../src/core/import/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { commitFiles, git, lsTree, revParse, showFile, writeFiles } from '../support/git-fixtures.js';
import {
  makeImportFixture,
  MAP,
  MemoryHost,
  openPublicPr,
  PRESERVE,
  type ImportFixture,
} from '../support/import-fixtures.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

/** The import engine on local bare repositories: real git, an in-memory pull request host. */
afterAll(cleanupTmp);

const BRANCH = 'ferry/import/acme-public-1';

async function setup(): Promise<{ f: ImportFixture; host: MemoryHost }> {
  const f = await makeImportFixture(await tmpDir('ferry-import-'));
  const host = new MemoryHost(f.publicBare);
  host.addPr(1, 'Fix the second line', 'It was wrong.\n\nCo-authored-by: Pat <pat@example.com>');
  return { f, host };
}

function settings(f: ImportFixture, extra: Partial<ImportSettings> = {}): ImportSettings {
  return {
    publicRepo: f.publicBare,
    publicSlug: 'acme/public',
    pullRequest: 1,
    label: 'ferry-import',
    source: f.checkout,
    privateRepo: f.privateBare,
    baseBranch: 'main',
    allowlistFile: f.allowlist,
    map: MAP,
    preserve: PRESERVE,
    openPullRequest: true,
    ...extra,
  };
}

async function importPr(f: ImportFixture, host: MemoryHost, extra: Partial<ImportSettings> = {}) {
  const [r] = await runImport(settings(f, extra), host, silentLogger);
  return r;
}

test('a clean pull request becomes one private commit by its author, on the base branch, with a private PR', async () => {
  const { f, host } = await setup();
  // The private main moved on since the export: the change is moved onto it.
  const later = await commitFiles(f.checkout, { 'src/priv/more.txt': 'more\n' });
  git(f.checkout, ['push', '-q', 'origin', 'main']);
  const head = await openPublicPr(f, 1, [
    { files: { 'lib/a.txt': 'one\nTWO\nthree\n', 'lib/new.txt': 'new\n' } },
    { files: { 'lib/b.txt': null }, author: { name: 'Sam', email: 'sam@example.com' } },
  ]);
  const r = await importPr(f, host);
  expect(r.message).toMatch(/^Wrote ferry\/import\/acme-public-1/);
  expect(r.success).toBe(true);
  expect(r.details).toMatchObject({ status: 'imported', base: f.exportedRev, pushed: true });
  expect(r.changes).toEqual([
    { path: 'src/pub/a.txt', change: 'modified' },
    { path: 'src/pub/b.txt', change: 'deleted' },
    { path: 'src/pub/new.txt', change: 'added' },
  ]);
  const tip = revParse(f.privateBare, BRANCH)!;
  expect(r.commit).toBe(tip);
  expect(git(f.privateBare, ['rev-parse', `${tip}^`])).toBe(later);
  expect(showFile(f.privateBare, tip, 'src/pub/a.txt')).toBe('one\nTWO\nthree');
  expect(lsTree(f.privateBare, tip)).toEqual([
    'LICENSE',
    'src/priv/more.txt',
    'src/priv/secret.txt',
    'src/pub/a.txt',
    'src/pub/internal/x.txt',
    'src/pub/new.txt',
  ]);
  expect(git(f.privateBare, ['log', '-1', '--format=%an <%ae>', tip])).toBe(
    'Jane Doe <4242+jane@users.noreply.github.com>',
  );
  expect(git(f.privateBare, ['log', '-1', '--format=%B', tip]).trimEnd()).toBe(
    [
      'Fix the second line',
      '',
      'It was wrong.',
      '',
      'Ferry-Import: acme/public#1',
      `Ferry-Import-Head: ${head}`,
      `Ferry-Import-Base: ${f.exportedRev}`,
      // Jane's own commit (jane@example.com) is hers: no co-author line for her.
      'Co-authored-by: Sam <sam@example.com>',
      'Co-authored-by: Pat <pat@example.com>',
    ].join('\n'),
  );
  expect(host.privatePrs).toHaveLength(1);
  expect(host.privatePrs[0]).toMatchObject({
    head: BRANCH,
    base: 'main',
    title: 'Fix the second line (acme/public#1)',
  });

  // Again: nothing new.
  const again = await importPr(f, host);
  expect(again.details).toMatchObject({ status: 'unchanged', pushed: false });
  expect(revParse(f.privateBare, BRANCH)).toBe(tip);
  expect(host.privatePrs).toHaveLength(1);

  // The pull request moves on: the branch is extended (a fast-forward), the private PR updated.
  await openPublicPr(f, 1, [
    { files: { 'lib/a.txt': 'one\nTWO\nTHREE\n', 'lib/new.txt': 'new\n', 'lib/b.txt': null } },
  ]);
  const updated = await importPr(f, host);
  expect(updated.details).toMatchObject({ status: 'updated', pushed: true });
  const tip2 = revParse(f.privateBare, BRANCH)!;
  expect(git(f.privateBare, ['rev-parse', `${tip2}^`])).toBe(tip);
  expect(showFile(f.privateBare, tip2, 'src/pub/a.txt')).toBe('one\nTWO\nTHREE');
  expect(updated.details).toMatchObject({ privatePullRequest: { number: 100, operation: 'updated' } });
});

test('paths with no private preimage, outside the allowlist, submodules and outside links are refused with a comment', async () => {
  const { f, host } = await setup();
  const before = git(f.privateBare, ['for-each-ref']);
  await openPublicPr(f, 1, [
    {
      files: {
        'lib/a.txt': 'one\nTWO\nthree\n',
        'README.md': 'better readme\n',
        'docs/new.md': 'new\n',
        'lib/internal/y.txt': 'y\n',
        'lib/link': { content: '../../etc/passwd', mode: 'symlink' },
        'lib/ok-link': { content: 'a.txt', mode: 'symlink' },
      },
      gitlinks: { 'lib/vendored': f.exportedRev },
    },
  ]);
  const r = await importPr(f, host);
  expect(r.success).toBe(false);
  expect(r.details?.status).toBe('refused');
  expect(r.details?.refused).toEqual([
    { path: 'README.md', reason: 'preserved' },
    { path: 'docs/new.md', reason: 'excluded', sourcePath: 'docs/new.md' },
    { path: 'lib/internal/y.txt', reason: 'excluded', sourcePath: 'src/pub/internal/y.txt' },
    { path: 'lib/link', reason: 'symlink', sourcePath: 'src/pub/link' },
    { path: 'lib/vendored', reason: 'submodule', sourcePath: 'src/pub/vendored' },
  ]);
  expect(r.findings.map((x) => x.code)).toEqual([
    'import-preserved',
    'import-excluded',
    'import-excluded',
    'import-symlink',
    'import-submodule',
  ]);
  expect(host.publicComments).toHaveLength(1);
  expect(host.publicComments[0].body).toContain('README.md');
  expect(host.publicComments[0].body).toContain('lib/internal/y.txt (private path src/pub/internal/y.txt)');
  expect(git(f.privateBare, ['for-each-ref'])).toBe(before);
  // The same head is commented on once.
  await importPr(f, host);
  expect(host.publicComments).toHaveLength(1);
});

test('a secret added by the pull request stops it (the export gates, in reverse)', async () => {
  const { f, host } = await setup();
  await openPublicPr(f, 1, [
    { files: { 'lib/config.txt': 'key = AKIAIOSFODNN7EXAMPLQ\n', 'lib/.env': 'X=1\n' } },
  ]);
  const r = await importPr(f, host);
  expect(r.details?.status).toBe('refused');
  expect(r.findings.map((x) => x.code).sort()).toEqual(['forbidden-path', 'secret']);
  expect(revParse(f.privateBare, BRANCH)).toBeUndefined();
});

test('a conflict with the base branch leaves the change on R: needs-rebase', async () => {
  const { f, host } = await setup();
  await commitFiles(f.checkout, { 'src/pub/a.txt': 'one\nzwei\nthree\n' });
  git(f.checkout, ['push', '-q', 'origin', 'main']);
  await openPublicPr(f, 1, [{ files: { 'lib/a.txt': 'one\nTWO\nthree\n' } }]);
  const r = await importPr(f, host);
  expect(r.success).toBe(true);
  expect(r.details).toMatchObject({ status: 'needs-rebase', pushed: true });
  expect(r.findings.map((x) => x.code)).toEqual(['import-needs-rebase']);
  const tip = revParse(f.privateBare, BRANCH)!;
  expect(git(f.privateBare, ['rev-parse', `${tip}^`])).toBe(f.exportedRev);
  expect(showFile(f.privateBare, tip, 'src/pub/a.txt')).toBe('one\nTWO\nthree');
  expect(host.privatePrs[0].body).toContain('Needs a rebase');
});

test('a change that is already in the base branch: already landed, nothing written', async () => {
  const { f, host } = await setup();
  await commitFiles(f.checkout, { 'src/pub/a.txt': 'one\nTWO\nthree\n' });
  git(f.checkout, ['push', '-q', 'origin', 'main']);
  await openPublicPr(f, 1, [{ files: { 'lib/a.txt': 'one\nTWO\nthree\n' } }]);
  const r = await importPr(f, host);
  expect(r.success).toBe(true);
  expect(r.details?.status).toBe('already-landed');
  expect(revParse(f.privateBare, BRANCH)).toBeUndefined();
  expect(host.privatePrs).toHaveLength(0);
});

test('a head that moves during the run: nothing is written', async () => {
  const { f, host } = await setup();
  await openPublicPr(f, 1, [{ files: { 'lib/a.txt': 'one\nTWO\nthree\n' } }]);
  let moved = false;
  host.onGet = (_n, call) => {
    // The second look (just before the push) sees a new head.
    if (call === 2 && !moved) {
      moved = true;
      git(f.publicBare, ['update-ref', 'refs/pull/1/head', git(f.publicBare, ['rev-parse', 'main'])]);
    }
  };
  const r = await importPr(f, host);
  expect(r.success).toBe(false);
  expect(r.details?.status).toBe('head-moved');
  expect(r.findings.map((x) => x.code)).toEqual(['import-head-moved']);
  expect(revParse(f.privateBare, BRANCH)).toBeUndefined();
});

/** The finding of a public base path that is not what the export of R gives (`words` say how). */
const handEdited = (file: string, words: string) =>
  expect.objectContaining({ code: 'import-hand-edited', file, message: expect.stringContaining(words) });

test('a public base edited by hand is refused where the pull request changes it', async () => {
  const { f, host } = await setup();
  // Someone amends Ferry's export commit on the public main: the trailer stays, the tree changes.
  const clone = path.join(f.dir, 'hand');
  git(f.dir, ['clone', '-q', f.publicBare, clone]);
  await writeFiles(clone, { 'lib/b.txt': 'edited\n', 'lib/c.txt': 'added by hand\n' });
  git(clone, ['add', '-A']);
  git(clone, ['commit', '-q', '--amend', '--no-edit']);
  git(clone, ['push', '-q', '-f', 'origin', 'HEAD:main']);
  // The pull request changes the edited file and the added one: both are reported.
  await openPublicPr(f, 1, [{ files: { 'lib/b.txt': 'edited twice\n', 'lib/c.txt': 'again\n' } }]);
  const r = await importPr(f, host);
  expect(r.success).toBe(false);
  expect(r.details?.status).toBe('hand-edited');
  expect(r.findings).toEqual([
    handEdited('lib/b.txt', 'different content'),
    handEdited('lib/c.txt', 'not exported'),
  ]);
  expect(revParse(f.privateBare, BRANCH)).toBeUndefined();

  // A file deleted by hand that the pull request adds back: the export of R has it.
  git(clone, ['rm', '-q', 'lib/a.txt']);
  git(clone, ['commit', '-q', '--amend', '--no-edit']);
  git(clone, ['push', '-q', '-f', 'origin', 'HEAD:main']);
  await openPublicPr(f, 1, [{ files: { 'lib/a.txt': 'back\n' } }]);
  const missing = await importPr(f, host);
  expect(missing.details?.status).toBe('hand-edited');
  expect(missing.findings).toEqual([handEdited('lib/a.txt', 'missing there')]);

  // A pull request that leaves the edited paths alone is imported: only its paths are compared,
  // and the hand edits do not come in (the import takes the pull request's own paths only).
  await openPublicPr(f, 1, [{ files: { 'lib/new.txt': 'new\n' } }]);
  const ok = await importPr(f, host);
  expect(ok.details?.status).toBe('imported');
  expect(ok.changes).toEqual([{ path: 'src/pub/new.txt', change: 'added' }]);
  const tip = revParse(f.privateBare, BRANCH)!;
  expect(showFile(f.privateBare, tip, 'src/pub/b.txt')).toBe('b');
  expect(showFile(f.privateBare, tip, 'src/pub/a.txt')).toBe('one\ntwo\nthree');
});

test('a public base no export of R can give (two private paths map onto a changed path) is refused', async () => {
  const { f, host } = await setup();
  // R holds src/pub/a.txt (mapped to lib/a.txt) and an unmapped lib/a.txt, and the allowlist
  // selects both: an export of R stops on the map collision, so a base claiming to be one is not.
  const r2 = await commitFiles(f.checkout, { 'lib/a.txt': 'unmapped\n' });
  git(f.checkout, ['push', '-q', 'origin', 'main']);
  const allowlist = path.join(f.dir, 'allow-both.txt');
  await writeFiles(f.dir, { 'allow-both.txt': 'src/pub/\nlib/\nLICENSE\n!src/pub/internal/\n' });
  const clone = path.join(f.dir, 'claimed');
  git(f.dir, ['clone', '-q', f.publicBare, clone]);
  git(clone, ['commit', '-q', '--allow-empty', '-m', `Export\n\nFerry-Origin-Rev: ${r2}`]);
  git(clone, ['push', '-q', 'origin', 'HEAD:main']);
  await openPublicPr(f, 1, [{ files: { 'lib/a.txt': 'changed\n', 'lib/b.txt': 'b2\n' } }]);
  const r = await importPr(f, host, { allowlistFile: allowlist });
  expect(r.details?.status).toBe('hand-edited');
  expect(r.findings).toEqual([handEdited('lib/a.txt', 'two private paths map onto it')]);
  expect(revParse(f.privateBare, BRANCH)).toBeUndefined();
});

test("Ferry's own export commits are never imported (no echo); a merged public main is not an echo", async () => {
  const { f, host } = await setup();
  // An export pull request: a commit on the public main carrying Ferry-Origin-Rev.
  const later = await commitFiles(f.checkout, { 'src/pub/a.txt': 'exported later\n' });
  git(f.checkout, ['push', '-q', 'origin', 'main']);
  const exporter = path.join(f.dir, 'exporter');
  git(f.dir, ['clone', '-q', f.publicBare, exporter]);
  await writeFiles(exporter, { 'lib/a.txt': 'exported later\n' });
  git(exporter, [
    'commit',
    '-q',
    '-a',
    '--author=ferry[bot] <ferry@users.noreply.github.com>',
    '-m',
    `Export\n\nFerry-Origin-Rev: ${later}`,
  ]);
  git(exporter, ['push', '-q', 'origin', 'HEAD:ferry/export/main', 'HEAD:refs/pull/1/head']);
  const r = await importPr(f, host);
  expect(r.success).toBe(false);
  expect(r.details?.status).toBe('echo');

  // A contributor's branch that merged the newer export in (instead of rebasing): the merged
  // export is the base, and only the contributor's own change comes in.
  const head = await openPublicPr(f, 1, [{ files: { 'lib/b.txt': 'b2\n' } }]);
  const clone = path.join(f.dir, 'merger');
  git(f.dir, ['clone', '-q', f.publicBare, clone]);
  git(clone, ['checkout', '-q', '--detach', head]);
  git(clone, ['merge', '-q', '--no-edit', 'origin/ferry/export/main']);
  git(clone, ['push', '-q', '-f', 'origin', 'HEAD:refs/pull/1/head']);
  const r2 = await importPr(f, host);
  expect(r2.details).toMatchObject({
    status: 'imported',
    publicBase: git(f.publicBare, ['rev-parse', 'ferry/export/main']),
    base: later,
  });
  expect(r2.changes).toEqual([{ path: 'src/pub/b.txt', change: 'modified' }]);
  const tip = revParse(f.privateBare, BRANCH)!;
  expect(git(f.privateBare, ['rev-parse', `${tip}^`])).toBe(later);
  expect(git(f.privateBare, ['diff', '--name-only', later, tip])).toBe('src/pub/b.txt');
  // Ferry's merged export commit is no co-author of the contributor's change (the merge's author is).
  expect(r2.details?.coAuthors).toEqual(['Test Author <author@example.com>', 'Pat <pat@example.com>']);

  // A branch whose only change is the merged export: an echo, nothing written.
  git(f.privateBare, ['update-ref', '-d', `refs/heads/${BRANCH}`]);
  git(clone, ['checkout', '-q', '--detach', 'origin/main']);
  git(clone, ['commit', '-q', '--allow-empty', '-m', 'nothing yet']);
  git(clone, ['merge', '-q', '--no-edit', 'origin/ferry/export/main']);
  git(clone, ['push', '-q', '-f', 'origin', 'HEAD:refs/pull/1/head']);
  const r3 = await importPr(f, host);
  expect(r3.details?.status).toBe('echo');
  expect(r3.success).toBe(false);
  expect(revParse(f.privateBare, BRANCH)).toBeUndefined();
});

test('an import branch someone else moved on is left alone, with a comment on the private PR', async () => {
  const { f, host } = await setup();
  await openPublicPr(f, 1, [{ files: { 'lib/a.txt': 'one\nTWO\nthree\n' } }]);
  expect((await importPr(f, host)).details?.status).toBe('imported');
  git(f.checkout, ['fetch', '-q', 'origin', BRANCH]);
  git(f.checkout, ['checkout', '-q', '-b', 'fix', 'FETCH_HEAD']);
  const theirs = await commitFiles(f.checkout, { 'src/pub/b.txt': 'reviewer fix\n' });
  git(f.checkout, ['push', '-q', 'origin', `HEAD:${BRANCH}`]);
  await openPublicPr(f, 1, [{ files: { 'lib/a.txt': 'one\nTWO\nthree\nfour\n' } }]);
  const r = await importPr(f, host);
  expect(r.details?.status).toBe('branch-edited');
  expect(r.findings.map((x) => x.code)).toEqual(['import-branch-edited']);
  expect(revParse(f.privateBare, BRANCH)).toBe(theirs);
  expect(host.privateComments).toHaveLength(1);
});

test('a dry run writes nothing anywhere', async () => {
  const { f, host } = await setup();
  await openPublicPr(f, 1, [{ files: { 'lib/a.txt': 'one\nTWO\nthree\n', 'README.md': 'x\n' } }]);
  const refused = await importPr(f, host, { dryRun: true });
  expect(refused.details?.status).toBe('refused');
  expect(host.publicComments).toHaveLength(0);
  await openPublicPr(f, 1, [{ files: { 'lib/a.txt': 'one\nTWO\nthree\n' } }]);
  const r = await importPr(f, host, { dryRun: true });
  expect(r).toMatchObject({ success: true, changed: true, dryRun: true });
  expect(r.details?.status).toBe('imported');
  expect(revParse(f.privateBare, BRANCH)).toBeUndefined();
  expect(host.privatePrs).toHaveLength(0);
});

test('pull requests chosen by label; a map that is not one-to-one is refused before anything runs', async () => {
  const { f, host } = await setup();
  host.addPr(2, 'Second');
  await openPublicPr(f, 1, [{ files: { 'lib/a.txt': 'one\nTWO\nthree\n' } }]);
  await openPublicPr(f, 2, [{ files: { 'lib/b.txt': 'B\n' } }]);
  host.labelled = [1, 2];
  const results = await runImport(settings(f, { pullRequest: undefined }), host, silentLogger);
  expect(results.map((r) => [r.target, r.details?.status])).toEqual([
    ['acme/public#1', 'imported'],
    ['acme/public#2', 'imported'],
  ]);
  expect(revParse(f.privateBare, 'ferry/import/acme-public-2')).toBeDefined();
  await expect(
    runImport(settings(f, { map: ['src/pub/=lib/', 'src/other/=lib/sub/'] }), host, silentLogger),
  ).rejects.toThrow(ConfigurationError);
  await expect(
    runImport(settings(f, { map: ['src/pub/=lib/', 'src/other/=lib/sub/'] }), host, silentLogger),
  ).rejects.toThrow(/not one-to-one/);
});

// The two needs-rebase tests pin behaviour the import already had before they were written (they
// pass on 46667eb's import too): the README's earlier note that such an import "is not refreshed
// later" was wrong. They guard what docs/import-pr.md ("Needs a rebase, later") describes.
test('a needs-rebase import is refreshed onto the base branch by a later run, on top of what Ferry wrote', async () => {
  const { f, host } = await setup();
  await commitFiles(f.checkout, { 'src/pub/a.txt': 'one\nzwei\nthree\n' });
  git(f.checkout, ['push', '-q', 'origin', 'main']);
  await openPublicPr(f, 1, [{ files: { 'lib/a.txt': 'one\nTWO\nthree\n' } }]);
  const first = await importPr(f, host);
  expect(first.details?.status).toBe('needs-rebase');
  const onR = revParse(f.privateBare, BRANCH)!;
  // Nothing moved: the branch stays as it is.
  expect((await importPr(f, host)).details?.status).toBe('unchanged');
  // A maintainer settles the line on main (back to the exported text): the change applies now.
  const settled = await commitFiles(f.checkout, {
    'src/pub/a.txt': 'one\ntwo\nthree\n',
    'src/priv/z.txt': 'z\n',
  });
  git(f.checkout, ['push', '-q', 'origin', 'main']);
  const r = await importPr(f, host);
  expect(r.details).toMatchObject({ status: 'updated', pushed: true });
  const tip = revParse(f.privateBare, BRANCH)!;
  // A fast-forward: Ferry's needs-rebase commit stays below, the base branch is merged in.
  expect(git(f.privateBare, ['rev-list', '--parents', '-1', tip]).split(' ').slice(1)).toEqual([
    onR,
    settled,
  ]);
  expect(showFile(f.privateBare, tip, 'src/pub/a.txt')).toBe('one\nTWO\nthree');
  expect(showFile(f.privateBare, tip, 'src/priv/z.txt')).toBe('z');
  expect(git(f.privateBare, ['diff', '--name-only', settled, tip])).toBe('src/pub/a.txt');
  expect(host.privatePrs[0].body).not.toContain('Needs a rebase');
  expect(r.details?.privatePullRequest).toMatchObject({ operation: 'updated' });
});

test('a needs-rebase branch a maintainer rebased by hand is never overwritten', async () => {
  const { f, host } = await setup();
  await commitFiles(f.checkout, { 'src/pub/a.txt': 'one\nzwei\nthree\n' });
  git(f.checkout, ['push', '-q', 'origin', 'main']);
  await openPublicPr(f, 1, [{ files: { 'lib/a.txt': 'one\nTWO\nthree\n' } }]);
  expect((await importPr(f, host)).details?.status).toBe('needs-rebase');
  // The maintainer resolves it on the branch (a commit of theirs on top of Ferry's).
  git(f.checkout, ['fetch', '-q', 'origin', BRANCH]);
  git(f.checkout, ['checkout', '-q', '-b', 'resolve', 'FETCH_HEAD']);
  git(f.checkout, ['merge', '-q', '-X', 'theirs', '--no-edit', 'main']);
  const theirs = git(f.checkout, ['rev-parse', 'HEAD']);
  git(f.checkout, ['push', '-q', 'origin', `HEAD:${BRANCH}`]);
  git(f.checkout, ['checkout', '-q', 'main']);
  await commitFiles(f.checkout, { 'src/pub/a.txt': 'one\ntwo\nthree\n' });
  git(f.checkout, ['push', '-q', 'origin', 'main']);
  const r = await importPr(f, host);
  expect(r.details?.status).toBe('branch-edited');
  expect(r.message).toMatch(/commits Ferry did not write/);
  expect(revParse(f.privateBare, BRANCH)).toBe(theirs);
});
