import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseAllowlistStrict } from '../../src/core/allowlist/parse.js';
import { runExport } from '../../src/core/export/index.js';
import type { ExportSettings } from '../../src/core/export/types.js';
import { captureLogger } from '../../src/core/logger.js';
import type { Finding } from '../../src/core/report/result.js';
import { BUILTIN_SECRET_RULES, tokenChecksum } from '../../src/core/safety/index.js';
import { runWikiSync } from '../../src/core/wiki/index.js';
import { git, makeBare, revParse } from '../support/git-fixtures.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

/**
 * The bar of issue 13: one real-format secret per built-in rule, in varied file types and
 * encodings (UTF-8, UTF-16 with and without a BOM, UTF-32), in a file over 1 MiB and in a commit
 * message, and every one is caught in a snapshot export, a history export and the public wiki.
 * Tokens are assembled at run time so this file holds none.
 */
const j = (...p: string[]) => p.join('');
const ghBody = j('gh', 'p_', 'Q7wX2mK9pL4tR8sV1nB6cZ3dF5hJ0y');
const GITHUB = ghBody + tokenChecksum(ghBody, 4);
const npmBody = j('np', 'm_', 'Zt4Kq8Wm2Rx7Lp3Vn9Bc5Hd1Fg6Js0');
const NPM = npmBody + tokenChecksum(npmBody, 4);
const bigBody = j('gh', 'o_', 'Lm3Nq8Rt2Vw7Xz4Bc9Df1Gh5Jk6Pq0');
const BIG_TOKEN = bigBody + tokenChecksum(bigBody, 4);
const R = 'q8Zr3kLw9PxT4mN5pQ8sT1vW4yZ7bC0eF3hJ6kM2nR5tV8xA1dG4jL7oS0uX3aD6gJ9mP2sV5yB8eH1kN4qT7wZ0cF3iL6';

