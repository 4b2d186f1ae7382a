import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runExport, type ExportSettings } from '../../src/core/export/index.js';
import { captureLogger } from '../../src/core/logger.js';
import { GIT_ENV, git, makeBare, makeRepo } from '../support/git-fixtures.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

/** History mode's keep-merges option (issue 4): real git, local bare targets. */
afterAll(cleanupTmp);

let clock = 1_700_000_000;
async function commit(repo: string, files: Record<string, string>, message: string): Promise<string> {
  clock += 100;
  for (const [p, c] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(repo, p)), { recursive: true });
    await fs.writeFile(path.join(repo, p), c);
  }
  const env = { ...GIT_ENV, GIT_AUTHOR_DATE: `@${clock} +0000`, GIT_COMMITTER_DATE: `@${clock} +0000` };
  git(repo, ['add', '-A']);
  execGit(repo, ['commit', '-q', '--allow-empty', '-m', message], env);
  return git(repo, ['rev-parse', 'HEAD']);
}

function execGit(repo: string, args: string[], env: NodeJS.ProcessEnv): void {
  execFileSync('git', args, { cwd: repo, env, stdio: 'pipe' });
}

/** `subject parents-count` of the target's main, newest first, and the graph's side subjects. */
function graph(target: string): string[] {
  return git(target, ['log', '--format=%s|%p', 'main'])
    .split('\n')
    .map((l) => {
      const [subject, parents] = l.split('|');
      return `${subject}:${parents ? parents.split(' ').length : 0}`;
    });
}

async function setup() {
  const dir = await tmpDir('ferry-hmerge-');
  const source = path.join(dir, 'src');
  await makeRepo(source, { 'public/a.txt': 'a\n', 'premium/p.txt': 'p\n' }, 'initial');
  const allow = path.join(dir, 'allow.txt');
  await fs.writeFile(allow, 'public/\n');
  const base: ExportSettings = {
    source,
    target: await makeBare(path.join(dir, 'target.git')),
    branch: 'main',
    allowlistFile: allow,
    mode: 'history',
    safety: { allowMassDelete: true },
  };
  return { dir, source, base };
}

