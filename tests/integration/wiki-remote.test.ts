import * as path from 'node:path';
import { captureLogger } from '../../src/core/logger.js';
import { runWikiSync, type WikiSettings } from '../../src/core/wiki/index.js';
import { commitFiles, git, lsTree, makeRepo, showFile } from '../support/git-fixtures.js';
import { GitHttpServer, type Fault } from '../support/git-http-server.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

/**
 * The wiki sync against the loopback smart-HTTP server when someone edits the wiki while Ferry
 * pushes: the push goes through the one rebuild-and-push helper, like the export's.
 */
const TOKEN = 'ghs_wikiRaceToken0123456789';
let server: GitHttpServer;
let n = 0;

beforeAll(async () => {
  server = new GitHttpServer(await tmpDir('ferry-wiki-race-'), TOKEN);
  await server.start();
});
afterAll(async () => {
  await server.stop();
  await cleanupTmp();
});
afterEach(() => server.clearFaults());

/** A source repo with a wiki folder, and a private wiki on the server with a first page. */
async function setup() {
  const id = `acme${++n}`;
  const src = await tmpDir('ferry-wiki-race-src-');
  await makeRepo(src, { 'wiki/README.md': '# Home\n', 'wiki/guide.md': 'Guide v1\n' });
  const bare = await server.repo(`${id}/private.wiki`);
  const init = await tmpDir('ferry-wiki-race-init-');
  await makeRepo(init, { 'Home.md': 'Welcome to the wiki!\n' }, 'Initial Home page');
  git(init, ['push', '-q', bare, 'main:master']);
  git(bare, ['symbolic-ref', 'HEAD', 'refs/heads/master']);
  const settings: WikiSettings = {
    source: path.join(src, 'wiki'),
    privateWiki: { repo: `${id}/private`, token: TOKEN },
    direction: 'push',
    unpublishedLinks: 'text',
    dryRun: false,
    syncBackBranch: 'ferry/wiki-sync',
    commitMessage: 'Sync {wiki} wiki at {short_sha}',
    serverUrl: server.url,
  };
  return { src, bare, settings };
}

/** A web-UI edit pushed straight into the bare repo behind the server, while Ferry is mid-push. */
function webEditDuring(on: Fault['on'], bare: string, page: string): { sha: () => string } {
  let sha = '';
  server.inject({
    on,
    kind: 'before',
    action: async () => {
      const work = await tmpDir('ferry-wiki-race-web-');
      git(work, ['clone', '-q', bare, '.']);
      sha = await commitFiles(work, { [page]: 'edited in the web UI\n' }, 'Web edit');
      git(work, ['push', '-q', 'origin', 'HEAD:master']);
    },
  });
  return { sha: () => sha };
}

test('a web edit lands between the fetch and the push: the sync rebuilds on it and nothing is lost', async () => {
  const f = await setup();
  await runWikiSync(f.settings, captureLogger());
  await commitFiles(f.src, { 'wiki/guide.md': 'Guide v2\n' });
  // The push's own ref advertisement already shows the web edit: git refuses (fetch first).
  const web = webEditDuring('push-refs', f.bare, 'Notes.md');
  const log = captureLogger();
  const [r] = await runWikiSync(f.settings, log);
  expect(r.success).toBe(true);
  expect(web.sha()).toMatch(/^[0-9a-f]{40}$/);
  git(f.bare, ['merge-base', '--is-ancestor', web.sha(), 'master']);
  expect(showFile(f.bare, 'master', 'guide.md')).toBe('Guide v2');
  // The rebuild saw the edit: direction push replaces it and says so (it stays in the history).
  expect(r.findings.map((x) => [x.code, x.message.split(' ')[0]])).toContainEqual([
    'wiki-edit-overwritten',
    'Notes.md',
  ]);
  expect(log.text()).toMatch(/moved meanwhile \(attempt 1: .*\); rebuilding/);
  expect(git(f.bare, ['rev-list', '--count', 'master'])).toBe('4');
});

test('the server loses the race to a concurrent push (failed to update ref): rebuilt and pushed, not a failure', async () => {
  const f = await setup();
  // The web edit lands after git sent its update command, inside the server's receive-pack.
  const web = webEditDuring('receive', f.bare, 'Notes.md');
  const log = captureLogger();
  const [r] = await runWikiSync(f.settings, log);
  expect(r.message).toMatch(/^updated the private wiki/);
  expect(r.success).toBe(true);
  git(f.bare, ['merge-base', '--is-ancestor', web.sha(), 'master']);
  expect(lsTree(f.bare, 'master')).toEqual(['Home.md', 'guide.md']);
  expect(log.text()).toMatch(/moved meanwhile \(attempt 1: .*\); rebuilding/);
  expect(git(f.bare, ['log', '-1', '--format=%s', 'master'])).toMatch(/^Sync private wiki at [0-9a-f]{7}$/);
});

test('a server that says "incorrect old value provided" lost a race too: rebuilt, not a failure', async () => {
  const f = await setup();
  await runWikiSync(f.settings, captureLogger());
  await commitFiles(f.src, { 'wiki/guide.md': 'Guide v3\n' });
  server.inject({ on: 'receive', kind: 'refuse', reason: 'incorrect old value provided' });
  const log = captureLogger();
  const [r] = await runWikiSync(f.settings, log);
  expect(r.success).toBe(true);
  expect(showFile(f.bare, 'master', 'guide.md')).toBe('Guide v3');
  expect(log.text()).toContain('incorrect old value provided');
});
