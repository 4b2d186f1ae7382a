/**
 * The wiki folder as committed in its repository: files come from the tree at a revision (git
 * plumbing), not from the working tree, so what is published is exactly a commit.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ConfigurationError } from '../errors.js';
import { GitCommandManager } from '../git/git-command-manager.js';
import { readTree } from '../git/tree.js';
import type { Logger } from '../logger.js';
import type { SourceFile } from './types.js';

export interface WikiSource {
  git: GitCommandManager;
  /** Repository root (work tree). */
  root: string;
  /** The folder relative to the root, '' for the root itself. */
  prefix: string;
  rev: string;
  /** The folder's tree at rev. */
  treeish: string;
  objectsDir: string;
  files: SourceFile[];
}

export async function openSource(folder: string, rev: string, logger: Logger): Promise<WikiSource> {
  const abs = path.resolve(folder);
  const stat = await fs.stat(abs).catch(() => undefined);
  if (!stat?.isDirectory())
    throw new ConfigurationError(
      `Wiki source folder '${folder}' does not exist. Fix: point source at the folder that holds the wiki pages (e.g. wiki/).`,
    );
  const probe = new GitCommandManager(abs, { logger });
  const top = await probe.execRaw(['rev-parse', '--show-toplevel'], { allowedExitCodes: [128] });
  if (top.exitCode !== 0)
    throw new ConfigurationError(
      `Wiki source folder '${folder}' is not inside a git repository. Fix: check out the repository that holds it (actions/checkout) or commit the folder.`,
    );
  const root = top.stdout.toString().trim();
  const git = new GitCommandManager(root, { logger });
  const prefix = path
    .relative(await fs.realpath(root), await fs.realpath(abs))
    .split(path.sep)
    .join('/');
  const sha = await git.tryRevParse(rev);
  if (!sha)
    throw new ConfigurationError(
      `Revision '${rev}' was not found in ${root}. Fix: check the rev setting, or fetch it.`,
    );
  const treeish = prefix ? `${sha}:${prefix}` : sha;
  const exists = await git.execRaw(['cat-file', '-t', treeish], { allowedExitCodes: [128] });
  if (exists.exitCode !== 0 || exists.stdout.toString().trim() !== 'tree')
    throw new ConfigurationError(
      `Wiki source folder '${prefix}' is not in commit ${sha.slice(0, 12)}. Fix: commit the folder first (Ferry publishes committed files only).`,
    );
  const files = (await readTree(git, treeish))
    .filter((e) => e.type === 'blob')
    .map((e) => ({ path: e.path, mode: e.mode, oid: e.oid }));
  let objectsDir = path.resolve(root, await git.exec(['rev-parse', '--git-common-dir']), 'objects');
  objectsDir = await fs.realpath(objectsDir);
  return { git, root, prefix, rev: sha, treeish, objectsDir, files };
}

/** Texts of the given blobs through one `cat-file --batch` run (all ids in, all bodies out). */
export async function readTexts(
  git: GitCommandManager,
  items: readonly { key: string; oid: string }[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!items.length) return out;
  const res = await git.execRaw(['cat-file', '--batch'], {
    input: items.map((i) => i.oid).join('\n') + '\n',
  });
  const buf = res.stdout;
  let pos = 0;
  for (const it of items) {
    const nl = buf.indexOf(10, pos);
    const header = buf.subarray(pos, nl).toString();
    if (header.endsWith(' missing')) throw new Error(`internal: blob ${it.oid} (${it.key}) is missing`);
    const size = Number(header.slice(header.lastIndexOf(' ') + 1));
    out.set(it.key, buf.subarray(nl + 1, nl + 1 + size).toString('utf8'));
    pos = nl + 1 + size + 1;
  }
  return out;
}
