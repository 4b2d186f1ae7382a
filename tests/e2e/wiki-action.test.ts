import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { GitHttpServer } from '../support/git-http-server.js';
import { commitFiles, git, lsTree, makeRepo, revParse, showFile } from '../support/git-fixtures.js';
import { runAction, runCli } from '../support/run-action.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

/**
 * sync-wikis through dist/, run the way the Actions runner runs it, against a loopback "GitHub"
 * whose wikis are bare repos named owner/repo.wiki.git.
 */
const TOKEN = 'ghs_wikiTestToken0123456789';
const SOURCE = {
  'wiki/README.md':
    '# Welcome\n\nRead [setup](guides/setup.md).\nInternal: [runbook](ops/runbook.md#pager).\n',
  'wiki/guides/setup.md': 'Setup ![diagram](../img/flow.png)\n',
  'wiki/ops/runbook.md': '# Runbook\n![secret](../img/internal.png)\n',
  'wiki/img/flow.png': 'PNG1',
  'wiki/img/internal.png': 'PNG2',
  'wiki_public_allowlist.txt': 'README.md\nguides/\n',
};

let server: GitHttpServer;
let n = 0;

beforeAll(async () => {
  server = new GitHttpServer(await tmpDir('ferry-wiki-srv-'), TOKEN);
  await server.start();
});
afterAll(async () => {
  await server.stop();
  await cleanupTmp();
});

/** A workspace (the checked-out private repo) and its two wikis, each initialized with a first page. */
async function setup(opts: { publicWiki?: boolean } = {}) {
  const id = `acme${++n}`;
  const ws = await tmpDir('ferry-wiki-ws-');
  await makeRepo(ws, SOURCE);
  const wikis: Record<string, string> = {};
  for (const name of opts.publicWiki === false ? ['private'] : ['private', 'public']) {
    const bare = await server.repo(`${id}/${name}.wiki`);
    const init = await tmpDir('ferry-wiki-init-');
    await makeRepo(init, { 'Home.md': 'Welcome to the wiki!\n' }, 'Initial Home page');
    git(init, ['push', '-q', bare, 'main:master']);
    git(bare, ['symbolic-ref', 'HEAD', 'refs/heads/master']);
    wikis[name] = bare;
  }
  const env = { GITHUB_SERVER_URL: server.url };
  const inputs = {
    'private-wiki': `${id}/private`,
    'public-wiki': `${id}/public`,
    'public-allowlist': 'wiki_public_allowlist.txt',
    token: TOKEN,
  };
  return { id, ws, wikis, env, inputs };
}

async function webEdit(bare: string, files: Record<string, string | null>): Promise<void> {
  const work = await tmpDir('ferry-wiki-web-');
  git(work, ['clone', '-q', bare, '.']);
  await commitFiles(work, files, 'Updated page (web UI)');
  git(work, ['push', '-q', 'origin', 'HEAD:master']);
}

test('leak lint: a public page linking a private page fails at file:line; the private wiki is still synced', async () => {
  const s = await setup();
  const r = await runAction('sync-wikis', { cwd: s.ws, env: s.env, inputs: s.inputs });
  expect(r.exitCode).toBe(1);
  expect(r.stdout).toMatch(/::error .*file=wiki\/README\.md,line=4,.*not published to the public wiki/);
  expect(r.outputs['private-changed']).toBe('true');
  expect(r.outputs['public-changed']).toBe('false');
  expect(r.outputs['private-pages']).toBe('3');
  expect(lsTree(s.wikis.private, 'master')).toEqual([
    'Home.md',
    'guides-setup.md',
    'img/flow.png',
    'img/internal.png',
    'ops-runbook.md',
  ]);
  expect(lsTree(s.wikis.public, 'master')).toEqual(['Home.md']);
  expect(showFile(s.wikis.public, 'master', 'Home.md')).toBe('Welcome to the wiki!');
  expect(r.summary).toContain('| guides/setup.md | guides-setup.md | guides-setup.md |');
  // The runner's own mask command names it; nothing else may.
  expect(r.log.replace(`::add-mask::${TOKEN}`, '')).not.toContain(TOKEN);
  const report = JSON.parse(await fs.readFile(r.outputs['report-path'], 'utf8'));
  expect(report).toMatchObject({ command: 'sync-wikis', total_targets: 2, successful: 1, failed: 1 });
});

