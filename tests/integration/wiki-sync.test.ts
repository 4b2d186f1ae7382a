import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseAllowlistStrict } from '../../src/core/allowlist/parse.js';
import { captureLogger } from '../../src/core/logger.js';
import { runWikiSync, type WikiSettings } from '../../src/core/wiki/index.js';
import { commitFiles, git, lsTree, makeBare, makeRepo, revParse, showFile } from '../support/git-fixtures.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

/** runWikiSync against real git and local bare wiki repos (no server: local paths). */
const PAGES = {
  'wiki/README.md': '# Welcome\n\nSee [setup](guides/setup.md) and [the API](api.md#auth).\n',
  'wiki/guides/setup.md':
    'Setup. ![logo](../images/logo.png)\nBack [home](../README.md).\n```\n[not a link](api.md)\n```\n',
  'wiki/api.md': '# API\n![secret](images/secret.png)\n## auth\n',
  'wiki/images/logo.png': 'PNG-logo',
  'wiki/images/secret.png': 'PNG-secret',
  'wiki/_Sidebar.md': '[Home](README.md)\n',
  'src/app.py': 'print(1)\n',
};
const ALLOWLIST = 'README.md\nguides/**\n_Sidebar.md\n';

let root: string;
const logger = captureLogger();

beforeAll(async () => {
  root = await tmpDir('ferry-wiki-it-');
});
afterAll(cleanupTmp);

async function fixture(name: string, pages: Record<string, string> = PAGES) {
  const dir = path.join(root, name);
  const src = path.join(dir, 'src');
  await makeRepo(src, pages);
  const priv = await makeBare(path.join(dir, 'private.wiki.git'));
  const pub = await makeBare(path.join(dir, 'public.wiki.git'));
  const settings: WikiSettings = {
    source: path.join(src, 'wiki'),
    privateWiki: { repo: priv },
    publicWiki: { repo: pub },
    publicAllowlist: parseAllowlistStrict(ALLOWLIST, 'wiki_public_allowlist.txt'),
    direction: 'push',
    unpublishedLinks: 'text',
    dryRun: false,
    syncBackBranch: 'ferry/wiki-sync',
    commitMessage: 'Sync {wiki} wiki',
  };
  return { dir, src, priv, pub, settings };
}

/** A web-UI edit: clone the wiki, change it, push. */
async function editWiki(
  bare: string,
  files: Record<string, string | null>,
  branch = 'master',
): Promise<void> {
  const work = await tmpDir('ferry-wiki-edit-');
  git(work, ['clone', '-q', '-b', branch, bare, '.']);
  await commitFiles(work, files, 'Edited in the web UI');
  git(work, ['push', '-q', 'origin', branch]);
}

test('push: private gets all pages and assets, public the allowlisted pages and only their assets', async () => {
  const f = await fixture('push');
  const results = await runWikiSync(f.settings, logger);
  expect(results.map((r) => [r.details?.audience, r.success, r.changed])).toEqual([
    ['private', true, true],
    ['public', true, true],
  ]);
  expect(lsTree(f.priv, 'master')).toEqual([
    'Home.md',
    '_Sidebar.md',
    'api.md',
    'guides-setup.md',
    'images/logo.png',
    'images/secret.png',
  ]);
  expect(lsTree(f.pub, 'master')).toEqual(['Home.md', '_Sidebar.md', 'guides-setup.md', 'images/logo.png']);
  expect(showFile(f.priv, 'master', 'Home.md')).toContain(
    'See [setup](guides-setup) and [the API](api#auth).',
  );
  // The public Home keeps the text of the link to the private page, not the link.
  expect(showFile(f.pub, 'master', 'Home.md')).toContain('See [setup](guides-setup) and the API.');
  expect(showFile(f.pub, 'master', 'guides-setup.md')).toContain('![logo](images/logo.png)');
  expect(showFile(f.pub, 'master', 'guides-setup.md')).toContain('[home](Home)');
  expect(showFile(f.pub, 'master', 'guides-setup.md')).toContain('[not a link](api.md)'); // code block untouched
  const msg = git(f.priv, ['log', '-1', '--format=%B', 'master']);
  expect(msg).toMatch(new RegExp(`^Ferry-Origin-Rev: ${revParse(f.src, 'HEAD')}$`, 'm'));
  expect(results[1].findings.map((x) => x.code)).toContain('wiki-unpublished-link');

  // No change → no commit.
  const tip = revParse(f.priv, 'master');
  const again = await runWikiSync(f.settings, logger);
  expect(again.map((r) => r.changed)).toEqual([false, false]);
  expect(revParse(f.priv, 'master')).toBe(tip);

  // A deleted page is deleted from the wiki.
  await commitFiles(f.src, { 'wiki/api.md': null, 'wiki/README.md': 'Home only\n' });
  const third = await runWikiSync(f.settings, logger);
  expect(third[0].changes).toEqual(expect.arrayContaining([{ path: 'api.md', change: 'deleted' }]));
  expect(lsTree(f.priv, 'master')).not.toContain('api.md');
  expect(git(f.priv, ['rev-list', '--count', 'master'])).toBe('2');
});

test('unpublished-links fail: the public wiki fails at file:line, the private one is still synced', async () => {
  const f = await fixture('leak');
  const results = await runWikiSync({ ...f.settings, unpublishedLinks: 'fail' }, logger);
  expect(results[0].success).toBe(true);
  expect(results[1].success).toBe(false);
  const leak = results[1].findings.find((x) => x.code === 'wiki-unpublished-link');
  expect(leak).toMatchObject({ severity: 'error', file: 'wiki/README.md', line: 3 });
  expect(lsTree(f.pub, 'master')).toEqual([]);
  expect(lsTree(f.priv, 'master')).toContain('api.md');
});

