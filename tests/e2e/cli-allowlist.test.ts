import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { commitFiles, makeRepo } from '../support/git-fixtures.js';
import { runCli } from '../support/run-action.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

/**
 * The `ferry allowlist` contract, through the bundle (dist/cli) the way users run it: output
 * shapes (text and --json), exit codes 0/1/2, --help, annotations under --ci / GITHUB_ACTIONS.
 */
let repo: string;
let first: string;
let head: string;

const ALLOWLIST = ['# public part', 'README.md', 'app/**', '!app/secret/', 'nope/', 'README.md', ''].join(
  '\n',
);
const CLEAN = ['README.md', 'app/**', '!app/secret/', ''].join('\n');
const MANIFEST = [
  'components:',
  '  core: [app/core/**, README.md]',
  '  extra: [app/extra/**]',
  'editions:',
  '  free:',
  '    components: [core]',
  '    exclude: [app/core/internal/]',
  '  premium:',
  '    extends: [free]',
  '    components: [extra]',
  '',
].join('\n');

beforeAll(async () => {
  repo = await tmpDir('ferry-cli-allowlist-');
  first = await makeRepo(repo, {
    'README.md': 'hi\n',
    'app/a.py': 'a\n',
    'app/secret/key.pem': 'k\n',
    'docs/x.md': 'x\n',
  });
  head = await commitFiles(repo, { 'app/new file.py': 'n\n', 'app/ü.py': 'u\n' });
  await fs.writeFile(path.join(repo, 'allow.txt'), ALLOWLIST);
  await fs.writeFile(path.join(repo, 'clean.txt'), CLEAN);
  await fs.writeFile(path.join(repo, 'bad.txt'), 'README.md\n\napp/{a,b\n');
  await fs.writeFile(path.join(repo, 'tiers.yml'), MANIFEST);
});
afterAll(cleanupTmp);

const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { cwd: repo, env });

describe('ferry allowlist ls', () => {
  test('prints the selected paths of HEAD, one per line, exit 0', async () => {
    const r = await cli(['allowlist', 'ls', '--allowlist', 'clean.txt']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('README.md\napp/a.py\napp/new file.py\napp/ü.py\n');
  });
  test('--rev and --repo read another revision, not the work tree', async () => {
    const r = await cli([
      'allowlist',
      'ls',
      '--allowlist',
      path.join(repo, 'clean.txt'),
      '--repo',
      repo,
      '--rev',
      first,
    ]);
    expect(r.stdout).toBe('README.md\napp/a.py\n');
  });
  test('--json shape', async () => {
    const r = await cli(['allowlist', 'ls', '--allowlist', 'clean.txt', '--json']);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      allowlist: 'clean.txt',
      rev: head,
      total: 6,
      count: 4,
      selected: ['README.md', 'app/a.py', 'app/new file.py', 'app/ü.py'],
    });
  });
  test('an unknown revision is a config error: exit 2, says what to check', async () => {
    const r = await cli(['allowlist', 'ls', '--allowlist', 'clean.txt', '--rev', 'no-such-rev']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/Revision 'no-such-rev' was not found .*Check --rev and --repo/);
    expect(r.stdout).toBe('');
  });
});

