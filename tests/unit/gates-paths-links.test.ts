import { createHash } from 'node:crypto';
import { compileAllowlist } from '../../src/core/allowlist/matcher.js';
import { parseAllowlistStrict } from '../../src/core/allowlist/parse.js';
import { ConfigurationError } from '../../src/core/errors.js';
import { checkSymlinks } from '../../src/core/export/content-checks.js';
import { resolveLink } from '../../src/core/export/link-resolve.js';
import { parseMapRules } from '../../src/core/export/path-map.js';
import type { TargetTree } from '../../src/core/export/types.js';
import {
  DEFAULT_SAFETY_SETTINGS,
  baselineMatcher,
  fingerprintOf,
  forbiddenPathGate,
  keyFromSalt,
  parseBaseline,
  renderBaseline,
  secretContext,
  secretHits,
  parseSafetySettings,
  type GateChange,
} from '../../src/core/safety/index.js';
import { buildPageMap } from '../../src/core/wiki/page-map.js';
import { planWiki } from '../../src/core/wiki/plan.js';

const j = (...p: string[]) => p.join('');

describe('forbidden paths: any case, and the content decides where a name misleads', () => {
  async function forbidden(files: Record<string, string>): Promise<string[]> {
    const blobs = new Map(Object.entries(files).map(([p, c], i) => [String(i).padStart(40, '0'), [p, c]]));
    const changes: GateChange[] = [...blobs].map(([oid, [p]]) => ({
      sourcePath: p,
      targetPath: p,
      change: 'added',
      oid,
    }));
    const fs = await forbiddenPathGate({
      changes,
      exportedSourcePaths: new Set(),
      sourcePaths: new Set(),
      targetFileCount: 0,
      readBlob: async (oid) => Buffer.from(blobs.get(oid)![1]),
      settings: DEFAULT_SAFETY_SETTINGS,
    });
    return fs.map((f) => f.file!).sort();
  }
  const PRIVATE = j(
    '-----BEGIN ',
    'PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END ',
    'PRIVATE KEY-----\n',
  );
  const PUBLIC = '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOC\n-----END PUBLIC KEY-----\n';
  const CERT = '-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIE\n-----END CERTIFICATE-----\n';

  test('case does not hide a forbidden name', async () => {
    expect(
      await forbidden({
        'A/.NPMRC': '//r/:_authToken=abcdefgh12345678\n',
        'B/.Env': 'X=1\n',
        'c/ID_RSA': 'k',
      }),
    ).toEqual(['A/.NPMRC', 'B/.Env', 'c/ID_RSA']);
  });

  test('a PEM with only a public key or certificates passes; a private key never does, whatever else it holds', async () => {
    expect(
      await forbidden({
        'keys/license_public_key.pem': PUBLIC,
        'tests/redis_ca.pem': CERT + CERT,
        'tls/server.pem': CERT + PRIVATE,
        'tls/server.key': PRIVATE,
        'tls/empty.pem': '',
      }),
    ).toEqual(['tls/empty.pem', 'tls/server.key', 'tls/server.pem']);
  });

  test('an .npmrc or .pypirc with settings only passes; with credentials it does not', async () => {
    expect(
      await forbidden({
        'a/.npmrc': 'legacy-peer-deps = true\n//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n',
        'b/.npmrc': 'registry=https://r.example\n//r.example/:_authToken=npm_abcdefghijklmnop\n',
        'c/.pypirc': '[distutils]\nindex-servers = pypi\n',
        'd/.pypirc': '[pypi]\npassword = Zr3kLw9PxT\n',
      }),
    ).toEqual(['b/.npmrc', 'd/.pypirc']);
  });
});

describe('symlinks through symlinks', () => {
  const links = (m: Record<string, string>) => new Map(Object.entries(m));
  test('root -> . then x -> root/../../../etc/passwd leaves the tree', () => {
    expect(resolveLink('x', links({ root: '.', x: 'root/../../../etc/passwd' }))).toEqual({ escapes: true });
    expect(resolveLink('a/x', links({ 'a/up': '..', 'a/x': 'up/../etc' }))).toEqual({ escapes: true });
    // Resolved like the file system: a/up is the root, so up/up/etc is the root's up/etc.
    expect(resolveLink('a/x', links({ 'a/up': '..', 'a/x': 'up/up/etc' }))).toEqual({ resolved: 'up/etc' });
    expect(resolveLink('a/b', links({ 'a/b': 'c', 'a/c': 'b' }))).toEqual({ loop: true });
    expect(resolveLink('docs/l', links({ 'docs/l': '../src/x.py' }))).toEqual({ resolved: 'src/x.py' });
  });

  test('the snapshot check reports the escape', async () => {
    const oids = { root: '.', x: 'root/../../../etc/passwd' };
    const tree: TargetTree = new Map();
    for (const [p, t] of Object.entries(oids))
      tree.set(p, { mode: '120000', oid: t, size: -1, origin: 'source', sourcePath: p });
    tree.set('a.txt', { mode: '100644', oid: 'o', size: 1, origin: 'source', sourcePath: 'a.txt' });
    const fs = await checkSymlinks(tree, async (oid) => Buffer.from(oid));
    expect(fs.map((f) => [f.code, f.file])).toEqual([['symlink-outside', 'x']]);
    expect(fs[0].message).toContain('outside the repository');
  });
});

