import fc from 'fast-check';
import {
  DEFAULT_SAFETY_SETTINGS,
  MAX_SCANNED_BLOB_BYTES,
  fingerprintOf,
  isNonTrivialValue,
  parseSafetySettings,
  redactSecret,
  tokenChecksum,
  runGates,
  secretScanGate,
  type GateChange,
  type GateInput,
  type SafetySettings,
} from '../../src/core/safety/index.js';
import type { Finding } from '../../src/core/report/result.js';

// Realistic tokens are assembled at run time, so this file itself never holds one (GitHub push
// protection, and Ferry's own scan of this repository, would rightly object).
const j = (...parts: string[]) => parts.join('');
// GitHub tokens end in a CRC32 checksum of their random part: made valid here.
const GHP_BODY = j('gh', 'p_', 'R8kLm2Qz7XvB4nW9tYc3Hs6Jd1Fg5A');
const GHP = GHP_BODY + tokenChecksum(GHP_BODY, 4);
const GH_PAT = j(
  'github',
  '_pat_',
  '11AQZRG0aKcDeFgHiJkLmN_',
  'mNoPqRsTuVwXyZ0193456789aBcDeQq8Zr3kLw9PxT4mN5pQ8sT1vW4yZ7b',
);
const AKID = j('AK', 'IA', 'Q3ZT7WRN5XKB2HMD');
const AWS_SECRET = j('wJalrXUtnFEMI', '/K7MDENG/bPxRfiCY', 'zQ4r9Tk2Lm');
const SLACK = j('xo', 'xb-', '2048123412-9087654321098-Ab3dE6gH9jK2mN5pQ8sT1vW4');
const STRIPE = j('sk', '_live_', '51HqZ2kLmN8pQrS4tUvW6xYz');
const GOOGLE = j('AI', 'za', 'SyB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3h');
const KEY_BODY = 'MIIEowIBAAKCAQEA7b3xQk9Lm2ZrT8vW4yPq1sN6jH3gF5dC0aB9eK7uR2iO8lM4nX';
const PRIVATE_KEY = j(
  '-----BEGIN RSA ',
  'PRIVATE KEY-----\n',
  KEY_BODY,
  '\nq9Zr3kLw\n-----END RSA ',
  'PRIVATE KEY-----\n',
);

const OID = (i: number) => i.toString(16).padStart(40, '0');

interface Fixture {
  input: GateInput;
  reads: string[];
}

function fixture(
  files: Record<string, string | Buffer>,
  opts: { settings?: SafetySettings; sizes?: Record<string, number>; change?: GateChange['change'] } = {},
): Fixture {
  const blobs = new Map<string, Buffer>();
  const changes: GateChange[] = Object.entries(files).map(([path, content], i) => {
    blobs.set(OID(i + 1), typeof content === 'string' ? Buffer.from(content) : content);
    return {
      sourcePath: path,
      targetPath: path,
      change: opts.change ?? 'added',
      oid: OID(i + 1),
      size: opts.sizes?.[path],
    };
  });
  const reads: string[] = [];
  return {
    reads,
    input: {
      changes,
      exportedSourcePaths: new Set(Object.keys(files)),
      sourcePaths: new Set(Object.keys(files)),
      targetFileCount: 0,
      readBlob: async (oid) => {
        reads.push(oid);
        return blobs.get(oid);
      },
      settings: opts.settings ?? DEFAULT_SAFETY_SETTINGS,
    },
  };
}

async function scan(text: string, settings?: SafetySettings): Promise<Finding[]> {
  return (await secretScanGate(fixture({ 'src/config.py': text }, { settings }).input)).filter(
    (f) => f.code === 'secret',
  );
}