describe('ferry allowlist check', () => {
  test('a clean allowlist: exit 0, no findings', async () => {
    const r = await cli(['allowlist', 'check', '--allowlist', 'clean.txt', '--json']);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, findings: [], paths: 6, selected: 4 });
  });
  test('findings: exit 1, one line each at file:line', async () => {
    const r = await cli(['allowlist', 'check', '--allowlist', 'allow.txt']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^allow\.txt:5: warning: 'nope\/' matches nothing .*\[unused-rule\]$/),
      expect.stringMatching(/^allow\.txt:6: warning: 'README\.md' duplicates line 2 .*\[duplicate-rule\]$/),
    ]);
    expect(r.stdout).not.toContain('::');
  });
  test('--json shape', async () => {
    const r = await cli(['allowlist', 'check', '--allowlist', 'allow.txt', '--json']);
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({
      allowlist: 'allow.txt',
      rev: head,
      ok: false,
      paths: 6,
      selected: 4,
      findings: [
        { severity: 'warning', code: 'unused-rule', message: expect.any(String), file: 'allow.txt', line: 5 },
        {
          severity: 'warning',
          code: 'duplicate-rule',
          message: expect.any(String),
          file: 'allow.txt',
          line: 6,
        },
      ],
      rules: [
        { line: 2, rule: 'README.md', matched: 1, selected: 1 },
        { line: 3, rule: 'app/**', matched: 4, selected: 3 },
        { line: 4, rule: '!app/secret/', matched: 1, selected: null },
        { line: 5, rule: 'nope/', matched: 0, selected: 0 },
        { line: 6, rule: 'README.md', matched: 1, selected: 1 },
      ],
    });
  });
  test('malformed rules are findings (exit 1), reported with the others', async () => {
    const r = await cli(['allowlist', 'check', '--allowlist', 'bad.txt', '--json']);
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.stdout).findings).toEqual([
      expect.objectContaining({ severity: 'error', code: 'malformed-rule', file: 'bad.txt', line: 3 }),
    ]);
  });
  test.each([
    ['GITHUB_ACTIONS=true', [], { GITHUB_ACTIONS: 'true' }],
    ['--ci', ['--ci'], {}],
  ])('annotations at file:line under %s', async (_n, extra, env) => {
    const r = await cli(['allowlist', 'check', '--allowlist', 'allow.txt', ...extra], env);
    expect(r.exitCode).toBe(1);
    const ann = r.stdout.split('\n').filter((l) => l.startsWith('::'));
    expect(ann).toEqual([
      expect.stringMatching(
        /^::warning file=allow\.txt,line=5,title=ferry%3A unused-rule::'nope\/' matches nothing/,
      ),
      expect.stringMatching(/^::warning file=allow\.txt,line=6,title=ferry%3A duplicate-rule::/),
    ]);
  });
  test('with --json inside Actions, annotations go to stderr and stdout stays JSON', async () => {
    const r = await cli(['allowlist', 'check', '--allowlist', 'allow.txt', '--json'], {
      GITHUB_ACTIONS: 'true',
    });
    expect(JSON.parse(r.stdout).ok).toBe(false);
    expect(r.stderr).toMatch(/^::warning file=allow\.txt,line=5,/m);
  });
});

