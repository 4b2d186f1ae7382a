import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runExport, type ExportSettings } from '../../src/core/export/index.js';
import { captureLogger } from '../../src/core/logger.js';
import { commitFiles, git, lsTree, makeBare, makeRepo, revParse, showFile } from '../support/git-fixtures.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

/** The export engine against real git: a work-tree source and a local bare target. */
afterAll(cleanupTmp);

async function setup(
  files: Record<string, string | { content: string; mode?: 'exec' | 'symlink' }>,
  allow: string,
) {
  const dir = await tmpDir('ferry-export-');
  const source = path.join(dir, 'src');
  await makeRepo(source, files);
  const target = await makeBare(path.join(dir, 'target.git'));
  const allowlist = path.join(dir, 'allow.txt');
  await fs.writeFile(allowlist, allow);
  const base: ExportSettings = { source, target, branch: 'main', allowlistFile: allowlist };
  return { dir, source, target, allowlist, base };
}

const FILES = {
  'README.md': 'private readme\n',
  'public/a.py': 'print("a")\n',
  'public/b/c.txt': 'c\n',
  'premium/secret.py': 'premium\n',
  'tools/run.sh': { content: '#!/bin/sh\necho hi\n', mode: 'exec' as const },
  'public/link': { content: 'a.py', mode: 'symlink' as const },
};