const SECRETS: Record<string, { path: string; content: string | Buffer }> = {
  'aws-access-key-id': {
    path: 'app/aws.py',
    content: j('ID = "AK', 'IAQ3ZT7WRN5XKB2HMD"\nKEY = "wJa7rXUtnFEMI/K7MDENG/bPxRfiCYzQ4r9Tk2Lm"\n'),
  },
  'aws-secret-access-key': {
    path: 'app/aws.ini',
    content: j('aws_secret', '_access_key = Tq9Zr3kLw9PxT4mN5pQ8/sT1vW4yZ7bC0eF3hJ6k\n'),
  },
  'github-token': { path: 'app/gh.ts', content: utf16le(`export const T = '${GITHUB}';\n`, true) },
  'github-fine-grained-token': {
    path: 'app/pat.json',
    content: utf16be(j('{"pat": "github_pat_11AQZRG0aKcDeFgHiJkLmN_', R.slice(0, 59), '"}\n')),
  },
  'gitlab-token': {
    path: 'ci/gitlab.yml',
    content: utf32le(j('token: gl', 'pat-', 'Zr3kLw9PxT4mN5pQ8sT1\n')),
  },
  'private-key': {
    path: 'deploy/notes.txt',
    content: j(
      '-----BEGIN EC ',
      'PRIVATE KEY-----\n',
      R.slice(0, 64),
      '\n',
      R.slice(1, 40),
      '\n-----END EC ',
      'PRIVATE KEY-----\n',
    ),
  },
  'slack-token': {
    path: 'bots/slack.go',
    content: j('var t = "xo', 'xb-2048123412-9087654320981-', R.slice(3, 27), '"\n'),
  },
  'slack-webhook': {
    path: 'bots/hook.rb',
    content: j('URL = "https://hooks.slack', '.com/services/T0A1B2C3D/B9Z8Y7X6W/', R.slice(5, 29), '"\n'),
  },
  'stripe-live-key': {
    path: 'billing/Pay.java',
    content: j('String k = "sk', '_live_', R.slice(7, 33), '";\n'),
  },
  'google-api-key': { path: 'web/maps.js', content: j('const key = "AI', 'za', R.slice(2, 37), '";\n') },
  'openai-api-key': {
    path: 'ai/openai.py',
    content: j('OPENAI = "sk-proj-', R.slice(0, 40), 'T3Blbk', 'FJ', R.slice(10, 50), '"\n'),
  },
  'anthropic-api-key': {
    path: 'ai/claude.ts',
    content: j('const k = "sk-ant-', 'api03-', R.slice(0, 93), 'AA";\n'),
  },
  'npm-token': { path: 'ci/publish.sh', content: `NODE_AUTH=${NPM}\n` },
  'pypi-token': { path: 'ci/pypi.cfg', content: j('token = py', 'pi-AgEIcHlwaS5vcmc', R.slice(0, 60), '\n') },
  'npm-registry-auth': {
    path: 'tools/.yarnrc',
    content: j('//registry.npmjs.org/:_auth', 'Token=', R.slice(4, 40), '\n'),
  },
  'pypirc-password': {
    path: 'tools/.pypirc',
    content: j('[pypi]\nusername = me\npass', 'word = ', R.slice(9, 30), '\n'),
  },
  'netrc-password': {
    path: 'tools/.netrc',
    content: j('machine example.org login me pass', 'word ', R.slice(11, 31), '\n'),
  },
  'docker-registry-auth': {
    path: 'docker/config.json',
    content: `{"auths": {"ghcr.io": {"auth": "${Buffer.from(`me:${R.slice(12, 36)}`).toString('base64')}"}}}\n`,
  },
  'kubeconfig-credential': {
    path: 'k8s/kubeconfig.yaml',
    content: j(
      'apiVersion: v1\nkind: Config\nusers:\n- name: ci\n  user:\n    token: ',
      R.slice(13, 60),
      '\n',
    ),
  },
  'env-secret-assignment': { path: 'app/.env.example', content: j('DB_PASS', 'WORD=hX7!unter2Q9w\n') },
  'generic-secret-assignment': { path: 'app/db.py', content: j('db_pass', 'word = "Hq7-zP2x!mK9"\n') },
};
/** The commit message, and a file over 1 MiB, each carry one more. */
const MESSAGE_SECRET = j('xo', 'xp-1234598760-9876543210-1122334455-', 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6');

function utf16le(s: string, bom: boolean): Buffer {
  const b = Buffer.from(s, 'utf16le');
  return bom ? Buffer.concat([Buffer.from([0xff, 0xfe]), b]) : b;
}
function utf16be(s: string): Buffer {
  const b = Buffer.from(s, 'utf16le');
  b.swap16();
  return b; // no BOM: found by where the zero bytes sit
}
function utf32le(s: string): Buffer {
  const cps = [...s].map((c) => c.codePointAt(0)!);
  const b = Buffer.alloc(4 + cps.length * 4);
  b.writeUInt32LE(0xfeff, 0);
  cps.forEach((cp, i) => b.writeUInt32LE(cp, 4 + i * 4));
  return b;
}

async function sourceRepo(dir: string, prefix: string): Promise<string> {
  const src = path.join(dir, 'src');
  await fs.mkdir(src, { recursive: true });
  git(src, ['init', '-q', '-b', 'main']);
  const write = async (p: string, c: string | Buffer) => {
    await fs.mkdir(path.dirname(path.join(src, prefix, p)), { recursive: true });
    await fs.writeFile(path.join(src, prefix, p), c);
  };
  await write('README.md', '# Public\n');
  git(src, ['add', '-A']);
  git(src, ['commit', '-q', '-m', 'start']);
  for (const { path: p, content } of Object.values(SECRETS)) await write(p, content);
  const big = Buffer.alloc(1024 * 1024 + 4096, 'log line\n');
  big.write(`token=${BIG_TOKEN}\n`, big.length - 200);
  await write('data/big.log', big);
  git(src, ['add', '-A']);
  git(src, ['commit', '-q', '-m', `Add the integrations\n\nslack: ${MESSAGE_SECRET}\n`]);
  return src;
}

function rulesFound(findings: readonly Finding[]): Set<string> {
  return new Set(
    findings.filter((f) => f.code === 'secret').map((f) => /\(([\w-]+), '/.exec(f.message)?.[1] ?? ''),
  );
}

const ALL_RULES = BUILTIN_SECRET_RULES.map((r) => r.name);

afterAll(cleanupTmp);

test('every built-in rule has a planted secret here', () => {
  expect(Object.keys(SECRETS).sort()).toEqual([...ALL_RULES].sort());
});

describe.each(['snapshot', 'history'] as const)('%s export', (mode) => {
  test('catches every planted secret, the one in a file over 1 MiB and the one in the commit message; nothing is pushed', async () => {
    const dir = await tmpDir(`ferry-planted-${mode}-`);
    const source = await sourceRepo(dir, '');
    const target = await makeBare(path.join(dir, 'target.git'));
    const allowlist = path.join(dir, 'allow.txt');
    await fs.writeFile(allowlist, '**\n');
    // History mode replays from the root, so the source commits (and their messages) are replayed.
    const settings: ExportSettings = {
      source,
      target,
      branch: 'main',
      allowlistFile: allowlist,
      mode,
      ...(mode === 'history' ? { since: 'root' } : {}),
    };
    const r = await runExport(settings, captureLogger());
    expect(r.success).toBe(false);
    expect(revParse(target, 'main')).toBeUndefined();
    if (process.env.DEBUG_PLANTED)
      console.log(
        r.findings.map((f) => `${f.code} ${f.file}:${f.line} ${f.message.slice(0, 120)}`).join('\n'),
      );
    const found = rulesFound(r.findings);
    for (const rule of ALL_RULES) expect([rule, found.has(rule)]).toEqual([rule, true]);
    const secrets = r.findings.filter((f) => f.code === 'secret');
    expect(secrets.some((f) => f.file === 'data/big.log')).toBe(true);
    expect(secrets.some((f) => f.file === undefined && f.message.includes('commit message'))).toBe(true);
    // Redacted everywhere: no secret text in any message.
    const json = JSON.stringify(r);
    for (const s of [GITHUB, NPM, BIG_TOKEN, MESSAGE_SECRET]) expect(json).not.toContain(s);
  });
});

test('the public wiki: pages and the assets they link are scanned before anything is pushed', async () => {
  const dir = await tmpDir('ferry-planted-wiki-');
  const source = await sourceRepo(dir, 'wiki');
  // A page that links every planted file as an asset, and carries one secret in its own text.
  const links = [...Object.values(SECRETS).map((s) => s.path), 'data/big.log']
    .map((p, i) => `[asset ${i}](${p})`)
    .join('\n');
  await fs.writeFile(
    path.join(source, 'wiki', 'README.md'),
    `# Home\n${links}\n\nslack: ${MESSAGE_SECRET}\n`,
  );
  git(source, ['add', '-A']);
  git(source, ['commit', '-q', '-m', 'wiki']);
  const pub = await makeBare(path.join(dir, 'public.wiki.git'));
  const [r] = await runWikiSync(
    {
      source: path.join(source, 'wiki'),
      publicWiki: { repo: pub },
      publicAllowlist: parseAllowlistStrict('**\n', 'wiki_public_allowlist.txt'),
      direction: 'push',
      unpublishedLinks: 'fail',
      dryRun: false,
      syncBackBranch: 'ferry/wiki-sync',
      commitMessage: 'Sync {wiki} wiki',
    },
    captureLogger(),
  );
  expect(r.success).toBe(false);
  expect(revParse(pub, 'master')).toBeUndefined();
  if (process.env.DEBUG_PLANTED)
    console.log(r.findings.map((f) => `${f.code} ${f.file}:${f.line} ${f.message.slice(0, 120)}`).join('\n'));
  const found = rulesFound(r.findings);
  // A wiki never publishes dotfiles (.pypirc, .env.example, ...): every other planted file is an asset.
  const published = ALL_RULES.filter(
    (rule) => !SECRETS[rule].path.split('/').some((seg) => seg.startsWith('.')),
  );
  expect(published.length).toBeGreaterThanOrEqual(17);
  for (const rule of published) expect([rule, found.has(rule)]).toEqual([rule, true]);
  expect(r.findings.some((f) => f.code === 'secret' && f.file === 'wiki/data/big.log')).toBe(true);
  expect(r.findings.some((f) => f.code === 'secret' && f.file === 'wiki/README.md')).toBe(true);
});
