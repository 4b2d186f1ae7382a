import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runExport, type ExportSettings } from '../../src/core/export/index.js';
import { captureLogger } from '../../src/core/logger.js';
import {
  GIT_ENV,
  commitFiles,
  git,
  lsTree,
  makeBare,
  makeRepo,
  revParse,
  showFile,
  writeFiles,
} from '../support/git-fixtures.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

/** History mode (issue 4) through runExport, real git, local bare targets. */
afterAll(cleanupTmp);

async function setup(allow = 'public/\n') {
  const dir = await tmpDir('ferry-history-');
  const source = path.join(dir, 'src');
  await makeRepo(
    source,
    { 'public/a.txt': 'a\n', 'premium/p.txt': 'p\n', 'README.md': 'private\n' },
    'initial',
  );
  const target = await makeBare(path.join(dir, 'target.git'));
  const allowlist = path.join(dir, 'allow.txt');
  await fs.writeFile(allowlist, allow);
  const base: ExportSettings = {
    source,
    target,
    branch: 'main',
    allowlistFile: allowlist,
    mode: 'history',
    safety: { allowMassDelete: true },
  };
  return { dir, source, target, allowlist, base };
}

/** Commit with a given author and fixed dates (so ids are reproducible). */
async function authored(
  repo: string,
  files: Record<string, string | null>,
  message: string,
  who = 'Alice <alice@corp.example>',
  when = 1_700_000_000,
): Promise<string> {
  const m = /^(.*) <(.*)>$/.exec(who)!;
  const env = {
    ...GIT_ENV,
    GIT_AUTHOR_NAME: m[1],
    GIT_AUTHOR_EMAIL: m[2],
    GIT_AUTHOR_DATE: `@${when} +0200`,
    GIT_COMMITTER_DATE: `@${when + 60} +0000`,
  };
  for (const [p, c] of Object.entries(files)) {
    const full = path.join(repo, p);
    if (c === null) await fs.rm(full, { force: true });
    else {
      await fs.mkdir(path.dirname(full), { recursive: true });
      await fs.writeFile(full, c);
    }
  }
  execFileSync('git', ['add', '-A'], { cwd: repo, env });
  execFileSync('git', ['commit', '-q', '--allow-empty', '-m', message], { cwd: repo, env });
  return git(repo, ['rev-parse', 'HEAD']);
}

function log(target: string, format: string): string[] {
  return git(target, ['log', '--reverse', `--format=${format}%x00`, 'main'])
    .split('\0')
    .map((s) => s.replace(/^\n/, ''))
    .filter(Boolean);
}

