import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runExport, type ExportSettings } from '../../src/core/export/index.js';
import { captureLogger } from '../../src/core/logger.js';
import type { TargetResult } from '../../src/core/report/result.js';
import { commitFiles, git, makeBare, makeRepo } from '../support/git-fixtures.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

/**
 * ctx.runGates takes blob sizes and LFS pointers from the gates' one streamed read, and looks up
 * only what that read did not see. Whatever the gate settings (the stream reads everything, only
 * the import-checked files, or nothing), the plan's bytes and the LFS findings must be the same.
 * Also: a re-export that edits a few directories (tree-writer path) makes the full path's tree.
 */
afterAll(cleanupTmp);

const LFS = 'version https://git-lfs.github.com/spec/v1\noid sha256:' + 'c'.repeat(64) + '\nsize 12\n';

async function setup() {
  const dir = await tmpDir('ferry-gates-stream-');
  const source = path.join(dir, 'src');
  await makeRepo(source, {
    '.gitattributes': '*.bin filter=lfs diff=lfs merge=lfs -text\n',
    'pub/a.py': 'import os\n',
    'pub/b.txt': 'hello\n',
    'pub/data.bin': LFS,
    'pub/copy.bin': LFS,
    'pub/deep/x/y.md': '# y\n',
    'pub/link': { content: 'b.txt', mode: 'symlink' },
    'priv/z.py': 'Z = 1\n',
  });
  const allowlist = path.join(dir, 'allow.txt');
  await fs.writeFile(allowlist, 'pub/**\n.gitattributes\n');
  return { dir, source, allowlist };
}

function plan(r: TargetResult) {
  return {
    success: r.success,
    changes: r.changes,
    findings: r.findings.map((f) => `${f.severity}:${f.code}:${f.file ?? ''}`).sort(),
  };
}

test('bytes and LFS findings do not depend on what the gates read', async () => {
  const { dir, source, allowlist } = await setup();
  const results = [];
  for (const [i, safety] of [
    {},
    { secretScan: false },
    { secretScan: false, importCheck: false },
    { importCheck: false },
  ].entries()) {
    const target = await makeBare(path.join(dir, `t${i}.git`));
    const base: ExportSettings = {
      source,
      target,
      branch: 'main',
      allowlistFile: allowlist,
      safety,
      dryRun: true,
    };
    results.push(plan(await runExport(base, captureLogger())));
  }
  const first = results[0]!;
  expect(first.findings).toEqual(['warning:lfs-pointer:pub/copy.bin', 'warning:lfs-pointer:pub/data.bin']);
  expect(first.changes?.find((c) => c.path === 'pub/b.txt')?.bytes).toBe(6);
  expect(first.changes?.find((c) => c.path === 'pub/link')?.bytes).toBe(5);
  for (const r of results.slice(1)) expect(r).toEqual(first);
});

test('a small re-export (directories edited in place) gives the full path tree, deletions included', async () => {
  const { dir, source, allowlist } = await setup();
  const target = await makeBare(path.join(dir, 't.git'));
  const base: ExportSettings = { source, target, branch: 'main', allowlistFile: allowlist };
  expect((await runExport(base, captureLogger())).success).toBe(true);
  await commitFiles(source, {
    'pub/deep/x/y.md': null,
    'pub/deep/new/n.md': 'n\n',
    'pub/b.txt': 'changed\n',
    'pub/é/ü.txt': 'u\n',
  });
  const r = await runExport(base, captureLogger());
  expect(r.success).toBe(true);
  expect(r.counts).toMatchObject({ added: 2, modified: 1, deleted: 1 });
  // The full path (force: a fresh root commit, whole tree written through the index) agrees.
  const full = await makeBare(path.join(dir, 'full.git'));
  const f = await runExport({ ...base, target: full }, captureLogger());
  expect(f.success).toBe(true);
  expect(git(target, ['rev-parse', 'main^{tree}'])).toBe(git(full, ['rev-parse', 'main^{tree}']));
  expect(git(target, ['ls-tree', '-r', '--name-only', 'main'])).not.toMatch(/deep\/x/);
});
