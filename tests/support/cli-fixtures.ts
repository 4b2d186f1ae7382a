/**
 * What the dist/cli tests of exports and their errors share: the `ferry export` argument list, the
 * shape of a stack trace (a user mistake or a failed sync never shows one), and a loopback git
 * server with a source repository to export from.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { makeRepo } from './git-fixtures.js';
import { GitHttpServer } from './git-http-server.js';
import { tmpDir } from './tmp.js';

/** A stack frame line (`    at fn (file.js:12:34)`) in a process's output. */
export const STACK = /\n\s+at .+:\d+:\d+\)?/;

/** `ferry export --source SOURCE --target TARGET --allowlist ALLOWLIST`, then `extra`. */
export function exportArgs(source: string, target: string, allowlist: string, ...extra: string[]): string[] {
  return ['export', '--source', source, '--target', target, '--allowlist', allowlist, ...extra];
}

export interface ServerAndSource {
  /** The test's temporary directory. */
  dir: string;
  /** A started loopback git server that takes `token`; stop it in afterAll. */
  server: GitHttpServer;
  /** A source repository with `pub/a.txt` and `priv/p.txt`. */
  source: string;
  /** `<dir>/allow.txt`, selecting `pub/`. */
  allowlist: string;
}

export async function serverAndSource(prefix: string, token: string): Promise<ServerAndSource> {
  const dir = await tmpDir(prefix);
  const server = new GitHttpServer(path.join(dir, 'srv'), token);
  await server.start();
  const source = path.join(dir, 'src');
  await makeRepo(source, { 'pub/a.txt': 'a\n', 'priv/p.txt': 'p\n' });
  const allowlist = path.join(dir, 'allow.txt');
  await fs.writeFile(allowlist, 'pub/\n');
  return { dir, server, source, allowlist };
}
