import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runExport, type ExportSettings } from '../../src/core/export/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { detailsOf, type TargetResult } from '../../src/core/report/result.js';
import { commitFiles, git, makeBare, makeRepo, revParse } from '../support/git-fixtures.js';
import {
  appendCommits,
  CONFIGS,
  commitLines,
  commitsArb,
  initialOps,
  type Op,
  type SourceFiles,
} from '../support/random-history.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

/**
 * The incremental snapshot path (src/core/export/incremental.ts) must give exactly the tree, the
 * change list, the findings and the recorded symlinks of the full path. Random real-commit
 * histories (adds, edits, deletes, renames, mode and type changes, symlinks, gitlinks,
 * .gitattributes, files becoming directories; tests/support/random-history.ts), random config
 * changes (map rules with collisions, preserved paths, the submodule policy) and hand edits of the
 * target: every re-export is run twice from the same target state, normally (incremental when it
 * can) and with `force` (always the full path), and the two are compared.
 */
afterAll(cleanupTmp);

/** Findings and changes in a comparable form (order-free; the full path repeats skipped-submodule warnings). */
function shape(r: TargetResult) {
  return {
    success: r.success,
    changed: r.changed,
    changes: r.changes!.map((c) => `${c.change} ${c.path} ${c.bytes ?? ''}`).sort(),
    findings: r.findings
      .filter((f) => f.severity !== 'notice' && f.code !== 'submodule-skipped')
      .map((f) => `${f.severity} ${f.code} ${f.file ?? ''}:${f.line ?? ''} ${f.message}`)
      .sort(),
  };
}

const treeOf = (repo: string) => revParse(repo, 'main^{tree}');
const recorded = (repo: string) =>
  revParse(repo, 'main')
    ? git(repo, ['log', '-1', '--format=%B', 'main'])
        .split('\n')
        .filter((l) => l.startsWith('Ferry-Symlink'))
    : [];

