import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { commitFiles, git, makeBare, makeRepo } from '../support/git-fixtures.js';
import { runCli } from '../support/run-action.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

/** `ferry export --mode history` through dist/cli, as a user runs it. */
afterAll(cleanupTmp);

test('history export with scrubbing and an author map; --json shape; bad author map exits 2', async () => {
  const dir = await tmpDir('ferry-hcli-');
  const source = path.join(dir, 'src');
  await makeRepo(source, { 'pub/a.txt': 'a\n', 'priv/p.txt': 'p\n' }, 'init');
  await commitFiles(source, { 'pub/b.txt': 'b\n' }, 'Add b\n\nSee https://jira.corp.example/X-1');
  await commitFiles(source, { 'priv/q.txt': 'q\n' }, 'premium only');
  const target = await makeBare(path.join(dir, 'target.git'));
  await fs.writeFile(path.join(dir, 'allow.txt'), 'pub/\n');
  await fs.writeFile(
    path.join(dir, 'authors.map'),
    'Public Author <public@example.org> <author@example.com>\n',
  );
  const args = ['export', '--source', source, '--target', target, '--allowlist', path.join(dir, 'allow.txt')];
  const hist = [
    '--mode',
    'history',
    '--since',
    'root',
    '--keep-merges',
    '--scrub-line',
    'jira\\.corp',
    '--author-map',
  ];

  const r = await runCli([...args, ...hist, path.join(dir, 'authors.map'), '--json']);
  expect(r.exitCode).toBe(0);
  const json = JSON.parse(r.stdout);
  expect(json.results[0].counts.commits).toBe(2);
  expect(json.results[0].details.history).toMatchObject({ base_from: 'root', replayed: 2, skipped: 1 });
  expect(json.results[0].details.history.commits).toHaveLength(2);
  const log = git(target, ['log', '--format=%an <%ae>|%s|%b', 'main']);
  expect(log).not.toContain('jira');
  expect(log.split('\n')[0]).toBe(
    'Public Author <public@example.org>|Add b|Ferry-Origin-Rev: ' + git(source, ['rev-parse', 'HEAD~1']),
  );

  await fs.writeFile(path.join(dir, 'bad.map'), 'no email here\n');
  const bad = await runCli([...args, ...hist, path.join(dir, 'bad.map')]);
  expect(bad.exitCode).toBe(2);
  expect(bad.stderr + bad.stdout).toMatch(/bad\.map:1: /);
});
