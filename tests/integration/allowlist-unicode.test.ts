import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runExport, type ExportSettings } from '../../src/core/export/index.js';
import { captureLogger } from '../../src/core/logger.js';
import { git, GIT_ENV, lsTree, makeBare, makeRepo, revParse } from '../support/git-fixtures.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

/**
 * macOS writes names in NFD; an allowlist typed on Linux or Windows (or by hand) is in NFC. The
 * decision treats both spellings as one name, while the exported paths keep the bytes the source
 * commit holds (no normalised copy reaches the target).
 */
afterAll(cleanupTmp);

const NFC = (s: string) => s.normalize('NFC');
const NFD = (s: string) => s.normalize('NFD');

/**
 * The path bytes of a tree as git stores them, shown with every non-ASCII character escaped
 * (\u0301), so NFC and NFD spellings differ visibly in a failure.
 */
function rawPaths(repo: string, ref: string): string[] {
  const out = execFileSync('git', ['ls-tree', '-r', '-z', '--name-only', ref], { cwd: repo, env: GIT_ENV });
  const paths: string[] = [];
  for (let start = 0; start < out.length;) {
    const end = out.indexOf(0, start);
    const raw = out.subarray(start, end);
    const text = raw.toString('utf8');
    expect(Buffer.from(text, 'utf8').equals(raw)).toBe(true); // valid UTF-8: the escape is exact
    paths.push(escaped(text));
    start = end + 1;
  }
  return paths.sort();
}

const escaped = (s: string) =>
  s.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

describe('NFC and NFD names in a real repository', () => {
  test('an NFC exclude vetoes an NFD directory; NFD paths are exported byte for byte', async () => {
    const dir = await tmpDir('ferry-unicode-');
    const source = path.join(dir, 'src');
    const secret = NFD('docs/café'); // committed as macOS writes it
    const open = NFD('docs/naïve');
    await makeRepo(source, {
      [`${secret}/menu.md`]: 'private\n',
      [`${open}/notes.md`]: 'public\n',
      [`docs/${NFD('Ångström')}.md`]: 'public too\n',
      'docs/plain.md': 'public\n',
    });
    // The source really holds NFD bytes ('e' + U+0301), or this test would prove nothing.
    expect(rawPaths(source, 'HEAD')).toContain('docs/cafe\\u0301/menu.md');

    const exportWith = async (name: string, rules: string[]) => {
      const target = await makeBare(path.join(dir, `${name}.git`));
      const allowlistFile = path.join(dir, `${name}.txt`);
      await fs.writeFile(allowlistFile, rules.join('\n'));
      const r = await runExport({ source, target, branch: 'main', allowlistFile }, captureLogger());
      expect(r.success).toBe(true);
      return rawPaths(target, 'main');
    };

    // An exclude typed in NFC vetoes the NFD directory; the rest keeps its NFD bytes.
    expect(await exportWith('veto', ['docs/', `!${NFC('docs/café')}/`])).toEqual([
      'docs/A\\u030angstro\\u0308m.md',
      'docs/nai\\u0308ve/notes.md',
      'docs/plain.md',
    ]);
    // Includes typed in NFC select the NFD-committed directory and file, exported as committed.
    expect(await exportWith('include', [`${NFC('docs/naïve')}/`, NFC('docs/Ångström.md')])).toEqual([
      'docs/A\\u030angstro\\u0308m.md',
      'docs/nai\\u0308ve/notes.md',
    ]);
  });
});

describe('a path that is not UTF-8', () => {
  /** A repo whose second commit adds docs/caf\xe9.md (Latin-1), as an old tool may have committed it. */
  async function latin1Repo(dir: string): Promise<{ source: string; first: string }> {
    const source = path.join(dir, 'src');
    const first = await makeRepo(source, { 'docs/a.md': 'a\n' });
    const name = Buffer.concat([Buffer.from(`${source}/docs/caf`), Buffer.from([0xe9]), Buffer.from('.md')]);
    await fs.writeFile(name, 'x\n');
    git(source, ['add', '-A']);
    git(source, ['commit', '-q', '-m', 'latin-1 name']);
    return { source, first };
  }
  // (the message may come JSON-escaped, inside a result, or plain, as a thrown error)
  const REFUSED = /path that is not valid UTF-8: 'docs\/caf\\{1,2}xe9\.md'.*Fix: rename it/;

  test('is refused by name in snapshot, incremental and history exports, never renamed', async () => {
    const dir = await tmpDir('ferry-latin1-');
    const { source, first } = await latin1Repo(dir);
    const allowlistFile = path.join(dir, 'allow.txt');
    await fs.writeFile(allowlistFile, 'docs/\n');
    const run = async (name: string, extra: Partial<ExportSettings> = {}) => {
      const target = path.join(dir, `${name}.git`);
      if (!revParse(target, 'HEAD')) await makeBare(target);
      const settings = { source, target, branch: 'main', allowlistFile, ...extra };
      return runExport(settings, captureLogger()).then(
        (r) => ({ r, target }),
        (e: Error) => ({ error: e.message, target }),
      );
    };
    for (const extra of [{}, { mode: 'history' as const }]) {
      const out = await run(`full-${extra.mode ?? 'snapshot'}`, extra);
      expect(JSON.stringify(out)).toMatch(REFUSED);
      expect(revParse(out.target, 'main')).toBeUndefined(); // nothing pushed
    }
    // Incremental: the first commit exports cleanly, the re-export reads only the diff.
    const ok = await run('incremental', { rev: first });
    expect('r' in ok && ok.r.success).toBe(true);
    const again = await run('incremental');
    expect(JSON.stringify(again)).toMatch(REFUSED);
    expect(lsTree(again.target)).toEqual(['docs/a.md']);
  });
});
