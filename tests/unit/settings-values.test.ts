import { resolveExportSettings } from '../../src/core/export/settings.js';
import { DEFAULT_COMMITTER } from '../../src/core/export/types.js';
import { resolveImportSettings } from '../../src/core/import/settings.js';
import { cliSurface, withSurface } from '../../src/core/settings/surface.js';
import { resolveCommitter, resolveMaxRetries } from '../../src/core/settings/values.js';

/** The settings the export and the import resolve alike (src/core/settings/values.ts). */
describe('resolveMaxRetries', () => {
  test('text or a number; empty is unset', () => {
    expect(resolveMaxRetries(undefined)).toBeUndefined();
    expect(resolveMaxRetries(' ')).toBeUndefined();
    expect(resolveMaxRetries(' 3 ')).toBe(3);
    expect(resolveMaxRetries(0)).toBe(0);
  });
  test.each(['lots', '1.5', '-1', '51', 51])('%p is refused in the spelling of the surface', (v) => {
    expect(() => resolveMaxRetries(v)).toThrow(
      `input 'max-retries' must be a whole number from 0 to 50, got '${v}'.`,
    );
    const cli = cliSurface(new Map([['max-retries', { flag: '--max-retries' }]]));
    expect(() => withSurface(cli, () => resolveMaxRetries(v))).toThrow(/^--max-retries must be/);
  });
});

test('resolveCommitter: either part set gives a committer, the other part from the default', () => {
  expect(resolveCommitter(undefined, ' ')).toBeUndefined();
  expect(resolveCommitter(' Bot ', undefined)).toEqual({ name: 'Bot', email: DEFAULT_COMMITTER.email });
  expect(resolveCommitter('', 'b@x.org')).toEqual({ name: DEFAULT_COMMITTER.name, email: 'b@x.org' });
});

test('the export and the import resolve retries and committer the same way', async () => {
  const raw = { maxRetries: '7', committerEmail: 'ci@x.org' };
  const exp = resolveExportSettings({ source: '.', target: 'acme/pub', ...raw });
  const imp = await resolveImportSettings({ publicRepo: 'acme/pub', allowlist: 'a.txt', ...raw });
  for (const s of [exp, imp])
    expect(s).toMatchObject({ maxRetries: 7, committer: { name: 'ferry[bot]', email: 'ci@x.org' } });
  await expect(
    resolveImportSettings({ publicRepo: 'acme/pub', allowlist: 'a.txt', maxRetries: 'x' }),
  ).rejects.toThrow(/max-retries' must be a whole number/);
});

test.each([
  ['acme/private', 'acme/private'],
  ['https://github.com/acme/private.git', undefined],
  ['/srv/git/private.git', undefined],
  ['', undefined],
])('import: private-repo %p gives the API slug %p', async (privateRepo, slug) => {
  const s = await resolveImportSettings({ publicRepo: 'acme/pub', allowlist: 'a.txt', privateRepo });
  expect(s.privateSlug).toBe(slug);
});
