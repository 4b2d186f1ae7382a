import { ConfigurationError } from '../../src/core/errors.js';
import { parseMapRules } from '../../src/core/export/path-map.js';
import {
  checkTemplate,
  renderKnownPlaceholders,
  renderTemplate,
  revisionPlaceholders,
} from '../../src/core/util/placeholders.js';

/** The one template renderer: one set of names, strict about unknown ones. */
const SHA = '0123456789abcdef0123456789abcdef01234567';

describe('renderTemplate', () => {
  test('replaces every placeholder in one pass (values are not scanned again)', () => {
    expect(renderTemplate('{a}-{b}-{a}', { a: '{b}', b: 'x' })).toBe('{b}-x-{b}');
    expect(renderTemplate('no placeholders {} {a,b}', {})).toBe('no placeholders {} {a,b}');
  });

  test('{sha} and {short_sha} are the revision everywhere; {rev} and {short} are their aliases', () => {
    const values = revisionPlaceholders(SHA);
    expect(renderTemplate('{sha} {short_sha}', values)).toBe(`${SHA} 0123456`);
    expect(renderTemplate('{rev} {short}', values)).toBe(`${SHA} 0123456`);
  });

  test('an unknown placeholder is a ConfigurationError naming it, the setting and the valid ones', () => {
    const err = (() => {
      try {
        renderTemplate('Sync {wikki}', { wiki: 'public', sha: SHA }, 'commit-message');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigurationError);
    expect((err as Error).message).toBe(
      "Unknown placeholder {wikki} in commit-message 'Sync {wikki}'. Valid placeholders: {wiki}, {sha}.",
    );
  });

  test.each(['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf'])(
    '{%s} is an unknown placeholder, not an inherited property',
    (name) => {
      expect(() => renderTemplate(`x {${name}}`, { package: 'p' })).toThrow(
        new RegExp(`Unknown placeholder \\{${name}\\}.*Valid placeholders: \\{package\\}`),
      );
      expect(() => parseMapRules([`lib/=lib_{${name}}/`], { package: 'p' })).toThrow(ConfigurationError);
      expect(renderKnownPlaceholders(`x {${name}}`, { package: 'p' })).toBe(`x {${name}}`);
    },
  );

  test('checkTemplate checks names before any value is known', () => {
    expect(() => checkTemplate('{target} {direction}', ['target', 'direction'])).not.toThrow();
    expect(() => checkTemplate('{targte}', ['target', 'direction'], 'commit_message')).toThrow(
      /Unknown placeholder \{targte\} in commit_message.*\{target\}, \{direction\}/,
    );
  });
});