test('dry run reports what would change and pushes nothing; then unpublished-links: text publishes', async () => {
  const s = await setup();
  const before = revParse(s.wikis.public, 'master');
  const dry = await runAction('sync-wikis', {
    cwd: s.ws,
    env: s.env,
    inputs: { ...s.inputs, 'unpublished-links': 'text', 'dry-run': 'true' },
  });
  expect(dry.exitCode).toBe(0);
  expect(dry.outputs['public-changed']).toBe('true');
  expect(dry.summary).toContain('Dry run');
  expect(revParse(s.wikis.public, 'master')).toBe(before);
  const real = await runAction('sync-wikis', {
    cwd: s.ws,
    env: s.env,
    inputs: { ...s.inputs, 'unpublished-links': 'text' },
  });
  expect(real.exitCode).toBe(0);
  expect(real.outputs['public-pages']).toBe('2');
  expect(lsTree(s.wikis.public, 'master')).toEqual(['Home.md', 'guides-setup.md', 'img/flow.png']);
  expect(showFile(s.wikis.public, 'master', 'Home.md')).toContain(
    'Read [setup](guides-setup).\nInternal: runbook.',
  );
  expect(git(s.wikis.public, ['log', '-1', '--format=%B', 'master'])).toContain(
    `Ferry-Origin-Rev: ${revParse(s.ws, 'HEAD')}`,
  );
});

test('an uninitialized wiki gets a clear error with the fix, no stack trace, and the other wiki still syncs', async () => {
  const s = await setup({ publicWiki: false });
  const r = await runAction('sync-wikis', {
    cwd: s.ws,
    env: s.env,
    inputs: { ...s.inputs, 'unpublished-links': 'text' },
  });
  expect(r.exitCode).toBe(1);
  expect(r.log).toContain(`The public wiki ${server.url}/${s.id}/public.wiki.git does not exist yet`);
  expect(r.log).toContain(`open ${server.url}/${s.id}/public/wiki, click "Create the first page"`);
  expect(r.log).not.toMatch(/\n\s+at .*\.js:\d+/);
  expect(r.outputs['private-changed']).toBe('true');
  expect(lsTree(s.wikis.private, 'master')).toContain('ops-runbook.md');
});

test('bidirectional: web edits come back on a branch, conflicts keep both versions', async () => {
  const s = await setup({ publicWiki: false });
  const inputs = { 'private-wiki': s.inputs['private-wiki'], token: TOKEN, direction: 'bidirectional' };
  // First sync: the placeholder Home page created to initialize the wiki is not in the source
  // history, so push once to take over the wiki.
  expect(
    (await runAction('sync-wikis', { cwd: s.ws, env: s.env, inputs: { ...inputs, direction: 'push' } }))
      .exitCode,
  ).toBe(0);
  await webEdit(s.wikis.private, { 'ops-runbook.md': '# Runbook\nCall [setup](guides-setup) first.\n' });
  await commitFiles(s.ws, { 'wiki/guides/setup.md': 'Setup v2\n' });
  const r = await runAction('sync-wikis', { cwd: s.ws, env: s.env, inputs });
  expect(r.exitCode).toBe(0);
  expect(r.outputs['sync-back-branch']).toBe('ferry/wiki-sync');
  expect(r.outputs['conflicts']).toBe('0');
  expect(showFile(s.ws, 'ferry/wiki-sync', 'wiki/ops/runbook.md')).toBe(
    '# Runbook\nCall [setup](../guides/setup.md) first.',
  );
  expect(revParse(s.ws, 'ferry/wiki-sync')).toBe(r.outputs['sync-back-commit']);
  expect(showFile(s.wikis.private, 'master', 'guides-setup.md')).toBe('Setup v2');
  expect(showFile(s.wikis.private, 'master', 'ops-runbook.md')).toContain('Call [setup](guides-setup)');
  expect(r.summary).toContain('Wiki edits brought back');

  await webEdit(s.wikis.private, { 'guides-setup.md': 'Setup from the web\n' });
  await commitFiles(s.ws, { 'wiki/guides/setup.md': 'Setup v3 from the source\n' });
  const c = await runAction('sync-wikis', { cwd: s.ws, env: s.env, inputs });
  expect(c.exitCode).toBe(0);
  expect(c.outputs['conflicts']).toBe('1');
  expect(c.stdout).toMatch(/::warning .*file=wiki\/guides\/setup\.md.*changed both/);
  expect(showFile(s.wikis.private, 'master', 'guides-setup.md')).toBe('Setup from the web');
  expect(showFile(s.ws, 'ferry/wiki-sync', 'wiki/guides/setup.md')).toBe('Setup v3 from the source');
  expect(showFile(s.ws, 'ferry/wiki-sync', 'wiki/guides/setup.md.wiki-conflict.md')).toBe(
    'Setup from the web',
  );
});

