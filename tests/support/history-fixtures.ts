import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ExportSettings } from '../../src/core/export/index.js';
import { makeBare, makeRepo, type FileSpec } from './git-fixtures.js';
import { tmpDir } from './tmp.js';

/**
 * A history-mode export between a fresh source (one commit of `files`) and an empty bare target,
 * with `public/` allowed: the settings, and the source's first commit.
 */
export async function historyFixture(
  prefix: string,
  files: Record<string, FileSpec>,
): Promise<{ dir: string; source: string; target: string; initial: string; settings: ExportSettings }> {
  const dir = await tmpDir(prefix);
  const source = path.join(dir, 'src');
  const initial = await makeRepo(source, files);
  const target = await makeBare(path.join(dir, 'target.git'));
  const allowlistFile = path.join(dir, 'allow.txt');
  await fs.writeFile(allowlistFile, 'public/\n');
  const settings: ExportSettings = { source, target, branch: 'main', allowlistFile, mode: 'history' };
  return { dir, source, target, initial, settings };
}
