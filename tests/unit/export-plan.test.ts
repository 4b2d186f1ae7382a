import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  packageSettings,
  resolvePackageAllowlist,
  validatePackageName,
} from '../../src/core/export/custom.js';
import { diffTargetTrees } from '../../src/core/export/diff.js';
import { renderMessage } from '../../src/core/export/message.js';
import { lastTrailer, withTrailers } from '../../src/core/git/trailers.js';
import { projectEntries } from '../../src/core/export/project.js';
import { resolveExportSettings } from '../../src/core/export/settings.js';
import { renderKnownPlaceholders } from '../../src/core/util/placeholders.js';
import { cliSurface, configSurface, withSurface } from '../../src/core/settings/surface.js';
import type { TargetTree } from '../../src/core/export/types.js';
import { validateBranch } from '../../src/core/export/validate.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

/** The pure planning parts of the export engine. */
afterAll(cleanupTmp);

const SHA = '0123456789abcdef0123456789abcdef01234567';
const entry = (path: string, mode = '100644', oid = 'a'.repeat(40)) => ({
  mode,
  type: 'blob' as const,
  oid,
  path,
  size: 3,
});

describe('commit messages', () => {
  test('template placeholders and the origin trailer', () => {
    const m = withTrailers(
      renderMessage(
        'Export {short_sha} of {source_repo} for {package}\n\n{message}',
        { sha: SHA, message: 'Fix {x}\n\nbody\n', author: { name: 'a', email: 'e' } },
        'acme/private',
        { package: 'acme' },
      ),
      [['originRev', SHA]],
    );
    expect(m).toBe(
      `Export 0123456 of acme/private for acme\n\nFix {x}\n\nbody\n\nFerry-Origin-Rev: ${SHA}\n`,
    );
    expect(lastTrailer(m, 'originRev')).toBe(SHA);
    expect(() =>
      renderMessage('{nope}', { sha: SHA, message: '', author: { name: 'a', email: 'e' } }, 'r'),
    ).toThrow(/Unknown placeholder \{nope\}/);
  });
  test('an old trailer is replaced, an existing trailer block is joined', () => {
    const old = 'b'.repeat(40);
    const origin = (sha: string): [['originRev', string]] => [['originRev', sha]];
    expect(withTrailers(`subject\n\nFerry-Origin-Rev: ${old}\n`, origin(SHA))).toBe(
      `subject\n\nFerry-Origin-Rev: ${SHA}\n`,
    );
    expect(withTrailers('subject\n\nbody\n\nSigned-off-by: x <x@y>', origin(SHA))).toBe(
      `subject\n\nbody\n\nSigned-off-by: x <x@y>\nFerry-Origin-Rev: ${SHA}\n`,
    );
    expect(lastTrailer('no trailer here', 'originRev')).toBeUndefined();
  });
});

describe('projection and diff', () => {
  test('map collisions and file/directory clashes are errors; gitlinks follow the policy', () => {
    const p = projectEntries([entry('a/x'), entry('b/x'), entry('c'), entry('d/c/y'), entry('s', '160000')], {
      select: () => true,
      mapPath: (s) =>
        s.startsWith('a/') || s.startsWith('b/') ? 'm/' + s.slice(2) : s.startsWith('d/') ? s.slice(2) : s,
      submodules: 'skip',
      mapped: true,
    });
    expect(p.findings.map((f) => f.code).sort()).toEqual([
      'map-collision',
      'map-collision',
      'submodule-skipped',
    ]);
    expect([...p.tree.keys()].sort()).toEqual(['c', 'c/y', 'm/x']);
    const kept = projectEntries([entry('s', '160000')], {
      select: () => true,
      mapPath: (s) => s,
      submodules: 'keep',
      mapped: false,
    });
    expect(kept.tree.get('s')?.mode).toBe('160000');
  });
  test('diff: added, modified (content or mode), deleted, sorted', () => {
    const t = (xs: [string, string, string][]): TargetTree =>
      new Map(xs.map(([p, mode, oid]) => [p, { mode, oid, size: 1, origin: 'source' as const }]));
    const d = diffTargetTrees(
      t([
        ['keep', '100644', 'k'],
        ['mod', '100644', 'm1'],
        ['exec', '100644', 'e'],
        ['gone', '100644', 'g'],
      ]),
      t([
        ['keep', '100644', 'k'],
        ['mod', '100644', 'm2'],
        ['exec', '100755', 'e'],
        ['new', '100644', 'n'],
      ]),
    );
    expect(d.changes.map((c) => `${c.change}:${c.path}`)).toEqual([
      'modified:exec',
      'deleted:gone',
      'modified:mod',
      'added:new',
    ]);
    expect(d.oids.get('gone')).toBe('g');
    expect(d.gateChanges.find((c) => c.targetPath === 'gone')?.oid).toBeUndefined();
  });
});

