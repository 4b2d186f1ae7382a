import fc from 'fast-check';
import * as path from 'node:path';
import { streamBlobs } from '../../src/core/git/blob-stream.js';
import { BlobReader, GitCommandManager, readTree } from '../../src/core/git/index.js';
import { silentLogger } from '../../src/core/logger.js';
import type { Finding } from '../../src/core/report/result.js';
import {
  DEFAULT_SAFETY_SETTINGS,
  runGates,
  type GateChange,
  type GateInput,
  type SafetySettings,
} from '../../src/core/safety/index.js';
import { git as sh, makeRepo } from '../support/git-fixtures.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

/**
 * The gates' bulk read (GateInput.readBlobs: one streamed cat-file --batch) must give exactly the
 * findings of the per-blob read (readBlob through BlobReader): secrets, import leaks, binary and
 * large skips, unreadable blobs, allow markers, for any subset of the changed files and any
 * settings.
 */
afterAll(cleanupTmp);

// Assembled at run time so that this file never holds a realistic token itself.
const TOKEN = ['gh', 'p_', 'R8kLm2Qz7XvB4nW9tYc3Hs6Jd1Fg5Ap0Ue8i'].join('');

const FILES: Record<string, string> = {
  'lib/__init__.py': '',
  'lib/free.py': `import os\nfrom lib.premium.model import X\nTOKEN = "${TOKEN}"\n`,
  'lib/ok.py': `TOKEN = "${TOKEN}"  # ferry:allow-secret\n`,
  'lib/copy.py': `import os\nfrom lib.premium.model import X\nTOKEN = "${TOKEN}"\n`,
  'lib/premium/model.py': 'X = 1\n',
  'lib/premium/model.ts': 'export const m = 1;\n',
  'web/a.ts': "import { m } from '../lib/premium/model';\n",
  'web/b.js': "const k = 'AKIA' + 'x';\npassword = \"c0rrect-h0rse-battery\"\n",
  'web/big.txt': `${'line\n'.repeat(230_000)}TOKEN = "${TOKEN}"\n`,
  'web/logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1]).toString('latin1'),
  'docs/empty.md': '',
};

let git: GitCommandManager;
let changes: GateChange[];
const MISSING = 'e'.repeat(40);

beforeAll(async () => {
  const repo = path.join(await tmpDir('ferry-gate-stream-'), 'src');
  await makeRepo(repo, FILES);
  sh(repo, ['config', 'core.bigFileThreshold', '100m']);
  git = new GitCommandManager(repo, { logger: silentLogger });
  changes = (await readTree(git, 'HEAD', { sizes: true })).map((e) => ({
    sourcePath: e.path,
    targetPath: e.path,
    change: 'added' as const,
    oid: e.oid,
    mode: e.mode,
  }));
  changes.push({
    sourcePath: 'lib/gone.py',
    targetPath: 'lib/gone.py',
    change: 'added',
    oid: MISSING,
    mode: '100644',
  });
});

async function gates(input: Omit<GateInput, 'readBlob'>, bulk: boolean): Promise<Finding[]> {
  const reader = new BlobReader(git);
  try {
    return await runGates({
      ...input,
      readBlob: (oid) => reader.read(oid),
      ...(bulk
        ? { readBlobs: (oids, maxBytes, visit) => streamBlobs(git, oids, visit, { maxBytes, processes: 2 }) }
        : {}),
    });
  } finally {
    await reader.close();
  }
}

test('bulk read == per-blob read, for random change subsets and settings', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.subarray(Array.from({ length: changes.length }, (_, i) => i)),
      fc.boolean(),
      fc.boolean(),
      fc.boolean(),
      async (pick, secretScan, importCheck, withSizes) => {
        const chosen = pick
          .map((i) => changes[i])
          .filter(Boolean)
          .map((c) => (withSizes ? c : { ...c, size: undefined }));
        const all = new Set(Object.keys(FILES));
        const exported = new Set([...all].filter((p) => !p.startsWith('lib/premium/')));
        const settings: SafetySettings = { ...DEFAULT_SAFETY_SETTINGS, secretScan, importCheck };
        const input = {
          changes: chosen,
          exportedSourcePaths: exported,
          sourcePaths: all,
          targetFileCount: 0,
          settings,
        };
        const slow = await gates(input, false);
        const fast = await gates(input, true);
        expect(fast).toEqual(slow);
      },
    ),
    { numRuns: 25 },
  );
}, 60_000);

test('every kind of finding shows up in the bulk read (so the comparison above means something)', async () => {
  const all = new Set(Object.keys(FILES));
  const exported = new Set([...all].filter((p) => !p.startsWith('lib/premium/')));
  const findings = await gates(
    {
      changes,
      exportedSourcePaths: exported,
      sourcePaths: all,
      targetFileCount: 0,
      settings: DEFAULT_SAFETY_SETTINGS,
    },
    true,
  );
  const codes = new Set(findings.map((f) => `${f.code}:${f.file ?? ''}`));
  expect(codes).toEqual(
    new Set([
      'secret:lib/free.py',
      'secret:lib/copy.py',
      'import-leak:lib/free.py',
      'import-leak:lib/copy.py',
      'import-leak:web/a.ts',
      'secret:web/b.js',
      'gate-skipped-large:web/big.txt',
      'gate-skipped-binary:',
      'gate-unreadable:lib/gone.py',
    ]),
  );
});