describe('incremental snapshot export', () => {
  test('a plain re-export takes the incremental path; a config change falls back', async () => {
    const d = await tmpDir('ferry-incr-');
    const src = path.join(d, 'src');
    await makeRepo(src, { 'pub/a.py': 'x = 1\n', 'priv/x.py': 'y = 2\n', 'README.md': 'hi\n' });
    const target = await makeBare(path.join(d, 't.git'));
    const allow = path.join(d, 'allow.txt');
    await fs.writeFile(allow, 'pub/**\nREADME.md\n');
    const base = { source: src, target, branch: 'main', allowlistFile: allow };
    const first = await runExport(base, silentLogger);
    expect(first.details).toMatchObject({ incremental: false, fullPath: 'first-export' });
    expect(git(target, ['log', '-1', '--format=%B', 'main'])).toMatch(/^Ferry-Config: [0-9a-f]{16}$/m);
    await commitFiles(src, { 'pub/b.py': 'from pub import a\n', 'priv/z.py': 'secret = 0\n' });
    const second = await runExport(base, silentLogger);
    expect(second.details?.incremental).toBe(true);
    expect(second.changes!.map((c) => `${c.change} ${c.path}`)).toEqual(['added pub/b.py']);
    expect(git(target, ['ls-tree', '-r', '--name-only', 'main']).split('\n')).toEqual([
      'README.md',
      'pub/a.py',
      'pub/b.py',
    ]);
    // An import of an unexported source file is found through the on-demand path probe.
    await commitFiles(src, { 'pub/c.py': 'import priv.x\n' });
    const leak = await runExport(base, silentLogger);
    expect(leak.details?.incremental).toBe(true);
    expect(leak.success).toBe(false);
    expect(leak.findings.map((f) => f.code)).toContain('import-leak');
    // A different allowlist: the hash differs, so the full path runs.
    await commitFiles(src, { 'pub/c.py': 'x = 3\n' });
    await fs.writeFile(allow, 'pub/**\n');
    const third = await runExport(base, silentLogger);
    expect(third.success).toBe(true);
    expect(third.details).toMatchObject({ incremental: false, fullPath: 'config-changed' });
    expect(third.changes!.map((c) => `${c.change} ${c.path}`)).toEqual([
      'deleted README.md',
      'added pub/c.py',
    ]);
  });

  test('deletions, renames, symlinks and preserved paths take the incremental path', async () => {
    const d = await tmpDir('ferry-incr-real-');
    const src = path.join(d, 'src');
    await makeRepo(src, {
      'pub/a.py': 'x = 1\n',
      'pub/b.py': 'y = 2\n',
      'pub/docs/guide.md': 'guide\n',
      'pub/link': { content: 'docs', mode: 'symlink' },
      LICENSE: 'source license\n',
    });
    const target = await makeBare(path.join(d, 't.git'));
    const allow = path.join(d, 'allow.txt');
    await fs.writeFile(allow, 'pub/**\nLICENSE\n');
    const base: ExportSettings = {
      source: src,
      target,
      branch: 'main',
      allowlistFile: allow,
      preserve: ['LICENSE'],
    };
    await runExport(base, silentLogger);
    expect(git(target, ['log', '-1', '--format=%B', 'main'])).toMatch(/^Ferry-Symlink: pub\/link$/m);
    // A rename, a deletion, a change to a preserved path: all from the diff.
    git(src, ['mv', 'pub/b.py', 'pub/c.py']);
    await commitFiles(src, { 'pub/a.py': null, LICENSE: 'changed\n' });
    const r = await runExport(base, silentLogger);
    expect(r.details).toMatchObject({ incremental: true });
    expect(r.changes!.map((c) => `${c.change} ${c.path}`)).toEqual([
      'deleted pub/a.py',
      'deleted pub/b.py',
      'added pub/c.py',
    ]);
    expect(git(target, ['show', 'main:LICENSE'])).toBe('source license');
    // Deleting what the link points at is found without listing the tree.
    await commitFiles(src, { 'pub/docs/guide.md': null });
    const dangling = await runExport(base, silentLogger);
    expect(dangling.details).toMatchObject({ incremental: true });
    expect(dangling.success).toBe(false);
    expect(dangling.findings.map((f) => `${f.code} ${f.file}`)).toEqual(['symlink-outside pub/link']);
  });

  test('a target changed by hand takes the full path and says so', async () => {
    const d = await tmpDir('ferry-incr-hand-');
    const src = path.join(d, 'src');
    await makeRepo(src, { 'pub/a.py': 'x = 1\n', 'pub/b.py': 'y = 2\n' });
    const target = await makeBare(path.join(d, 't.git'));
    const allow = path.join(d, 'allow.txt');
    await fs.writeFile(allow, 'pub/**\n');
    const base: ExportSettings = { source: src, target, branch: 'main', allowlistFile: allow };
    await runExport(base, silentLogger);
    // Amended by hand: same trailers, another committer and another tree.
    const work = path.join(d, 'work');
    git(d, ['clone', '-q', target, work]);
    await fs.writeFile(path.join(work, 'pub/a.py'), 'edited by hand\n');
    git(work, ['commit', '-q', '-a', '--amend', '--no-edit']);
    git(work, ['push', '-q', '-f', 'origin', 'main']);
    await commitFiles(src, { 'pub/b.py': 'y = 3\n' });
    const r = await runExport(base, silentLogger);
    expect(r.details).toMatchObject({ incremental: false, fullPath: 'target-edited' });
    expect(r.findings.map((f) => `${f.severity} ${f.code}`)).toEqual(['notice target-edited']);
    expect(git(target, ['show', 'main:pub/a.py'])).toBe('x = 1');
    // A commit on top, by hand: the same.
    await fs.writeFile(path.join(work, 'NOTES.md'), 'hand\n');
    git(work, ['pull', '-q', '--rebase=false', 'origin', 'main']);
    git(work, ['add', '-A']);
    git(work, ['commit', '-q', '-m', 'notes']);
    git(work, ['push', '-q', 'origin', 'main']);
    await commitFiles(src, { 'pub/b.py': 'y = 4\n' });
    const again = await runExport(base, silentLogger);
    expect(again.details).toMatchObject({ incremental: false, fullPath: 'target-edited' });
    // Back on Ferry's own commit, the next run is incremental again.
    await commitFiles(src, { 'pub/b.py': 'y = 5\n' });
    expect((await runExport(base, silentLogger)).details).toMatchObject({ incremental: true });
  }, 120_000);

  test('a new map collision stops the re-export even when the target path keeps its file', async () => {
    const d = await tmpDir('ferry-incr-collide-');
    const src = path.join(d, 'src');
    await makeRepo(src, { 'a/f.txt': 'one\n' });
    const target = await makeBare(path.join(d, 't.git'));
    const allow = path.join(d, 'allow.txt');
    await fs.writeFile(allow, 'a/**\nb/**\n');
    const base: ExportSettings = {
      source: src,
      target,
      branch: 'main',
      allowlistFile: allow,
      map: ['b/=a/'],
    };
    expect((await runExport(base, silentLogger)).success).toBe(true);
    // b/f.txt lands on a/f.txt too; a/f.txt comes first in git's order, so the tree stays as it is.
    await commitFiles(src, { 'b/f.txt': 'two\n' });
    const r = await runExport(base, silentLogger);
    expect(r.details).toMatchObject({ incremental: true });
    expect(r.success).toBe(false);
    expect(r.findings.map((f) => `${f.code} ${f.file}`)).toEqual(['map-collision b/f.txt']);
  }, 60_000);

  test('random real-commit histories, config changes and hand edits: incremental == full path', async () => {
    const root = await tmpDir('ferry-incr-prop-');
    let n = 0;
    const seen = { incremental: 0, deletions: 0, links: 0, mapped: 0, edited: 0 };
    const stepArb = fc.record({
      commits: commitsArb(3),
      // Mostly the same config and no hand edit (fc.option's freq makes null the rare case).
      config: fc.oneof(
        { weight: 3, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.nat(CONFIGS.length - 1) },
      ),
      hand: fc.oneof(
        { weight: 6, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.constantFrom('amend' as const, 'on-top' as const) },
      ),
    });
    await fc.assert(
      fc.asyncProperty(
        // Harmless first bodies (no LFS pointer, no premium import): the first export should succeed.
        fc.array(fc.constantFrom(0, 1, 3), { minLength: 4, maxLength: 4 }),
        fc.nat(CONFIGS.length - 1),
        fc.array(stepArb, { minLength: 2, maxLength: 4 }),
        async (bodies, first, steps) => {
          const d = path.join(root, String(n++));
          const src = path.join(d, 'src');
          await fs.mkdir(src, { recursive: true });
          const files: SourceFiles = new Map();
          let t = 0;
          appendCommits(src, [commitLines(initialOps(bodies), files, t++)], 0);
          const target = await makeBare(path.join(d, 't.git'));
          const full = path.join(d, 'full.git');
          const allow = path.join(d, 'allow.txt');
          let config = CONFIGS[first];
          const settings = (to: string, force: boolean): ExportSettings => ({
            source: src,
            target: to,
            branch: 'main',
            allowlistFile: allow,
            preserve: config.preserve,
            map: config.map,
            submodules: config.submodules,
            safety: { maxDeleteRatio: 0.15 },
            force,
          });
          await fs.writeFile(allow, config.rules.join('\n') + '\n');
          await runExport(settings(target, false), silentLogger);
          for (const step of steps) {
            const lines = step.commits.map((ops) => commitLines(ops as Op[], files, t++));
            appendCommits(src, lines, t);
            if (step.config !== null) config = CONFIGS[step.config];
            await fs.writeFile(allow, config.rules.join('\n') + '\n');
            if (step.hand && revParse(target, 'main')) handEdit(d, target, step.hand);
            // The same target state twice: one copy for the normal run, one for the forced full path.
            await fs.rm(full, { recursive: true, force: true });
            execFileSync('cp', ['-a', target, full]);
            const a = await runExport(settings(target, false), silentLogger);
            const b = await runExport(settings(full, true), silentLogger);
            expect(b.details).toMatchObject({ incremental: false });
            expect(['force', 'first-export']).toContain(detailsOf(b, 'export')?.fullPath);
            if (a.details?.incremental) {
              seen.incremental++;
              if (a.changes!.some((c) => c.change === 'deleted')) seen.deletions++;
              if (recorded(target).length || a.findings.some((f) => f.code === 'symlink-outside'))
                seen.links++;
              if (config.map.length) seen.mapped++;
            }
            if (detailsOf(a, 'export')?.fullPath === 'target-edited') seen.edited++;
            expect(shape(a)).toEqual(shape(b));
            expect(treeOf(target)).toEqual(treeOf(full));
            expect(recorded(target)).toEqual(recorded(full));
          }
        },
      ),
      {
        endOnFailure: true,
        numRuns: Number(process.env.FERRY_PROP_RUNS ?? 10),
        seed: Number(process.env.FERRY_PROP_SEED ?? 20261203),
      },
    );
    // The property means something only if the incremental path ran on every kind of change.
    expect(seen).toEqual({
      incremental: expect.any(Number),
      deletions: expect.any(Number),
      links: expect.any(Number),
      mapped: expect.any(Number),
      edited: expect.any(Number),
    });
    for (const [k, v] of Object.entries(seen)) expect([k, v > 0]).toEqual([k, true]);
  }, 600_000);
});

/** Change the target by hand: amend its tip (another committer, one file changed) or commit on top. */
function handEdit(d: string, target: string, how: 'amend' | 'on-top'): void {
  const work = path.join(d, `hand-${Date.now()}`);
  git(d, ['clone', '-q', target, work]);
  const name =
    git(work, ['ls-files'])
      .split('\n')
      .find((f) => !f.endsWith('mod')) ?? 'HAND.md';
  // Unique content: an edit that changes nothing would leave nothing to commit.
  execFileSync('sh', ['-c', 'rm -f "$1" && echo "$2" > "$1"', 'sh', path.join(work, name), `hand ${work}`]);
  git(work, ['add', '-A']);
  if (how === 'amend') git(work, ['commit', '-q', '--amend', '--no-edit']);
  else git(work, ['commit', '-q', '-m', 'by hand']);
  git(work, ['push', '-q', '-f', 'origin', 'HEAD:main']);
}