const rulesOf = (fs: Finding[]) => fs.map((f) => /\(([\w-]+), '/.exec(f.message)?.[1]);

describe('secret scan: built-in rules find real secrets', () => {
  test.each([
    ['github-token', `token = ${GHP}\n`],
    ['github-fine-grained-token', `x: ${GH_PAT}\n`],
    ['aws-access-key-id', `key_id ${AKID}\n`],
    ['slack-token', `SLACK ${SLACK}\n`],
    ['stripe-live-key', `stripe.api ${STRIPE}\n`],
    ['google-api-key', `maps ${GOOGLE}\n`],
    ['private-key', `# key\n${PRIVATE_KEY}`],
    ['generic-secret-assignment', 'db_password = "Hq7-zP2x!mK9"\n'],
    ['generic-secret-assignment', '{"api_key": "q8Zr3kLw9PxT"}\n'],
    ['generic-secret-assignment', "  secret: 'Zr3k-Lw9P-xT4m'\n"],
    ['generic-secret-assignment', 'DB_PASSWORD: str = "s3cr3t-Pa55"\n'],
    ['generic-secret-assignment', 'const clientSecret = `aB3dE6gH9jK2`;\n'],
    ['generic-secret-assignment', 'access_token => "aB3dE6gH9jK2"\n'],
    ['env-secret-assignment', '# .env.example with a real value pasted in\nDB_PASSWORD=hX7!unter2Q9\n'],
    ['env-secret-assignment', 'export GH_TOKEN=aB3dE6gH9jK2\n'],
    ['env-secret-assignment', 'PASSWORD=Tr0ub4dor3x\n'],
  ])('%s', async (rule, text) => {
    const fs = await scan(text);
    expect(rulesOf(fs)).toContain(rule);
    expect(fs.every((f) => f.severity === 'error' && f.file === 'src/config.py')).toBe(true);
  });

  test('the line and column of the secret', async () => {
    const [f] = await scan(`a = 1\nb = 2\n\n  tok = "${GHP}"\n`);
    expect(f.line).toBe(4);
    expect(f.column).toBe(10);
  });

  test('an AWS secret key near an access key id, with no keyword of its own', async () => {
    const fs = await scan(`creds = (\n  "${AKID}",\n  "${AWS_SECRET}",\n)\n`);
    expect(rulesOf(fs).sort()).toEqual(['aws-access-key-id', 'aws-secret-access-key']);
    expect(fs.find((f) => f.message.includes('aws-secret-access-key'))!.line).toBe(3);
  });

  test('an AWS secret key after its keyword, unquoted (credentials-file style)', async () => {
    expect(rulesOf(await scan(`aws_secret_access_key = ${AWS_SECRET}\n`))).toEqual(['aws-secret-access-key']);
  });

  test('several secrets in one blob are each reported', async () => {
    expect(await scan(`a = "${GHP}"\nb = "${SLACK}"\npassword = "Tr0ub4dor&3x"\n`)).toHaveLength(3);
  });
});

describe('secret scan: false positives are left alone', () => {
  test.each([
    ['empty', 'password = ""\n'],
    ['placeholder template', 'password = "${PASSWORD}"\n'],
    ['jinja', 'password: "{{ db_password }}"\n'],
    ['changeme', 'password = "changeme"\n'],
    ['your-password-here', 'password = "your-password-here"\n'],
    ['x filler', "secret = 'xxxxxxxxxxxx'\n"],
    ['stars', "password: '************'\n"],
    ['too short', 'pwd = "abc"\n'],
    ['prose', 'password = "must be at least 8 characters"\n'],
    ['env var name', 'token: "GITHUB_TOKEN"\n'],
    ['unquoted reference', 'password = os.environ["DB_PASSWORD"]\n'],
    ['comparison', 'if password == "hunter2hunter2":\n'],
    ['identifier not ending in a keyword', 'secret_name = "my-secret-name"\ntoken_type = "bearer-ish"\n'],
    ['the word password', 'label = "password"\n'],
    ['AWS documented example key', `key = "${j('AKIA', 'IOSFODNN7', 'EXAMPLE')}"\n`],
    ['filler token', `t = "${j('gh', 'p_', 'x'.repeat(36))}"\n`],
    [
      'private key header alone (code that checks the format)',
      j('if s.startswith("-----BEGIN RSA ', 'PRIVATE KEY-----"):\n    pass\n'),
    ],
    ['placeholder word', 'api_key = "<insert key>"\napi_key = "REPLACE_WITH_KEY"\n'],
    [
      'env template values',
      'DB_PASSWORD=\nAPI_KEY=${API_KEY}\nSECRET=changeme\nexport TOKEN=$(cat /run/token)\n',
    ],
    ['keyword arguments in code', 'connect(\n    password=db_password,\n    token=get_token(),\n)\n'],
  ])('%s', async (_name, text) => {
    expect(await scan(text)).toEqual([]);
  });

  test('isNonTrivialValue', () => {
    expect(isNonTrivialValue('Hq7-zP2x!mK9')).toBe(true);
    for (const v of [
      '',
      'abc',
      'changeme',
      '${X}',
      '$X_Y',
      'process.env.X',
      'a b c d e f',
      'DB_PASSWORD',
      'aaaaaaaa',
    ])
      expect(isNonTrivialValue(v)).toBe(false);
  });
});

describe('secret scan: allowing false positives', () => {
  test('an allow comment on the line, or on the line above', async () => {
    expect(await scan(`tok = "${GHP}"  # ferry:allow-secret (test fixture)\n`)).toEqual([]);
    expect(await scan(`// ferry:allow-secret\nconst tok = "${GHP}";\n`)).toEqual([]);
    // Two lines above is too far.
    expect(await scan(`// ferry:allow-secret\n\nconst tok = "${GHP}";\n`)).toHaveLength(1);
  });

  test('the fingerprint in the message, as a prefix, allows exactly that secret', async () => {
    const [f] = await scan(`a = "${GHP}"\n`);
    const fp = /fingerprint ([0-9a-f]{16})/.exec(f.message)![1];
    expect(fingerprintOf(GHP).startsWith(fp)).toBe(true);
    const allowed = parseSafetySettings({ allowedSecretFingerprints: [fp] });
    expect(await scan(`a = "${GHP}"\n`, allowed)).toEqual([]);
    expect(await scan(`a = "${GHP}"\nb = "${SLACK}"\n`, allowed)).toHaveLength(1);
    // The full 64-digit fingerprint works too; a private key is fingerprinted as its whole block.
    const [k] = await scan(PRIVATE_KEY);
    const kfp = /fingerprint ([0-9a-f]+)/.exec(k.message)![1];
    expect(
      await scan(`x\n${PRIVATE_KEY}`, parseSafetySettings({ allowedSecretFingerprints: [kfp] })),
    ).toEqual([]);
  });
});

describe('secret scan: redaction', () => {
  test('at most the first 4 characters, fewer for short secrets', () => {
    expect(redactSecret(GHP)).toBe('ghp_…');
    expect(redactSecret('hunter2hunter2')).toBe('hun…');
    expect(redactSecret('abcdef')).toBe('a…');
  });

  test('no message ever holds a built-in secret', async () => {
    const all = [GHP, GH_PAT, AKID, AWS_SECRET, SLACK, STRIPE, GOOGLE, KEY_BODY];
    const text = `${AKID}\n${AWS_SECRET}\n${GHP}\n${GH_PAT}\n${SLACK}\n${STRIPE}\n${GOOGLE}\n${PRIVATE_KEY}`;
    const fs = await scan(text);
    expect(fs.length).toBeGreaterThanOrEqual(8);
    for (const f of fs) for (const s of all) expect(f.message).not.toContain(s.slice(0, 8));
  });

  test('property: a random password never appears in the finding', async () => {
    const chars = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!@#%^&*_-+';
    const secret = fc
      .string({ unit: fc.constantFrom(...chars), minLength: 8, maxLength: 40 })
      .map((s) => `Q9${s}`)
      .filter(isNonTrivialValue);
    await fc.assert(
      fc.asyncProperty(
        secret,
        fc.constantFrom('password', 'api_key', 'SECRET', 'token'),
        async (value, key) => {
          const fs = await scan(`${key} = "${value}"\n`);
          expect(fs).toHaveLength(1);
          expect(fs[0].message).not.toContain(value);
          expect(fs[0].message).not.toContain(value.slice(0, 5));
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('secret scan: user patterns', () => {
  test('name=regex, with a named group for the secret part', async () => {
    const s = parseSafetySettings({ secretPatterns: ['acme-license=LICENSE-(?<secret>[A-Z0-9]{12})'] });
    const [f, ...rest] = await scan('x = 1\nlic: LICENSE-AB12CD34EF56\n', s);
    expect(rest).toEqual([]);
    expect(f.message).toContain('acme-license');
    expect(f.line).toBe(2);
    expect(f.message).not.toContain('AB12CD34EF56');
    expect(await scan('nothing here\n', s)).toEqual([]);
  });
});

describe('secret scan: what is read', () => {
  test('only added and modified blobs; deletions, submodules and symlinks are not read', async () => {
    const fx = fixture({ 'a.py': `t = "${GHP}"`, 'b.py': `t = "${GHP}"` });
    fx.input = {
      ...fx.input,
      changes: [
        { ...fx.input.changes[0], change: 'modified' },
        { sourcePath: 'gone.py', targetPath: 'gone.py', change: 'deleted' },
        { sourcePath: 'sub', targetPath: 'sub', change: 'added', oid: OID(99), mode: '160000' },
        { sourcePath: 'link', targetPath: 'link', change: 'added', oid: OID(98), mode: '120000' },
      ],
    };
    const fs = await secretScanGate(fx.input);
    expect(fx.reads).toEqual([OID(1)]);
    expect(fs.map((f) => f.file)).toEqual(['a.py']);
  });

  test('the same blob at two paths is read once and reported at both', async () => {
    const fx = fixture({ 'a.py': `t = "${GHP}"` });
    fx.input = {
      ...fx.input,
      changes: [
        fx.input.changes[0],
        { ...fx.input.changes[0], sourcePath: 'copy/a.py', targetPath: 'copy/a.py' },
      ],
    };
    const fs = await secretScanGate(fx.input);
    expect(fx.reads).toEqual([OID(1)]);
    expect(fs.map((f) => f.file)).toEqual(['a.py', 'copy/a.py']);
  });

  test('binaries are skipped with a notice', async () => {
    const bin = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0]), Buffer.from(`x = "${GHP}"`)]);
    const fs = await secretScanGate(fixture({ 'img/logo.png': bin }).input);
    expect(fs).toEqual([expect.objectContaining({ severity: 'notice', code: 'gate-skipped-binary' })]);
    expect(fs[0].message).toContain('img/logo.png');
  });

  test('blobs over 1 MiB are streamed through the scan; without a stream they are named in a warning', async () => {
    const big = Buffer.alloc(3 * MAX_SCANNED_BLOB_BYTES + 5, 'a\n');
    const at = 2 * MAX_SCANNED_BLOB_BYTES + 1; // past the first two windows, on an odd line
    big.write(`t = "${GHP}"`, at);
    const line = big.subarray(0, at).toString('latin1').split('\n').length;
    // Size known, a stream offered: the blob is streamed, never read whole, and the secret found at its line.
    const streamed = fixture({ 'big.txt': big }, { sizes: { 'big.txt': big.length } });
    let chunks = 0;
    streamed.input.streamBlob = async function* () {
      for (let i = 0; i < big.length; i += 65536) {
        chunks++;
        yield big.subarray(i, i + 65536);
      }
    };
    const fs = await secretScanGate(streamed.input);
    expect(fs.map((f) => [f.code, f.file, f.line])).toEqual([['secret', 'big.txt', line]]);
    expect(streamed.reads).toEqual([]);
    expect(chunks).toBeGreaterThan(40);
    // No stream and the size unknown: read, found too large, and named in a warning.
    const unknown = await secretScanGate(fixture({ 'big.txt': big }).input);
    expect(unknown.map((f) => f.code)).toEqual(['gate-skipped-large']);
    // No stream and the size known: not read, and named in a warning (never skipped silently).
    const known = fixture({ 'big.txt': big }, { sizes: { 'big.txt': big.length } });
    expect(await secretScanGate(known.input)).toEqual([
      expect.objectContaining({ severity: 'warning', code: 'gate-skipped-large', file: 'big.txt' }),
    ]);
    expect(known.reads).toEqual([]);
  });

  test('a blob that cannot be read fails closed', async () => {
    const fx = fixture({ 'a.py': 'x' });
    fx.input = { ...fx.input, readBlob: async () => undefined };
    const [f] = await secretScanGate(fx.input);
    expect(f).toMatchObject({ severity: 'error', code: 'gate-unreadable', file: 'a.py' });
  });

  test('secretScan: false turns the scan off (and nothing is read)', async () => {
    const fx = fixture(
      { 'a.py': `t = "${GHP}"` },
      { settings: parseSafetySettings({ secretScan: false, importCheck: false }) },
    );
    expect(await secretScanGate(fx.input)).toEqual([]);
    expect(await runGates(fx.input)).toEqual([]);
    expect(fx.reads).toEqual([]);
  });

  test('many blobs, read with bounded concurrency, all found in a stable order', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 300; i++)
      files[`f${String(i).padStart(3, '0')}.txt`] = i % 7 === 0 ? `k = "${GHP}"` : 'nothing';
    const fs = await secretScanGate(fixture(files).input);
    expect(fs.map((f) => f.file)).toEqual(Object.keys(files).filter((_, i) => i % 7 === 0));
  });
});
