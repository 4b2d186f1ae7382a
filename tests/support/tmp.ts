import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const made: string[] = [];

/** A fresh temp directory, removed by cleanupTmp() (call it in afterAll). */
export async function tmpDir(prefix = 'ferry-test-'): Promise<string> {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  made.push(d);
  return d;
}

export async function cleanupTmp(): Promise<void> {
  while (made.length) await fs.rm(made.pop()!, { recursive: true, force: true });
}