describe('history mode', () => {
  test('first run makes one snapshot commit; later runs replay each selected commit', async () => {
    const { source, target, base } = await setup();
    const r1 = await runExport(base, captureLogger());
    expect(r1.success).toBe(true);
    expect(r1.counts.commits).toBe(1);
    expect(lsTree(target)).toEqual(['public/a.txt']);

    const c1 = await authored(
      source,
      { 'public/b.txt': 'b\n' },
      'Add b\n\nBody line.',
      'Bob <bob@corp.example>',
      1_700_000_100,
    );
    await authored(
      source,
      { 'premium/q.txt': 'q\n' },
      'Premium only',
      'Carol <carol@corp.example>',
      1_700_000_200,
    );
    const c3 = await authored(
      source,
      { 'public/a.txt': null, 'public/c.txt': 'c\n' },
      'Swap a for c',
      undefined,
      1_700_000_300,
    );
    const r2 = await runExport(base, captureLogger());
    expect(r2.success).toBe(true);
    expect(r2.counts.commits).toBe(2);
    expect(r2.details?.history).toMatchObject({
      baseFrom: 'trailer',
      replayed: 2,
      skipped: 1,
      reconciliation: false,
    });
    expect(lsTree(target)).toEqual(['public/b.txt', 'public/c.txt']);
    // Author, author date and message kept; committer fixed and dated like the source commit.
    const rows = log(target, '%an|%ae|%ad|%cn|%cd|%B').slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^Bob\|bob@corp\.example\|.*\|ferry\[bot\]\|/);
    expect(rows[0]).toContain('Add b\n\nBody line.\n\nFerry-Origin-Rev: ' + c1);
    expect(rows[1]).toContain('Swap a for c\n\nFerry-Origin-Rev: ' + c3);
    const dates = git(target, ['log', '-1', '--format=%at %ai|%ct', 'main']);
    expect(dates).toBe('1700000300 2023-11-15 00:18:20 +0200|1700000360');

    // Re-run: nothing to do.
    const r3 = await runExport(base, captureLogger());
    expect(r3.changed).toBe(false);
    expect(git(target, ['rev-list', '--count', 'main'])).toBe('3');
  });

  test('since root replays everything; the final tree equals a snapshot export; ids are deterministic', async () => {
    const { dir, source, target, base } = await setup();
    await authored(source, { 'public/x/y.txt': 'y\n', 'premium/z': 'z\n' }, 'one', undefined, 1_700_000_100);
    await authored(source, { 'public/x/y.txt': 'y2\n' }, 'two', undefined, 1_700_000_200);
    const r = await runExport({ ...base, since: 'root' }, captureLogger());
    expect(r.success).toBe(true);
    expect(r.counts.commits).toBe(3);
    const other = await makeBare(path.join(dir, 'other.git'));
    await runExport({ ...base, since: 'root', target: other }, captureLogger());
    expect(revParse(other, 'main')).toBe(revParse(target, 'main'));
    const snap = await makeBare(path.join(dir, 'snap.git'));
    await runExport({ ...base, mode: 'snapshot', target: snap }, captureLogger());
    expect(git(target, ['rev-parse', 'main^{tree}'])).toBe(git(snap, ['rev-parse', 'main^{tree}']));
  });

  test('from the root, every replayed commit (the projected root first) has its source commit’s snapshot tree', async () => {
    const dir = await tmpDir('ferry-history-root-');
    const source = path.join(dir, 'src');
    const allowlist = path.join(dir, 'allow.txt');
    await fs.writeFile(allowlist, 'public/\n!public/**/*.secret\n');
    const shas = [
      await makeRepo(
        source,
        {
          'public/a.txt': 'a\n',
          'public/deep/x/y.txt': 'y\n',
          'public/deep/hidden.secret': 's\n',
          'public/link': { content: 'a.txt', mode: 'symlink' },
          'public/run.sh': { content: '#!/bin/sh\n', mode: 'exec' },
          'premium/p.txt': 'p\n',
        },
        'root commit\n\nWith a body.',
      ),
      await commitFiles(source, { 'public/a.txt': 'a2\n', 'public/deep/x/z.txt': 'z\n' }, 'two'),
      await commitFiles(source, { 'premium/q.txt': 'q\n' }, 'premium only'),
      await commitFiles(
        source,
        { 'public/deep': null, 'public/link': { content: 'run.sh', mode: 'symlink' } },
        'four',
      ),
    ];
    const target = await makeBare(path.join(dir, 'target.git'));
    const base: ExportSettings = {
      source,
      target,
      branch: 'main',
      allowlistFile: allowlist,
      mode: 'history',
    };
    const r = await runExport({ ...base, since: 'root' }, captureLogger());
    expect(r.success).toBe(true);
    expect(r.details?.history).toMatchObject({ replayed: 3, skipped: 1, reconciliation: false });
    const commits = log(target, '%H|%P|%s|%(trailers:key=Ferry-Origin-Rev,valueonly,separator=)');
    expect(commits.map((c) => c.split('|')[2])).toEqual(['root commit', 'two', 'four']);
    expect(commits[0].split('|')[1]).toBe('');
    const origins = commits.map((c) => c.split('|')[3].trim());
    expect(origins).toEqual([shas[0], shas[1], shas[3]]);
    for (const [i, c] of commits.entries()) {
      const snap = await makeBare(path.join(dir, `snap-${i}.git`));
      await runExport({ ...base, mode: 'snapshot', rev: origins[i], target: snap }, captureLogger());
      expect(git(target, ['rev-parse', `${c.split('|')[0]}^{tree}`])).toBe(
        git(snap, ['rev-parse', 'main^{tree}']),
      );
    }
    expect(lsTree(target, commits[0].split('|')[0])).toEqual([
      'public/a.txt',
      'public/deep/x/y.txt',
      'public/link',
      'public/run.sh',
    ]);
  });

  test('from the root: a root with nothing selected is skipped; a root leak stops the run naming the root', async () => {
    const { source, target, base } = await setup('docs/\n');
    const root = git(source, ['rev-parse', 'HEAD']);
    await commitFiles(source, { 'docs/ok.md': 'ok\n' }, 'docs');
    const r = await runExport({ ...base, since: 'root' }, captureLogger());
    expect(r.success).toBe(true);
    expect(r.details?.history).toMatchObject({ replayed: 1, skipped: 1 });
    expect(log(target, '%s')).toEqual(['docs']);

    const leak = await setup('public/\n');
    await fs.rm(path.join(leak.source, 'public/a.txt'));
    await writeFiles(leak.source, { 'public/a.txt': { content: '../premium/p.txt', mode: 'symlink' } });
    git(leak.source, ['commit', '-q', '--amend', '-a', '-m', 'root with a link out']);
    const leakRoot = git(leak.source, ['rev-parse', 'HEAD']);
    const bad = await runExport({ ...leak.base, since: 'root' }, captureLogger());
    expect(bad.success).toBe(false);
    const f = bad.findings.find((x) => x.code === 'symlink-outside');
    expect(f?.message).toContain(leakRoot.slice(0, 12));
    expect(revParse(leak.target, 'main')).toBeUndefined();
    expect(root).not.toBe(leakRoot);
  });

  test('an allowlist change gives a reconciliation commit before the replayed ones', async () => {
    const { source, target, base, allowlist } = await setup();
    await runExport(base, captureLogger());
    await fs.writeFile(allowlist, 'public/\nREADME.md\n');
    await authored(source, { 'public/n.txt': 'n\n' }, 'new file', undefined, 1_700_000_500);
    const r = await runExport(base, captureLogger());
    expect(r.success).toBe(true);
    expect(r.details?.history).toMatchObject({ reconciliation: true, replayed: 1 });
    const subjects = log(target, '%s');
    expect(subjects[1]).toMatch(/^Reconcile with the current export configuration/);
    expect(subjects[2]).toBe('new file');
    expect(lsTree(target)).toEqual(['README.md', 'public/a.txt', 'public/n.txt']);
  });

  test('a gate finding on one replayed commit stops the run and names the commit; nothing is pushed', async () => {
    const { source, target, base } = await setup();
    await runExport(base, captureLogger());
    const tip = revParse(target, 'main');
    await authored(source, { 'public/ok.txt': 'ok\n' }, 'fine', undefined, 1_700_000_100);
    const bad = await authored(source, { 'public/.env': 'X=1\n' }, 'oops', undefined, 1_700_000_200);
    const r = await runExport(base, captureLogger());
    expect(r.success).toBe(false);
    const err = r.findings.find((f) => f.severity === 'error');
    expect(err?.code).toBe('forbidden-path');
    expect(err?.message).toContain(bad.slice(0, 12));
    expect(revParse(target, 'main')).toBe(tip);
  });

  test('the batched gates judge each commit as it was: a leak fixed one commit later still stops the run', async () => {
    const { source, target, base } = await setup();
    await authored(
      source,
      { 'premium/secret_algo.py': 'X = 1\n' },
      'premium module',
      undefined,
      1_700_000_050,
    );
    await runExport(base, captureLogger());
    const tip = revParse(target, 'main');
    const leaky = await authored(
      source,
      { 'public/use.py': 'import premium.secret_algo\n' },
      'use premium',
      undefined,
      1_700_000_100,
    );
    // The premium module disappears in the next commit: judged against the final source only,
    // the import above would resolve to nothing and pass.
    await authored(source, { 'premium/secret_algo.py': null }, 'drop premium', undefined, 1_700_000_200);
    const key = 'AKIA' + 'Z7QK2M3XW4RT6YPL';
    const secret = await authored(
      source,
      { 'public/cfg.txt': `aws = ${key}\n` },
      'add key',
      undefined,
      1_700_000_300,
    );
    await authored(source, { 'public/cfg.txt': 'aws = none\n' }, 'remove key', undefined, 1_700_000_400);
    const r = await runExport({ ...base, safety: { ...base.safety, importCheck: true } }, captureLogger());
    expect(r.success).toBe(false);
    const leak = r.findings.find((f) => f.code === 'import-leak');
    expect(leak?.file).toBe('public/use.py');
    expect(leak?.message).toContain(leaky);
    const found = r.findings.find((f) => f.code === 'secret');
    expect(found?.file).toBe('public/cfg.txt');
    expect(found?.message).toContain(secret);
    expect(revParse(target, 'main')).toBe(tip);
  });

  test('a later commit that leaves a symlink dangling is stopped, naming that commit', async () => {
    const { source, target, base } = await setup();
    await runExport(base, captureLogger());
    const tip = revParse(target, 'main');
    await fs.symlink('a.txt', path.join(source, 'public/link'));
    await authored(source, {}, 'add link', undefined, 1_700_000_100);
    const breaking = await authored(source, { 'public/a.txt': null }, 'drop a', undefined, 1_700_000_200);
    const r = await runExport(base, captureLogger());
    expect(r.success).toBe(false);
    const err = r.findings.find((f) => f.code === 'symlink-outside');
    expect(err?.message).toContain(breaking.slice(0, 12));
    expect(revParse(target, 'main')).toBe(tip);
  });

  test('scrubbing and the author map', async () => {
    const { dir, source, target, base } = await setup();
    await runExport(base, captureLogger());
    await authored(
      source,
      { 'public/1.txt': '1\n' },
      'Fix parser\n\nSee https://jira.corp.example/PROJ-1\nReviewed-by: Dana <dana@corp.example>\nCo-authored-by: Bob <bob@corp.example>',
      'Alice <alice@corp.example>',
    );
    await authored(
      source,
      { 'public/2.txt': '2\n' },
      'CONFIDENTIAL: customer acme escalation',
      'Eve <eve@corp.example>',
    );
    const map = path.join(dir, 'authors.map');
    await fs.writeFile(
      map,
      '# public identities\nAlice Public <alice@example.org> <alice@corp.example>\nRobert <bob@example.org> <bob@corp.example>\n',
    );
    const r = await runExport(
      {
        ...base,
        history: {
          scrubLines: ['jira\\.corp\\.example', '^Reviewed-by:'],
          scrubMessages: ['CONFIDENTIAL'],
          authorMapFile: map,
        },
      },
      captureLogger(),
    );
    expect(r.success).toBe(true);
    const rows = log(target, '%an <%ae>|%B').slice(1);
    expect(rows[0]).toMatch(
      new RegExp(
        // Co-authored-by stays last, after Ferry's trailers (GitHub credits co-authors from there).
        `^Alice Public <alice@example\\.org>\\|Fix parser\n\nFerry-Origin-Rev: ${revParse(source, 'HEAD~1')}\nFerry-Config: [0-9a-f]{16}\nCo-authored-by: Robert <bob@example\\.org>\n$`,
      ),
    );
    expect(rows[1]).toMatch(/^Eve <eve@corp\.example>\|Internal change [0-9a-f]{7}\n\nFerry-Origin-Rev: /);
    expect(showFile(target, 'main', 'public/2.txt')).toBe('2');
  });

  test('a re-run after a partial export converges: no duplicate, no lost commit', async () => {
    const { dir, source, target, base } = await setup();
    await runExport(base, captureLogger());
    const shas: string[] = [];
    for (let i = 0; i < 4; i++)
      shas.push(
        await authored(
          source,
          { [`public/f${i}.txt`]: `${i}\n` },
          `c${i}`,
          undefined,
          1_700_000_000 + i * 100,
        ),
      );
    // A run that only got to the second commit (e.g. the job was cancelled after pushing it).
    await runExport({ ...base, rev: shas[1] }, captureLogger());
    const r = await runExport(base, captureLogger());
    expect(r.details?.history).toMatchObject({ baseFrom: 'trailer', base: shas[1], replayed: 2 });
    expect(log(target, '%s').slice(1)).toEqual(['c0', 'c1', 'c2', 'c3']);
    const again = await runExport(base, captureLogger());
    expect(again.changed).toBe(false);
    // A racing run that built on the same tip made the very same commits: pushing them is a no-op.
    const twin = await makeBare(path.join(dir, 'twin.git'));
    await runExport({ ...base, target: twin, rev: 'HEAD~4' }, captureLogger());
    await runExport({ ...base, target: twin, rev: shas[1] }, captureLogger());
    const twinRun = await runExport({ ...base, target: twin }, captureLogger());
    expect(twinRun.commit).toBe(revParse(target, 'main'));
  });
});