describe('map targets and templates', () => {
  test.each([
    ['pub/=.git/hooks/', '.git'],
    ['pub/=docs/.GIT/', '.GIT'],
    ['pub/=a//b/', 'empty path segment'],
    ['pub/=a/../b/', "'..'"],
    ['pub/=./b/', "'.'"],
  ])('%s is a configuration error naming the rule', (rule, why) => {
    expect(() => parseMapRules([rule])).toThrow(ConfigurationError);
    expect(() => parseMapRules([rule])).toThrow(rule);
    expect(() => parseMapRules([rule])).toThrow(why);
  });

  test('ordinary rules still parse', () => {
    expect(parseMapRules(['pub/=lib/.github-ish/', '=vendor/']).length).toBe(2);
  });
});

describe('wiki [[Page]] links are linted like Markdown links', () => {
  test('a public page linking an unpublished page by [[Name]] or [[Text|Name]] is an error (fail) or plain text (text)', () => {
    const files = ['README.md', 'guides/setup.md', 'internal/Roadmap.md'].map((p, i) => ({
      path: p,
      mode: '100644',
      oid: String(i),
    }));
    const map = buildPageMap(files);
    const texts = new Map([
      [
        'README.md',
        'See [[guides-setup]], [[The plan|internal-Roadmap]], [[Missing Page]] and `[[internal-Roadmap]]`.\n',
      ],
      ['guides/setup.md', 'x\n'],
      ['internal/Roadmap.md', 'secret plans\n'],
    ]);
    const allowlist = compileAllowlist(parseAllowlistStrict('README.md\nguides/**\n', 'a.txt'));
    const fail = planWiki(map, texts, { audience: 'public', allowlist, unpublishedLinks: 'fail' });
    expect(fail.findings.map((f) => [f.code, f.severity, f.line])).toEqual([
      ['wiki-unpublished-link', 'error', 1],
      ['wiki-broken-link', 'warning', 1],
    ]);
    const text = planWiki(map, texts, { audience: 'public', allowlist, unpublishedLinks: 'text' });
    const home = text.files.find((f) => f.source === 'README.md')!;
    expect(home.content?.toString()).toBe(
      'See [[guides-setup]], The plan, [[Missing Page]] and `[[internal-Roadmap]]`.\n',
    );
  });
});

describe('secret fingerprints: keyed per repository, exclusions and a baseline', () => {
  const secret = 'Hq7-zP2x!mK9';
  test('the same secret has different fingerprints under different keys, and none is its plain sha256', () => {
    const a = fingerprintOf(secret, keyFromSalt('repo-a-salt-0000'));
    const b = fingerprintOf(secret, keyFromSalt('repo-b-salt-0000'));
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).not.toBe(createHash('sha256').update(secret).digest('hex'));
  });

  test('secret-scan-exclude skips paths; the baseline accepts known findings by path and fingerprint only', () => {
    const settings = parseSafetySettings({ secretScanExclude: ['**/fixtures/**'] });
    const key = keyFromSalt('0123456789abcdef');
    const text = `db_password = "${secret}"\n`;
    const ctx = secretContext(settings, key);
    expect(ctx.excluded('a/fixtures/x.py')).toBe(true);
    const [hit] = secretHits(text, 'app/db.py', ctx);
    const baseline = parseBaseline(
      renderBaseline('0123456789abcdef', [
        { path: 'app/db.py', rule: hit.rule, fingerprint: hit.fingerprint, line: 1 },
      ]),
      'b.json',
    );
    const withBaseline = secretContext(settings, key, baseline);
    expect(secretHits(text, 'app/db.py', withBaseline)).toEqual([]);
    // The same secret somewhere else is new.
    expect(secretHits(text, 'app/other.py', withBaseline)).toHaveLength(1);
    expect(baselineMatcher(baseline)('app/db.py', hit.fingerprint)).toBe(true);
    expect(() => parseBaseline('{"version": 1}', 'b.json')).toThrow(ConfigurationError);
  });
});
