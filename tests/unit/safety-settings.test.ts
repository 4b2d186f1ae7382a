import { ConfigurationError } from '../../src/core/errors.js';
import {
  DEFAULT_FORBIDDEN_PATHS,
  DEFAULT_SAFETY_SETTINGS,
  parseSafetySettings,
  parseSecretPattern,
  validateSafetySettings,
} from '../../src/core/safety/index.js';

describe('safety settings', () => {
  test('defaults: every gate on, ratio 0.5, no mass delete, the built-in denylist', () => {
    expect(DEFAULT_SAFETY_SETTINGS).toMatchObject({
      secretScan: true,
      importCheck: true,
      maxDeleteRatio: 0.5,
      allowMassDelete: false,
      secretPatterns: [],
      allowedSecretFingerprints: [],
    });
    for (const p of [
      '**/.env',
      '**/.env.*',
      '**/*.pem',
      '**/*.key',
      '**/id_rsa*',
      '**/id_ed25519*',
      '**/*.p12',
    ])
      expect(DEFAULT_SAFETY_SETTINGS.forbiddenPaths).toContain(p);
    for (const p of ['**/*.pfx', '**/.npmrc', '**/.pypirc', '**/credentials.json'])
      expect(DEFAULT_SAFETY_SETTINGS.forbiddenPaths).toContain(p);
    expect(() => validateSafetySettings(DEFAULT_SAFETY_SETTINGS)).not.toThrow();
  });

  test('an empty input gives the defaults', () => {
    expect(parseSafetySettings({})).toEqual({ ...DEFAULT_SAFETY_SETTINGS });
  });

  test('user forbidden paths add to the defaults unless replaceForbiddenDefaults', () => {
    const added = parseSafetySettings({ forbiddenPaths: ['secrets/**', '  ', '# a comment'] });
    expect(added.forbiddenPaths).toEqual([...DEFAULT_FORBIDDEN_PATHS, 'secrets/**']);
    const replaced = parseSafetySettings({ forbiddenPaths: ['secrets/**'], replaceForbiddenDefaults: true });
    expect(replaced.forbiddenPaths).toEqual(['secrets/**']);
  });

  test('overrides are kept and fingerprints lower-cased', () => {
    const s = parseSafetySettings({
      secretScan: false,
      importCheck: false,
      maxDeleteRatio: 0.9,
      allowMassDelete: true,
      allowedSecretFingerprints: ['ABCDEF0123456789'],
      secretPatterns: ['internal=ACME-[0-9]{8}'],
    });
    expect(s).toMatchObject({
      secretScan: false,
      importCheck: false,
      maxDeleteRatio: 0.9,
      allowMassDelete: true,
    });
    expect(s.allowedSecretFingerprints).toEqual(['abcdef0123456789']);
  });

  test('a bad regex is a ConfigurationError naming the pattern and the setting', () => {
    let err: unknown;
    try {
      parseSafetySettings(
        { secretPatterns: ['ok=abc', 'broken=foo(['] },
        { location: { file: 'ferry.yml', line: 7 } },
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigurationError);
    expect((err as Error).message).toContain("'broken=foo(['");
    expect((err as Error).message).toContain('secret-patterns');
    expect((err as Error).message).toContain('ferry.yml:7');
  });

  test('a pattern that matches the empty string is refused', () => {
    expect(() => parseSafetySettings({ secretPatterns: ['x*'] })).toThrow(/empty string/);
  });

  test('a bad glob, a bad fingerprint and a bad ratio are refused', () => {
    expect(() => parseSafetySettings({ forbiddenPaths: ['a/{b'] })).toThrow(ConfigurationError);
    expect(() => parseSafetySettings({ forbiddenPaths: ['a/{b'] })).toThrow(/a\/\{b/);
    expect(() => parseSafetySettings({ allowedSecretFingerprints: ['abc'] })).toThrow(/8 to 64 hex/);
    expect(() => parseSafetySettings({ allowedSecretFingerprints: ['zzzzzzzzzz'] })).toThrow(
      ConfigurationError,
    );
    expect(() => parseSafetySettings({ maxDeleteRatio: 1.5 })).toThrow(/max-delete-ratio/);
    expect(() => parseSafetySettings({ maxDeleteRatio: -0.1 })).toThrow(ConfigurationError);
    expect(() => parseSafetySettings({ maxDeleteRatio: Number.NaN })).toThrow(ConfigurationError);
    expect(parseSafetySettings({ maxDeleteRatio: 0 }).maxDeleteRatio).toBe(0);
    expect(parseSafetySettings({ maxDeleteRatio: 1 }).maxDeleteRatio).toBe(1);
  });

  test('secret patterns: name=regex, bare regex, (?i)', () => {
    const named = parseSecretPattern('acme-key=ACME-[0-9]{4}');
    expect(named.name).toBe('acme-key');
    expect('x ACME-1234 y'.match(named.regex)).toEqual(['ACME-1234']);
    const bare = parseSecretPattern('ACME-[0-9]{4}', undefined, 2);
    expect(bare.name).toBe('custom-3');
    const ci = parseSecretPattern('(?i)acme-[0-9]{4}');
    expect('ACME-1234'.match(ci.regex)).toEqual(['ACME-1234']);
  });
});