describe('ferry allowlist explain', () => {
  test('text: verdict, path, deciding rule at file:line', async () => {
    const r = await cli([
      'allowlist',
      'explain',
      '--allowlist',
      'allow.txt',
      'app/secret/key.pem',
      './app/a.py',
      'docs/x.md',
    ]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(
      [
        'excluded\tapp/secret/key.pem\t(allow.txt:4: !app/secret/)',
        'selected\tapp/a.py\t(allow.txt:3: app/**)',
        'not selected\tdocs/x.md\t(no rule matches)',
        '',
      ].join('\n'),
    );
  });
  test('--json shape', async () => {
    const r = await cli([
      'allowlist',
      'explain',
      '--allowlist',
      'allow.txt',
      '--json',
      'app/secret/key.pem',
      'docs/x.md',
    ]);
    expect(JSON.parse(r.stdout)).toEqual([
      {
        path: 'app/secret/key.pem',
        selected: false,
        rule: { text: '!app/secret/', file: 'allow.txt', line: 4, exclude: true },
      },
      { path: 'docs/x.md', selected: false, rule: null },
    ]);
  });
  test('no path is a usage error: exit 2 with the usage line', async () => {
    const r = await cli(['allowlist', 'explain', '--allowlist', 'allow.txt']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/Name at least one path\.\nUsage: ferry allowlist explain --allowlist FILE/);
  });
});

describe('ferry allowlist generate', () => {
  test('--write writes the generated allowlist; --check passes on it (exit 0)', async () => {
    const w = await cli([
      'allowlist',
      'generate',
      '--manifest',
      'tiers.yml',
      '--edition',
      'premium',
      '--write',
      'gen.txt',
    ]);
    expect(w.exitCode).toBe(0);
    const text = await fs.readFile(path.join(repo, 'gen.txt'), 'utf8');
    expect(text).toMatch(/^# Generated from tiers\.yml \(edition 'premium'\).*Do not edit/);
    expect(text).toContain('# component: core\nREADME.md\napp/core/**\n\n# component: extra\napp/extra/**\n');
    expect(text).toContain('# excluded from this edition\n!app/core/internal/\n');
    const c = await cli([
      'allowlist',
      'generate',
      '--manifest',
      'tiers.yml',
      '--edition',
      'premium',
      '--check',
      'gen.txt',
      '--json',
    ]);
    expect(c.exitCode).toBe(0);
    expect(JSON.parse(c.stdout)).toEqual({ file: 'gen.txt', stale: false });
  });
  test('--check on a stale file: exit 1 and the diff, in text and --json', async () => {
    await fs.writeFile(path.join(repo, 'stale.txt'), 'README.md\napp/old/**\n');
    const t = await cli([
      'allowlist',
      'generate',
      '--manifest',
      'tiers.yml',
      '--edition',
      'free',
      '--check',
      'stale.txt',
    ]);
    expect(t.exitCode).toBe(1);
    expect(t.stdout).toMatch(
      /^stale\.txt is stale: regenerate it with\n {2}ferry allowlist generate --manifest tiers\.yml --edition free --write stale\.txt\n/,
    );
    expect(t.stdout).toContain('-app/old/**');
    expect(t.stdout).toContain('+app/core/**');
    const j = await cli([
      'allowlist',
      'generate',
      '--manifest',
      'tiers.yml',
      '--edition',
      'free',
      '--check',
      'stale.txt',
      '--json',
    ]);
    expect(j.exitCode).toBe(1);
    expect(JSON.parse(j.stdout)).toEqual({
      file: 'stale.txt',
      stale: true,
      diff: expect.stringContaining('+app/core/**'),
    });
  });
  test('--stdout prints it', async () => {
    const r = await cli([
      'allowlist',
      'generate',
      '--manifest',
      'tiers.yml',
      '--edition',
      'free',
      '--stdout',
    ]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('# component: core\nREADME.md\napp/core/**\n');
    expect(r.stdout).not.toContain('extra');
  });
  test('a bad manifest is a config error at file:line: exit 2', async () => {
    await fs.writeFile(path.join(repo, 'bad.yml'), MANIFEST.replace('[core]', '[cor]'));
    const r = await cli(['allowlist', 'generate', '--manifest', 'bad.yml', '--edition', 'free', '--stdout']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(
      /^ferry allowlist generate: bad\.yml:6:\d+: edition 'free' names unknown component 'cor'/,
    );
  });
  test('two of --write/--check/--stdout is a usage error', async () => {
    const r = await cli([
      'allowlist',
      'generate',
      '--manifest',
      'tiers.yml',
      '--edition',
      'free',
      '--stdout',
      '--check',
      'x',
    ]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(
      /Give exactly one of --write, --check, --stdout\.\nUsage: ferry allowlist generate/,
    );
  });
});

describe('CLI contract: help, usage errors, config errors', () => {
  test.each(['ls', 'check', 'explain', 'generate'])(
    'ferry allowlist %s --help: summary and usage, exit 0',
    async (sub) => {
      const r = await cli(['allowlist', sub, '--help']);
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`\\n\\nUsage: ferry allowlist ${sub} `));
    },
  );
  test('ferry --help lists every allowlist command and the exit codes', async () => {
    const r = await cli(['--help']);
    expect(r.exitCode).toBe(0);
    for (const sub of ['ls', 'check', 'explain', 'generate']) expect(r.stdout).toContain(`allowlist ${sub}`);
    expect(r.stdout).toContain(
      'Exit codes: 0 ok, 1 the check or sync failed, 2 usage or configuration error.',
    );
  });
  test('ferry allowlist --help lists the group (exit 0); without --help it is a usage error (exit 2)', async () => {
    const h = await cli(['allowlist', '--help']);
    expect(h.exitCode).toBe(0);
    expect(h.stdout).toContain('ferry allowlist ls --allowlist FILE');
    const u = await cli(['allowlist']);
    expect(u.exitCode).toBe(2);
    expect(u.stderr).toContain('Usage: one of');
  });
  test('an unknown option exits 2 with the usage line', async () => {
    const r = await cli(['allowlist', 'ls', '--allowlist', 'clean.txt', '--bogus']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/Unknown option '--bogus'\nUsage: ferry allowlist ls --allowlist FILE/);
  });
  test('a missing required option exits 2 with the usage line', async () => {
    const r = await cli(['allowlist', 'ls']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--allowlist is required\.\nUsage: ferry allowlist ls /);
  });
  test('a malformed allowlist exits 2 naming file:line and the fix, no stack trace', async () => {
    const r = await cli(['allowlist', 'ls', '--allowlist', 'bad.txt']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^ferry allowlist ls: bad\.txt:3: unbalanced '\{' in 'app\/\{a,b'\. Fix: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
  test('a missing allowlist file exits 2', async () => {
    const r = await cli(['allowlist', 'explain', '--allowlist', 'missing.txt', 'x']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/Allowlist 'missing\.txt' does not exist/);
  });
});