test('ferry wiki CLI: local paths, --json report, exit codes', async () => {
  const ws = await tmpDir('ferry-wiki-cli-');
  await makeRepo(ws, SOURCE);
  const priv = path.join(ws, '..', `${path.basename(ws)}-private.wiki.git`);
  git(ws, ['init', '-q', '--bare', priv]);
  const r = await runCli(['wiki', '--source', 'wiki', '--private-wiki', priv, '--json'], { cwd: ws });
  expect(r.exitCode).toBe(0);
  const report = JSON.parse(r.stdout);
  expect(report.results[0]).toMatchObject({
    kind: 'wiki',
    success: true,
    changed: true,
    counts: { pages: 3 },
  });
  expect(report.results[0].details.pages).toContainEqual({ source: 'README.md', page: 'Home.md' });
  const bad = await runCli(['wiki', '--source', 'wiki', '--direction', 'sideways', '--private-wiki', priv], {
    cwd: ws,
  });
  expect(bad.exitCode).toBe(2);
  expect(bad.stderr).toContain("--direction must be 'push' or 'bidirectional'");
  await fs.rm(priv, { recursive: true, force: true });
});

test('ferry wiki --sync-back-branch: a branch Ferry did not write is refused; Ferry moves its own only forward', async () => {
  const ws = await tmpDir('ferry-wiki-back-');
  await makeRepo(ws, SOURCE);
  const priv = path.join(ws, '..', `${path.basename(ws)}-private.wiki.git`);
  git(ws, ['init', '-q', '--bare', priv]);
  const wiki = (...args: string[]) =>
    runCli(['wiki', '--source', 'wiki', '--private-wiki', priv, ...args], { cwd: ws });
  expect((await wiki()).exitCode).toBe(0);
  git(priv, ['symbolic-ref', 'HEAD', 'refs/heads/master']);

  // A branch of the user's (here: a release branch at the current commit) is never moved.
  git(ws, ['branch', 'release']);
  const release = revParse(ws, 'release');
  await webEdit(priv, { 'ops-runbook.md': '# Runbook\nEdited on the web.\n' });
  const refused = await wiki('--direction', 'bidirectional', '--sync-back-branch', 'release');
  // The wiki itself is synced; bringing the edits back failed: a failed sync (exit 1), no stack.
  expect(refused.exitCode).toBe(1);
  expect(refused.stdout + refused.stderr).toContain(
    "The sync-back branch 'release' exists and its last commit was not written by Ferry",
  );
  expect(refused.stdout + refused.stderr).not.toMatch(/\n\s+at .+:\d+/);
  expect(revParse(ws, 'release')).toBe(release);

  // Ferry's own branch: the next run (the source moved on, the wiki has another edit) fast-forwards it.
  const first = await wiki('--direction', 'bidirectional');
  expect(first.exitCode).toBe(0);
  const tip1 = revParse(ws, 'ferry/wiki-sync')!;
  expect(git(ws, ['log', '-1', '--format=%B', tip1])).toContain(`Ferry-Origin-Rev: ${revParse(ws, 'HEAD')}`);
  await commitFiles(ws, { 'wiki/guides/setup.md': 'Setup v2\n' });
  await webEdit(priv, { 'Home.md': '# Welcome\nEdited on the web too.\n' });
  const second = await wiki('--direction', 'bidirectional');
  expect(second.exitCode).toBe(0);
  const tip2 = revParse(ws, 'ferry/wiki-sync')!;
  expect(tip2).not.toBe(tip1);
  expect(git(ws, ['merge-base', '--is-ancestor', tip1, tip2])).toBe('');
  expect(showFile(ws, 'ferry/wiki-sync', 'wiki/ops/runbook.md')).toBe('# Runbook\nEdited on the web.');
  expect(showFile(ws, 'ferry/wiki-sync', 'wiki/README.md')).toBe('# Welcome\nEdited on the web too.');
  await fs.rm(priv, { recursive: true, force: true });
});
