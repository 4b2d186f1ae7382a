import {
  DEFAULT_SAFETY_SETTINGS,
  forbiddenMatcher,
  forbiddenPathGate,
  parseSafetySettings,
  type GateChange,
  type GateInput,
  type SafetySettings,
} from '../../src/core/safety/index.js';

function input(
  changes: GateChange[],
  settings: SafetySettings = DEFAULT_SAFETY_SETTINGS,
  context?: string,
): GateInput {
  return {
    changes,
    exportedSourcePaths: new Set(changes.map((c) => c.sourcePath)),
    sourcePaths: new Set(changes.map((c) => c.sourcePath)),
    targetFileCount: 0,
    readBlob: () => Promise.reject(new Error('the forbidden-path gate must not read blobs')),
    settings,
    context,
  };
}

const added = (path: string, targetPath = path): GateChange => ({
  sourcePath: path,
  targetPath,
  change: 'added',
  oid: 'a'.repeat(40),
});

describe('forbidden paths', () => {
  const isForbidden = forbiddenMatcher(DEFAULT_SAFETY_SETTINGS.forbiddenPaths);

  test.each([
    '.env',
    'app/.env',
    '.env.local',
    'deploy/.env.production',
    'certs/server.pem',
    'a/b/tls.key',
    'id_rsa',
    'home/.ssh/id_ed25519',
    'keys/id_rsa_deploy',
    'store.p12',
    'store.pfx',
    '.npmrc',
    'pkg/.pypirc',
    'config/credentials.json',
    '.aws/credentials',
    'infra/terraform.tfstate',
  ])('%s is forbidden by default', (p) => expect(isForbidden(p)).toBe(true));

  test.each([
    '.env.example',
    'app/.env.sample',
    '.env.template',
    '.env.local.example',
    'id_rsa.pub',
    '.ssh/id_ed25519.pub',
    'README.md',
    'src/env.ts',
    'docs/keys.md',
    'src/keyboard.py',
    '.environment',
    'app/.env/readme.md',
  ])('%s is not forbidden by default', (p) => expect(isForbidden(p)).toBe(false));

  test('a finding per forbidden path, naming the target path; deletions are fine', async () => {
    const findings = await forbiddenPathGate(
      input([
        added('src/a.py'),
        added('app/.env'),
        added('certs/x.pem', 'public/certs/x.pem'),
        { sourcePath: '.npmrc', targetPath: '.npmrc', change: 'deleted' },
      ]),
    );
    expect(findings.map((f) => [f.code, f.severity, f.file])).toEqual([
      ['forbidden-path', 'error', 'app/.env'],
      ['forbidden-path', 'error', 'public/certs/x.pem'],
    ]);
    expect(findings[1].message).toContain('from certs/x.pem');
    expect(findings[0].message).toMatch(/whatever the allowlist says/);
  });

  test('the source path counts too: a map cannot rename a forbidden file out of reach', async () => {
    const s = parseSafetySettings({ forbiddenPaths: ['private/**'] });
    const findings = await forbiddenPathGate(input([added('private/x.py', 'lib/x.py')], s));
    expect(findings).toHaveLength(1);
    expect(findings[0].file).toBe('lib/x.py');
  });

  test('user patterns and user exceptions', async () => {
    const s = parseSafetySettings({ forbiddenPaths: ['**/*.sqlite', '!tests/fixtures/fake.pem'] });
    const findings = await forbiddenPathGate(
      input([added('db/dev.sqlite'), added('tests/fixtures/fake.pem'), added('other/fake.pem')], s),
    );
    expect(findings.map((f) => f.file)).toEqual(['db/dev.sqlite', 'other/fake.pem']);
  });

  test('replacing the defaults with nothing turns the gate off', async () => {
    const s = parseSafetySettings({ forbiddenPaths: [], replaceForbiddenDefaults: true });
    expect(await forbiddenPathGate(input([added('.env')], s))).toEqual([]);
  });

  test('the context (history mode commit) is named in the message', async () => {
    const [f] = await forbiddenPathGate(input([added('.env')], DEFAULT_SAFETY_SETTINGS, 'commit 1234abcd'));
    expect(f.message.startsWith('commit 1234abcd: ')).toBe(true);
  });
});
