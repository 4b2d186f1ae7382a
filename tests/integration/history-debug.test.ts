import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { runExport, type ExportSettings } from '../../src/core/export/index.js';
import { captureLogger } from '../../src/core/logger.js';
import { GIT_ENV, git, makeBare } from '../support/git-fixtures.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

type Op =
  | { kind: 'write'; path: string; content: number; mode: 'file' | 'exec' | 'link' }
  | { kind: 'delete'; path: string }
  | { kind: 'rename'; from: string; to: string }
  | { kind: 'gitlink'; path: string };

/** Build the source history with one fast-import stream; returns the commit ids, oldest first. */
function buildSource(dir: string, commits: Op[][]): string[] {
  git(dir, ['init', '-q', '-b', 'main']);
  const files = new Map<string, { mode: string; data: string }>();
  let stream = '';
  commits.forEach((ops, i) => {
    const lines: string[] = [];
    for (const op of ops) {
      if (op.kind === 'write') {
        // Symlinks point at their own directory: always inside the exported tree.
        const data = op.mode === 'link' ? '.' : `content ${op.content}\n`;
        const mode = op.mode === 'link' ? '120000' : op.mode === 'exec' ? '100755' : '100644';
        files.set(op.path, { mode, data });
        lines.push(`M ${mode} inline ${op.path}\ndata ${Buffer.byteLength(data)}\n${data}`);
      } else if (op.kind === 'delete') {
        if (files.delete(op.path)) lines.push(`D ${op.path}`);
      } else if (op.kind === 'rename') {
        const f = files.get(op.from);
        if (!f || op.from === op.to) continue;
        files.delete(op.from);
        files.set(op.to, f);
        lines.push(`D ${op.from}`, `M ${f.mode} inline ${op.to}\ndata ${Buffer.byteLength(f.data)}\n${f.data}`);
      } else {
        files.delete(op.path);
        lines.push(`M 160000 ${(i + 1).toString(16).padStart(40, 'a')} ${op.path}`);
      }
    }
    const msg = `step ${i}\n`;
    stream += `commit refs/heads/main\nmark :${i + 1}\n`;
    stream += `author A <a@example.com> ${1_700_000_000 + i * 60} +0000\n`;
    stream += `committer A <a@example.com> ${1_700_000_000 + i * 60} +0000\n`;
    stream += `data ${msg.length}\n${msg}${i ? `from :${i}\n` : ''}${lines.map((l) => `${l}\n`).join('')}\n`;
  });
  execFileSync('git', ['fast-import', '--quiet', '--date-format=raw'], { cwd: dir, env: GIT_ENV, input: stream });
  return git(dir, ['rev-list', '--reverse', '--first-parent', 'main']).split('\n');
}

const H = [[{"kind":"write","path":"pub/sub/d.py","content":2,"mode":"link"}],[{"kind":"write","path":"pub/a","content":0,"mode":"file"},{"kind":"write","path":"priv/d.py","content":0,"mode":"file"}],[{"kind":"delete","path":"pub/d.py"}],[{"kind":"gitlink","path":"mix/mod"},{"kind":"write","path":"pub/a","content":2,"mode":"file"},{"kind":"write","path":"mix/d.py","content":3,"mode":"file"}],[{"kind":"write","path":"priv/a","content":1,"mode":"link"},{"kind":"write","path":"mix/d.py","content":1,"mode":"link"},{"kind":"write","path":"pub/sub/b.py","content":0,"mode":"exec"},{"kind":"write","path":"pub/sub/b.py","content":0,"mode":"exec"}],[{"kind":"rename","from":"mix/d.py","to":"pub/sub/c"}],[{"kind":"write","path":"pub/b.py","content":1,"mode":"exec"},{"kind":"rename","from":"mix/b.py","to":"priv/b.py"}],[{"kind":"write","path":"mix/c","content":1,"mode":"file"},{"kind":"delete","path":"priv/a"},{"kind":"delete","path":"pub/sub/b.py"}]];
test('debug', async () => {
  const dir = await tmpDir('ferry-hdbg-');
  const source = path.join(dir, 'src');
  await fs.mkdir(source, { recursive: true });
  const shas = buildSource(source, H as Op[][]);
  const allow = path.join(dir, 'allow.txt');
  await fs.writeFile(allow, 'pub/\nmix/*.py\n!pub/sub/c\n');
  const target = await makeBare(path.join(dir, 'hist.git'));
  const { consoleLogger } = await import('../../src/core/logger.js');
  const base: ExportSettings = { source, target, branch: 'main', allowlistFile: allow, mode: 'history', since: 'root', preserve: ['pub/a'],
    safety: { allowMassDelete: true, secretScan: false, importCheck: false } };
  void captureLogger;
  const r1 = await runExport({ ...base, rev: shas[28 % shas.length] }, consoleLogger({ verbose: true }));
  console.log(JSON.stringify(r1.details));
  await fs.writeFile(allow, 'pub/\nmix/\n!pub/sub/\n');
  const r2 = await runExport(base, consoleLogger({ verbose: true }));
  console.log('R2 done', r2.commit);
  const tipBefore = r1.commit;
  const snap = await makeBare(path.join(dir, 'snap.git'));
  if (tipBefore) git(target, ['push', '-q', snap, `${tipBefore}:refs/heads/main`]);
  console.log('pushed');
  const r3 = await runExport({ ...base, target: snap, mode: 'snapshot' }, consoleLogger({ verbose: true }));
  console.log('R3 done', r3.commit);
  console.log(git(target, ['ls-tree', '-r', 'main']));
  console.log(git(snap, ['ls-tree', '-r', 'main']));
}, 30000);
