import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseConfig } from '../../src/core/config/load.js';
import { silentLogger } from '../../src/core/logger.js';
import { runExport } from '../../src/core/export/index.js';
import { statusOf } from '../../src/core/runner/status.js';
import { generateWorkflows } from '../../src/core/runner/workflows.js';
import { commitFiles, git, makeBare, makeRepo } from '../support/git-fixtures.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';
import { loadSchemaValidator } from '../../src/core/config/validate.js';

// parseConfig is synchronous: its schema validator is loaded first (loadConfig awaits it).
await loadSchemaValidator();

afterAll(cleanupTmp);

describe('ferry status drift', () => {
  test('mirror ahead/behind, stale generated allowlist, unexported commits, workflow schedules', async () => {
    const base = await tmpDir('ferry-status-');
    // two sides of a mirror: b is 1 ahead, then a gets 2 of its own (diverged)
    const seed = path.join(base, 'seed');
    await makeRepo(seed, { 'a.txt': '1\n' });
    const a = await makeBare(path.join(base, 'a.git'));
    const b = await makeBare(path.join(base, 'b.git'));
    git(seed, ['push', '-q', a, 'main']);
    await commitFiles(seed, { 'b.txt': 'b\n' });
    git(seed, ['push', '-q', b, 'main']);

    // an export target whose last export (trailer) is the first source commit
    const root = path.join(base, 'repo');
    const config = `version: "1"
targets:
  public:
    kind: export
    direction: push
    repo: ${path.join(base, 'public.git')}
    allowlist: public_allowlist.txt
    edition: community
    schedule: "0 2 * * *"
  twin:
    kind: mirror
    a: ${a}
    b: ${b}
components:
  core: ["src/core/**"]
  docs: ["docs/**"]
editions:
  community:
    components: [core, docs]
`;
    const first = await makeRepo(root, {
      '.github/ferry.yml': config,
      'public_allowlist.txt': 'src/core/**\n',
      'src/core/a.py': '1\n',
      'src/premium/p.py': '1\n',
    });
    const pub = path.join(base, 'public-work');
    await makeRepo(pub, { 'src/core/a.py': '1\n' }, `Export\n\nFerry-Origin-Rev: ${first}`);
    git(pub, ['push', '-q', await makeBare(path.join(base, 'public.git')), 'main']);
    await commitFiles(root, { 'src/premium/p.py': '2\n' }, 'premium only');
    await commitFiles(root, { 'src/core/a.py': '2\n' }, 'core change');

    const cfg = parseConfig(config, '.github/ferry.yml', { root });
    const wfs = await generateWorkflows(cfg, '.github/ferry.yml');
    for (const w of wfs) {
      await fs.mkdir(path.dirname(path.join(root, w.file)), { recursive: true });
      await fs.writeFile(path.join(root, w.file), w.content.replace('0 2 * * *', '0 3 * * *'));
    }

    const [pubR, twinR] = await statusOf(cfg, cfg.targets, silentLogger);
    expect(pubR.changed).toBe(true);
    expect(pubR.counts).toMatchObject({ unexported: 1, commits_since_export: 2 });
    expect(pubR.details).toEqual({ targetKind: 'export', lastExported: first });
    expect(pubR.findings.map((f) => f.code)).toEqual([
      'unexported-commits',
      'stale-allowlist',
      'workflow-schedule',
    ]);
    expect(pubR.findings[1].message).toContain(
      'public_allowlist.txt is stale: regenerate it with ferry allowlist generate',
    );
    expect(pubR.findings[2].message).toContain("runs on [0 3 * * *] but the config says '0 2 * * *'");

    expect(twinR.success).toBe(true);
    expect(twinR.counts).toEqual({ ahead: 0, behind: 1 });
    expect(twinR.findings.map((f) => [f.code, f.message])).toEqual([
      ['mirror-out-of-sync', 'main: a is 0 ahead and 1 behind b'],
    ]);
    // temporary refs are gone again
    expect(git(root, ['for-each-ref', 'refs/ferry'])).toBe('');
  });
});

describe('status and export agree on the last exported revision', () => {
  test('a trailer 250 hand-made commits below the tip: status finds it where the export does', async () => {
    const base = await tmpDir('ferry-status-deep-');
    const root = path.join(base, 'repo');
    const target = await makeBare(path.join(base, 'public.git'));
    const config = `version: "1"
targets:
  public:
    kind: export
    direction: push
    repo: ${target}
    allowlist: public_allowlist.txt
`;
    const exported = await makeRepo(root, {
      '.github/ferry.yml': config,
      'public_allowlist.txt': 'src/**\n',
      'src/a.py': '1\n',
    });
    const exportSettings = {
      source: root,
      target,
      branch: 'main',
      allowlistFile: path.join(root, 'public_allowlist.txt'),
    };
    expect((await runExport(exportSettings, silentLogger)).success).toBe(true);
    // 250 hand-made commits on the target, written by one fast-import.
    const tip = git(target, ['rev-parse', 'main']);
    let stream = '';
    for (let i = 0; i < 250; i++)
      stream +=
        `commit refs/heads/main\ncommitter Hand <hand@example.com> ${1_700_000_000 + i} +0000\n` +
        `data ${`notes ${i}\n`.length}\nnotes ${i}\n${i === 0 ? `from ${tip}\n` : ''}M 100644 inline NOTES.md\ndata ${`${i}\n`.length}\n${i}\n\n`;
    git(target, ['fast-import', '--quiet'], stream);
    expect(git(target, ['rev-list', '--count', 'main'])).toBe('251');
    await commitFiles(root, { 'src/a.py': '2\n' }, 'change a');

    const cfg = parseConfig(config, '.github/ferry.yml', { root });
    const [r] = await statusOf(cfg, cfg.targets, silentLogger);
    expect(r.details).toEqual({ targetKind: 'export', lastExported: exported });
    expect(r.counts).toMatchObject({ unexported: 1, commits_since_export: 1 });

    // The export finds the same one: history mode replays just the one new commit on top.
    const h = await runExport({ ...exportSettings, mode: 'history', preserve: ['NOTES.md'] }, silentLogger);
    expect(h.success).toBe(true);
    expect(h.findings.map((f) => f.code)).not.toContain('history-no-trailer');
    expect(h.counts.commits).toBe(1);
  });
});