describe('custom packages and settings', () => {
  test('a package allowlist falls back to the generic one; names are validated', async () => {
    const dir = await tmpDir();
    await fs.writeFile(path.join(dir, 'custom_package_allowlist.txt'), 'lib/\n');
    await fs.writeFile(path.join(dir, 'custom_package_allowlist_acme.txt'), 'acme/\n');
    expect(resolvePackageAllowlist('acme', { packages: [], allowlistDir: dir })).toEqual({
      file: path.join(dir, 'custom_package_allowlist_acme.txt'),
      generic: false,
    });
    expect(resolvePackageAllowlist('globex', { packages: [], allowlistDir: dir }).generic).toBe(true);
    expect(() =>
      resolvePackageAllowlist('x', { packages: [], allowlistDir: path.join(dir, 'none') }),
    ).toThrow(/No allowlist for package 'x'/);
    expect(() => validatePackageName('../evil')).toThrow(/Invalid package name/);
    const s = packageSettings(
      { source: '.', target: 'acme/{package}-sdk', branch: 'main', map: ['lib/=lib_{package}/'] },
      'globex',
      { packages: [], allowlistDir: dir },
    );
    expect(s.target).toBe('acme/globex-sdk');
    expect(s.vars).toEqual({ package: 'globex' });
    expect(s.kind).toBe('custom');
  });
  test('template placeholders: known ones only', () => {
    expect(renderKnownPlaceholders('{package} {} {other} f"{x}"', { package: 'p' })).toBe(
      'p {} {other} f"{x}"',
    );
  });
  test('settings are validated with the names the user wrote, on the surface they are on', () => {
    expect(() => resolveExportSettings({ source: '.', target: 't', maxRetries: 'lots' })).toThrow(
      /input 'max-retries' must be a whole number/,
    );
    const cli = cliSurface(new Map([['lfs', { flag: '--lfs' }]]));
    expect(() =>
      withSurface(cli, () => resolveExportSettings({ source: '.', target: 't', lfs: 'maybe' })),
    ).toThrow(/Invalid --lfs 'maybe'/);
    expect(() =>
      withSurface(configSurface('public'), () =>
        resolveExportSettings({ source: '.', target: 't', maxDeleteRatio: 2 }),
      ),
    ).toThrow(/targets\.public\.max_delete_ratio must be a number from 0 to 1/);
    expect(() => resolveExportSettings({ source: '.', target: ' ' })).toThrow(/target-repo' is required/);
    const s = resolveExportSettings({ source: '.', target: 't', maxRetries: '3', mode: 'history' });
    expect(s).toMatchObject({
      maxRetries: 3,
      mode: 'history',
      branch: 'main',
      submodules: 'skip',
      lfs: 'warn',
    });
    expect(() => validateBranch('feature/ok-1')).not.toThrow();
    for (const b of ['', '-x', 'a..b', 'a b', 'x.lock', 'a~1', 'a\u0001b'])
      expect(() => validateBranch(b)).toThrow(/Invalid branch/);
  });
});