describe('history keep-merges', () => {
  test('a merge whose side branch changes selected files stays a merge; its side line is replayed', async () => {
    const { dir, source, base } = await setup();
    const keep = { ...base, history: { keepMerges: true } };
    await runExport(keep, captureLogger()); // first run: snapshot of `initial`
    // The feature branch forks at `initial`, which an earlier run exported.
    git(source, ['checkout', '-q', '-b', 'feature']);
    await commit(source, { 'public/f.txt': 'f\n' }, 'feature f');
    await commit(source, { 'premium/q.txt': 'q\n' }, 'feature premium only');
    await commit(source, { 'public/g.txt': 'g\n' }, 'feature g');
    git(source, ['checkout', '-q', 'main']);
    await commit(source, { 'public/m.txt': 'm\n' }, 'main m');
    await runExport(keep, captureLogger()); // replays `main m`
    clock += 100;
    execGit(source, ['merge', '-q', '--no-ff', '-m', 'Merge feature', 'feature'], {
      ...GIT_ENV,
      GIT_AUTHOR_DATE: `@${clock} +0000`,
      GIT_COMMITTER_DATE: `@${clock} +0000`,
    });
    await commit(source, { 'public/after.txt': 'x\n' }, 'after merge');

    const r = await runExport(keep, captureLogger());
    expect(r.success).toBe(true);
    expect(r.details?.history).toMatchObject({ mergesKept: 1, replayed: 4 });
    const target = base.target;
    // Main line: after merge, Merge feature (2 parents), main m, the first run's snapshot.
    expect(
      git(target, ['log', '--first-parent', '--format=%s|%p', 'main'])
        .split('\n')
        .map((l) => {
          const [s, p] = l.split('|');
          return `${s}:${p.split(' ').length}`;
        }),
    ).toEqual(['after merge:1', 'Merge feature:2', 'main m:1', expect.stringMatching(/^Export /)]);
    // The side line: feature g on feature f on the snapshot commit (the premium-only commit skipped).
    const side = git(target, ['log', '--format=%s', 'main~1^2']).split('\n');
    expect(side.slice(0, 2)).toEqual(['feature g', 'feature f']);
    expect(git(target, ['rev-parse', 'main~1^2~2'])).toBe(git(target, ['rev-parse', 'main~3']));
    expect(git(target, ['ls-tree', '-r', '--name-only', 'main~1^2']).split('\n')).toEqual([
      'public/a.txt',
      'public/f.txt',
      'public/g.txt',
    ]);
    // Every side commit names its source commit.
    expect(git(target, ['log', '-1', '--format=%B', 'main~1^2'])).toContain(
      `Ferry-Origin-Rev: ${git(source, ['rev-parse', 'feature'])}`,
    );
    // The final tree is the snapshot's.
    const snap = await makeBare(path.join(dir, 'snap.git'));
    await runExport({ ...base, mode: 'snapshot', target: snap }, captureLogger());
    expect(git(target, ['rev-parse', 'main^{tree}'])).toBe(git(snap, ['rev-parse', 'main^{tree}']));

    // Deterministic: the same runs on another target give the same commits.
    const twin = await makeBare(path.join(dir, 'twin.git'));
    const mainM = git(source, ['rev-parse', 'main~2']);
    await runExport({ ...keep, target: twin, rev: 'main~3' }, captureLogger());
    await runExport({ ...keep, target: twin, rev: mainM }, captureLogger());
    const again = await runExport({ ...keep, target: twin }, captureLogger());
    expect(again.commit).toBe(git(target, ['rev-parse', 'main']));
  });

  test('a side line forked under an older config starts from the fork point under the current one', async () => {
    const { dir, source, base } = await setup();
    const keep = { ...base, history: { keepMerges: true } };
    await commit(source, { 'docs/d.txt': 'd1\n' }, 'docs');
    await runExport(keep, captureLogger()); // snapshot of `docs` (docs/ not selected yet)
    git(source, ['checkout', '-q', '-b', 'feature']);
    await commit(source, { 'public/f.txt': 'f\n', 'docs/d.txt': 'd2\n' }, 'feature f');
    git(source, ['checkout', '-q', 'main']);
    await commit(source, { 'public/m.txt': 'm\n' }, 'main m');
    await runExport(keep, captureLogger()); // the fork point is now older than the last export
    clock += 100;
    execGit(source, ['merge', '-q', '--no-ff', '-m', 'Merge feature', 'feature'], {
      ...GIT_ENV,
      GIT_AUTHOR_DATE: `@${clock} +0000`,
      GIT_COMMITTER_DATE: `@${clock} +0000`,
    });
    // The allowlist now selects docs/ too: a reconciliation commit, and the side line (forked
    // before it) must still end with the feature's tree under the new allowlist.
    await fs.writeFile(base.allowlistFile!, 'public/\ndocs/\n');
    const r = await runExport(keep, captureLogger());
    expect(r.success).toBe(true);
    expect(r.details?.history).toMatchObject({ mergesKept: 1, reconciliation: true });
    const target = base.target;
    const featureTree = await makeBare(path.join(dir, 'feature-snap.git'));
    await runExport({ ...base, mode: 'snapshot', target: featureTree, rev: 'feature' }, captureLogger());
    expect(git(target, ['rev-parse', 'main^2^{tree}'])).toBe(git(featureTree, ['rev-parse', 'main^{tree}']));
    // The side line hangs off the first run's snapshot commit (found by its trailer).
    expect(git(target, ['rev-parse', 'main^2^'])).toBe(git(target, ['rev-parse', 'main~3']));
    const snap = await makeBare(path.join(dir, 'snap.git'));
    await runExport({ ...base, mode: 'snapshot', target: snap }, captureLogger());
    expect(git(target, ['rev-parse', 'main^{tree}'])).toBe(git(snap, ['rev-parse', 'main^{tree}']));
  });

  test('without the option, and for a side branch that touches nothing selected, merges are linearized', async () => {
    const { source, base } = await setup();
    await runExport(base, captureLogger());
    git(source, ['checkout', '-q', '-b', 'feature']);
    await commit(source, { 'public/f.txt': 'f\n' }, 'feature f');
    git(source, ['checkout', '-q', 'main']);
    clock += 100;
    execGit(source, ['merge', '-q', '--no-ff', '-m', 'Merge feature', 'feature'], {
      ...GIT_ENV,
      GIT_AUTHOR_DATE: `@${clock} +0000`,
      GIT_COMMITTER_DATE: `@${clock} +0000`,
    });
    const r = await runExport(base, captureLogger());
    expect(r.success).toBe(true);
    expect(graph(base.target)[0]).toBe('Merge feature:1');

    // keep-merges, but the side branch only changes premium files: still one parent.
    git(source, ['checkout', '-q', '-b', 'premium-work']);
    await commit(source, { 'premium/z.txt': 'z\n' }, 'premium z');
    git(source, ['checkout', '-q', 'main']);
    await commit(source, { 'public/n.txt': 'n\n' }, 'main n');
    clock += 100;
    execGit(source, ['merge', '-q', '--no-ff', '-m', 'Merge premium-work', 'premium-work'], {
      ...GIT_ENV,
      GIT_AUTHOR_DATE: `@${clock} +0000`,
      GIT_COMMITTER_DATE: `@${clock} +0000`,
    });
    await commit(source, { 'public/o.txt': 'o\n' }, 'main o');
    const r2 = await runExport({ ...base, history: { keepMerges: true } }, captureLogger());
    expect(r2.success).toBe(true);
    expect(graph(base.target).slice(0, 2)).toEqual(['main o:1', 'main n:1']);
  });
});