test('two files mapping to one page fail with both named', async () => {
  const f = await fixture('collide', { 'wiki/a-b.md': 'x\n', 'wiki/a/b.md': 'y\n' });
  const results = await runWikiSync(f.settings, logger);
  expect(results.every((r) => !r.success)).toBe(true);
  const c = results[0].findings.find((x) => x.code === 'wiki-page-collision');
  expect(c?.message).toContain('wiki/a-b.md');
  expect(c?.message).toContain('wiki/a/b.md');
  expect(lsTree(f.priv, 'master')).toEqual([]);
});

test('a missing wiki repository is reported clearly and does not stop the other wiki', async () => {
  const f = await fixture('missing');
  const results = await runWikiSync(
    { ...f.settings, publicWiki: { repo: path.join(f.dir, 'nope.wiki.git') } },
    logger,
  );
  expect(results[0].success).toBe(true);
  expect(results[1].success).toBe(false);
  expect(results[1].message).toMatch(/does not exist/);
});

test('bidirectional: wiki edits come back on a branch; conflicts keep both versions; round trip is stable', async () => {
  const f = await fixture('bidi');
  const settings: WikiSettings = { ...f.settings, direction: 'bidirectional', publicWiki: undefined };
  await runWikiSync(settings, logger);
  await editWiki(f.priv, {
    'guides-setup.md': 'Setup, edited on the web. See [API](api#auth) and ![logo](images/logo.png)\n',
    'New-Page.md': 'Created in the web UI. [Home](Home)\n',
  });
  const wikiTip = revParse(f.priv, 'master');
  const r1 = await runWikiSync(settings, logger);
  expect(r1[0].success).toBe(true);
  expect(r1[0].changed).toBe(false); // nothing new from the source; the web edits stay
  expect(revParse(f.priv, 'master')).toBe(wikiTip);
  const branch = 'ferry/wiki-sync';
  expect(showFile(f.src, branch, 'wiki/guides/setup.md')).toBe(
    'Setup, edited on the web. See [API](../api.md#auth) and ![logo](../images/logo.png)',
  );
  expect(showFile(f.src, branch, 'wiki/New-Page.md')).toBe('Created in the web UI. [Home](README.md)');
  expect(git(f.src, ['rev-parse', `${branch}^`])).toBe(revParse(f.src, 'main'));

  // The source changes another page: the wiki gets it, the web edits are not overwritten.
  await commitFiles(f.src, { 'wiki/api.md': '# API v2\n' });
  const r2 = await runWikiSync(settings, logger);
  expect(r2[0].changed).toBe(true);
  expect(showFile(f.priv, 'master', 'api.md')).toBe('# API v2');
  expect(showFile(f.priv, 'master', 'guides-setup.md')).toContain('edited on the web');

  // Same page changed on both sides: conflict, the wiki keeps its version, the source its own,
  // and the wiki version lands beside the file on the branch.
  await commitFiles(f.src, { 'wiki/guides/setup.md': 'Setup, edited in the source.\n' });
  const r3 = await runWikiSync(settings, logger);
  expect(r3[0].counts.conflicts).toBe(1);
  expect(r3[0].findings.some((x) => x.code === 'wiki-conflict' && x.file === 'wiki/guides/setup.md')).toBe(
    true,
  );
  expect(showFile(f.priv, 'master', 'guides-setup.md')).toContain('edited on the web');
  expect(showFile(f.src, branch, 'wiki/guides/setup.md')).toBe('Setup, edited in the source.');
  expect(showFile(f.src, branch, 'wiki/guides/setup.md.wiki-conflict.md')).toContain('edited on the web');

  // Resolve: take the branch's new page and the wiki's text into main. Then nothing is pending.
  git(f.src, ['checkout', '-q', 'main']);
  await commitFiles(f.src, {
    'wiki/guides/setup.md': showFile(f.src, branch, 'wiki/guides/setup.md.wiki-conflict.md') + '\n',
    'wiki/New-Page.md': showFile(f.src, branch, 'wiki/New-Page.md') + '\n',
  });
  const r4 = await runWikiSync(settings, logger);
  expect(r4[0].success).toBe(true);
  expect(r4[0].counts.conflicts).toBe(0);
  expect(r4[0].counts.wikiEdits).toBe(0);
  const tip4 = revParse(f.priv, 'master');
  const r5 = await runWikiSync(settings, logger);
  expect(r5[0].changed).toBe(false);
  expect(revParse(f.priv, 'master')).toBe(tip4);
  expect(showFile(f.priv, 'master', 'guides-setup.md')).toContain('edited on the web');
});

test('dry run pushes nothing and creates no branch', async () => {
  const f = await fixture('dry');
  const results = await runWikiSync({ ...f.settings, dryRun: true }, logger);
  expect(results.every((r) => r.changed && r.dryRun && r.commit)).toBe(true);
  expect(lsTree(f.priv, 'master')).toEqual([]);
  await fs.access(f.priv);
});

test('an internal failure is not turned into a failed result: it goes up with its stack', async () => {
  const f = await fixture('internal');
  // A source object gone missing is no configuration or remote problem: git's own store is broken.
  const blob = git(f.src, ['rev-parse', 'HEAD:wiki/images/logo.png']);
  await fs.rm(path.join(f.src, '.git/objects', blob.slice(0, 2), blob.slice(2)));
  await expect(runWikiSync({ ...f.settings, publicWiki: undefined }, logger)).rejects.toThrow(
    /git \S+ failed/,
  );
});
