import * as path from 'node:path';
import { GitCommandManager } from '../../src/core/git/git-command-manager.js';
import { localObjectsDir, objectsDir } from '../../src/core/git/scratch-repo.js';
import { silentLogger } from '../../src/core/logger.js';
import { git } from '../support/git-fixtures.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

/**
 * localObjectsDir (src/core/git/scratch-repo.ts) answers without git for a bare repository and a
 * work tree with a `.git` directory, and asks git otherwise: it must give what git gives
 * (objectsDir) in every layout.
 */
afterAll(cleanupTmp);

test('localObjectsDir == objectsDir: bare, work tree, linked work tree, subdirectory', async () => {
  const root = await tmpDir('ferry-objdir-');
  const bare = path.join(root, 'bare.git');
  const work = path.join(root, 'work');
  const linked = path.join(root, 'linked');
  git(root, ['init', '-q', '--bare', bare]);
  git(root, ['init', '-q', work]);
  git(work, ['commit', '-q', '--allow-empty', '-m', 'first']);
  git(work, ['worktree', 'add', '-q', linked]);
  const sub = path.join(work, '.git', 'refs');
  for (const dir of [bare, work, linked, sub]) {
    const gm = new GitCommandManager(dir, { logger: silentLogger });
    expect([dir, await localObjectsDir(gm)]).toEqual([dir, await objectsDir(gm)]);
  }
  expect(await localObjectsDir(new GitCommandManager(bare))).toBe(path.join(bare, 'objects'));
  expect(await localObjectsDir(new GitCommandManager(work))).toBe(path.join(work, '.git', 'objects'));
});