describe('runExport (snapshot, local target)', () => {
  test('first export, then a no-op re-export, then deletion propagation', async () => {
    const { source, target, base } = await setup(FILES, 'public/\ntools/\n');
    const r1 = await runExport(base, captureLogger());
    expect(r1.success).toBe(true);
    expect(r1.changed).toBe(true);
    expect(lsTree(target)).toEqual(['public/a.py', 'public/b/c.txt', 'public/link', 'tools/run.sh']);
    expect(r1.commit).toBe(revParse(target, 'main'));
    expect(r1.counts).toMatchObject({ added: 4, modified: 0, deleted: 0, commits: 1 });
    expect(r1.counts.bytesAdded).toBeGreaterThan(0);
    // Modes survive: exec bit and symlink.
    const modes = git(target, ['ls-tree', '-r', 'main']);
    expect(modes).toMatch(/^100755 blob \w+\ttools\/run.sh$/m);
    expect(modes).toMatch(/^120000 blob \w+\tpublic\/link$/m);
    const head = revParse(source, 'HEAD')!;
    expect(git(target, ['log', '-1', '--format=%B', 'main'])).toContain(`Ferry-Origin-Rev: ${head}`);

    const r2 = await runExport(base, captureLogger());
    expect(r2.success).toBe(true);
    expect(r2.changed).toBe(false);
    expect(revParse(target, 'main')).toBe(r1.commit);

    await commitFiles(source, {
      'public/b/c.txt': null,
      'public/a.py': 'print("A")\n',
      'public/new.md': 'n\n',
    });
    const r3 = await runExport(base, captureLogger());
    expect(r3.changes).toEqual([
      { path: 'public/a.py', change: 'modified', bytes: 11 },
      { path: 'public/b/c.txt', change: 'deleted', bytes: 2 },
      { path: 'public/new.md', change: 'added', bytes: 2 },
    ]);
    expect(lsTree(target)).toEqual(['public/a.py', 'public/link', 'public/new.md', 'tools/run.sh']);
    expect(git(target, ['rev-list', '--count', 'main'])).toBe('2');
  });

  test('preserve keeps target-owned files; map moves paths under a prefix', async () => {
    const { target, base, dir } = await setup(FILES, 'public/\n');
    // The target already has its own README, LICENSE and a stale file.
    const seed = path.join(dir, 'seed');
    await makeRepo(seed, { 'README.md': 'public readme\n', LICENSE: 'MIT\n', 'old.txt': 'stale\n' });
    git(seed, ['push', '-q', target, 'main']);
    const r = await runExport(
      {
        ...base,
        preserve: ['README.md', 'LICENSE'],
        map: ['public/=lib/{package}/'],
        vars: { package: 'acme' },
      },
      captureLogger(),
    );
    expect(r.success).toBe(true);
    expect(lsTree(target)).toEqual([
      'LICENSE',
      'README.md',
      'lib/acme/a.py',
      'lib/acme/b/c.txt',
      'lib/acme/link',
    ]);
    expect(showFile(target, 'main', 'README.md')).toBe('public readme');
    expect(r.changes?.find((c) => c.path === 'old.txt')?.change).toBe('deleted');
  });

  test('dry run plans the commit and changes nothing', async () => {
    const { target, base } = await setup(FILES, 'public/\n');
    const r = await runExport({ ...base, dryRun: true }, captureLogger());
    expect(r.dryRun).toBe(true);
    expect(r.changed).toBe(true);
    expect(r.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(r.counts.added).toBe(3);
    expect(revParse(target, 'main')).toBeUndefined();
    expect(git(target, ['count-objects', '-v'])).toMatch(/^count: 0$/m);
  });

  test('the same export gives the same commit id (fixed identity and dates)', async () => {
    const { base, dir } = await setup(FILES, 'public/\n');
    const committer = { name: 'ferry', email: 'f@example.com', date: '2020-01-01T00:00:00Z' };
    const t2 = await makeBare(path.join(dir, 't2.git'));
    const a = await runExport({ ...base, committer, dryRun: true }, captureLogger());
    const b = await runExport({ ...base, target: t2, committer }, captureLogger());
    expect(a.commit).toBe(b.commit);
  });

  test('gitlinks are skipped with a warning; LFS pointers warn; outside symlinks stop the export', async () => {
    const lfs = 'version https://git-lfs.github.com/spec/v1\noid sha256:' + 'a'.repeat(64) + '\nsize 12\n';
    const { source, target, base } = await setup(
      {
        '.gitattributes': '*.bin filter=lfs diff=lfs merge=lfs -text\n',
        'public/a.txt': 'a\n',
        'public/big.bin': lfs,
        'public/out': { content: '../../etc/passwd', mode: 'symlink' },
      },
      'public/\n',
    );
    git(source, ['update-index', '--add', '--cacheinfo', `160000,${revParse(source, 'HEAD')},public/sub`]);
    git(source, ['commit', '-q', '-m', 'add gitlink']);
    const stopped = await runExport(base, captureLogger());
    expect(stopped.success).toBe(false);
    expect(stopped.findings.map((f) => f.code).sort()).toEqual([
      'lfs-pointer',
      'submodule-skipped',
      'symlink-outside',
    ]);
    expect(revParse(target, 'main')).toBeUndefined();

    // (not commitFiles: `add -A` would drop the gitlink, which has no directory on disk)
    git(source, ['rm', '-q', 'public/out']);
    git(source, ['commit', '-q', '-m', 'drop link']);
    const r = await runExport({ ...base, submodules: 'keep', lfs: 'error' }, captureLogger());
    expect(r.success).toBe(false);
    expect(r.findings.find((f) => f.code === 'lfs-pointer')?.severity).toBe('error');
    const ok = await runExport({ ...base, submodules: 'keep', lfs: 'allow' }, captureLogger());
    expect(ok.success).toBe(true);
    expect(git(target, ['ls-tree', 'main', 'public/sub'])).toMatch(/^160000 commit /);
  });

  test('an LFS-looking file without LFS attributes is plain text; a file can become a directory', async () => {
    const lfs = 'version https://git-lfs.github.com/spec/v1\noid sha256:' + 'b'.repeat(64) + '\nsize 99\n';
    const { source, target, base } = await setup(
      { 'public/doc.txt': lfs, 'public/x': 'file\n' },
      'public/\n',
    );
    const r1 = await runExport(base, captureLogger());
    expect(r1.findings.filter((f) => f.code === 'lfs-pointer')).toEqual([]);
    // public/x turns from a file into a directory: the incremental tree write must replace it.
    git(source, ['rm', '-q', 'public/x']);
    await commitFiles(source, { 'public/x/inner.txt': 'inner\n' });
    const r2 = await runExport(base, captureLogger());
    expect(r2.success).toBe(true);
    expect(lsTree(target)).toEqual(['public/doc.txt', 'public/x/inner.txt']);
    expect(git(target, ['fsck', '--no-dangling'])).toBe('');
  });

  test('a shallow source checkout exports; a revision it lacks is fetched at depth 1', async () => {
    const { source, target, base, dir } = await setup(FILES, 'public/\n');
    const older = revParse(source, 'HEAD')!;
    await commitFiles(source, { 'public/a.py': 'newer\n' });
    const shallow = path.join(dir, 'shallow');
    git(dir, ['clone', '-q', '--depth', '1', `file://${source}`, shallow]);
    expect(git(shallow, ['rev-parse', '--is-shallow-repository'])).toBe('true');
    const r = await runExport({ ...base, source: shallow }, captureLogger());
    expect(r.success).toBe(true);
    expect(showFile(target, 'main', 'public/a.py')).toBe('newer');
    const r2 = await runExport({ ...base, source: shallow, rev: older }, captureLogger());
    expect(r2.success).toBe(true);
    expect(r2.details?.sourceRev).toBe(older);
    expect(showFile(target, 'main', 'public/a.py')).toBe('print("a")');
  });

  test('a forbidden path stops the export even when the allowlist selects it', async () => {
    const { target, base } = await setup({ 'public/a.py': 'a\n', 'public/.env': 'X=1\n' }, 'public/\n');
    const r = await runExport(base, captureLogger());
    expect(r.success).toBe(false);
    expect(r.findings.some((f) => f.code === 'forbidden-path' && f.severity === 'error')).toBe(true);
    expect(revParse(target, 'main')).toBeUndefined();
  });

  test('each leak gate stops the export and leaves the target untouched', async () => {
    const many = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`public/f${i}.txt`, `${i}\n`]));
    const { source, target, base } = await setup(
      {
        ...many,
        'public/app.py': 'import premium.core\n',
        'premium/core.py': 'X = 1\n',
        'public/ok.md': 'ok\n',
      },
      'public/\n',
    );
    const leak = await runExport(base, captureLogger());
    expect(leak.success).toBe(false);
    expect(leak.findings.some((f) => f.code === 'import-leak' && f.severity === 'error')).toBe(true);
    expect(revParse(target, 'main')).toBeUndefined();

    await commitFiles(source, { 'public/app.py': 'print(1)\n' });
    const first = await runExport(base, captureLogger());
    expect(first.success).toBe(true);
    const tip = revParse(target, 'main');

    await commitFiles(source, { 'public/conf.py': 'KEY = "AKIAZ7Q2MX4KD7RWT3LB"\n' });
    const secret = await runExport(base, captureLogger());
    expect(secret.success).toBe(false);
    const finding = secret.findings.find((f) => f.code.startsWith('secret'));
    expect(finding).toMatchObject({ severity: 'error', file: 'public/conf.py', line: 1 });
    expect(JSON.stringify(secret)).not.toContain('AKIAZ7Q2MX4KD7RWT3LB');
    expect(revParse(target, 'main')).toBe(tip);

    git(source, ['rm', '-q', '-r', 'public/conf.py', ...Object.keys(many)]);
    git(source, ['commit', '-q', '-m', 'drop most']);
    const wipe = await runExport(base, captureLogger());
    expect(wipe.success).toBe(false);
    expect(wipe.findings.some((f) => f.code === 'mass-delete')).toBe(true);
    expect(revParse(target, 'main')).toBe(tip);
    const allowed = await runExport({ ...base, safety: { allowMassDelete: true } }, captureLogger());
    expect(allowed.success).toBe(true);
    expect(lsTree(target)).toEqual(['public/app.py', 'public/ok.md']);
  });

  test('a template is rendered on the first export only, then preserved', async () => {
    const { target, base, dir, source } = await setup(FILES, 'public/\n');
    const tpl = path.join(dir, 'tpl');
    await fs.mkdir(path.join(tpl, '{package}'), { recursive: true });
    await fs.writeFile(path.join(tpl, 'pyproject.toml'), 'name = "{package}"\nx = {unknown}\n');
    await fs.writeFile(path.join(tpl, '{package}', '__init__.py'), '');
    const s = { ...base, templateDir: tpl, vars: { package: 'acme' } };
    await runExport(s, captureLogger());
    expect(showFile(target, 'main', 'pyproject.toml')).toBe('name = "acme"\nx = {unknown}');
    expect(lsTree(target)).toContain('acme/__init__.py');
    // A hand edit in the target survives the next export.
    const edit = path.join(dir, 'edit');
    git(dir, ['clone', '-q', target, edit]);
    await commitFiles(edit, { 'pyproject.toml': 'edited\n' });
    git(edit, ['push', '-q', 'origin', 'main']);
    await commitFiles(source, { 'public/a.py': 'changed\n' });
    const r = await runExport(s, captureLogger());
    expect(r.changed).toBe(true);
    expect(showFile(target, 'main', 'pyproject.toml')).toBe('edited');
  });

  test('errors name the fix: bad branch, missing allowlist, unknown revision', async () => {
    const { base } = await setup(FILES, 'public/\n');
    await expect(runExport({ ...base, branch: 'a..b' }, captureLogger())).rejects.toThrow(/Invalid branch/);
    await expect(runExport({ ...base, allowlistFile: '/nope/allow.txt' }, captureLogger())).rejects.toThrow(
      /nope/,
    );
    await expect(runExport({ ...base, rev: 'no-such-rev' }, captureLogger())).rejects.toThrow(/not found/);
  });
});
