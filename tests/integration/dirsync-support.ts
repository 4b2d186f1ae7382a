import * as fs from 'node:fs';
import * as path from 'node:path';
import { tmpDir } from '../support/tmp.js';

/** Everything under root (no link following): path → 'F:<exec bits>:<content>' | 'L:<target>' | 'D'. */
export function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const d of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${d.name}` : d.name;
      const abs = path.join(root, r);
      const st = fs.lstatSync(abs);
      if (st.isSymbolicLink()) out.set(r, `L:${fs.readlinkSync(abs)}`);
      else if (st.isDirectory()) {
        out.set(r, 'D');
        walk(r);
      } else out.set(r, `F:${(st.mode & 0o111).toString(8)}:${fs.readFileSync(abs, 'utf8')}`);
    }
  };
  walk('');
  return out;
}

export function fileContents(root: string): Set<string> {
  const s = new Set<string>();
  for (const v of snapshot(root).values()) if (v.startsWith('F:')) s.add(v.slice(v.indexOf(':', 2) + 1));
  return s;
}

export function write(root: string, rel: string, content: string, mode?: number): void {
  const abs = path.join(root, rel);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.writeFileSync(abs, content);
  if (mode !== undefined) fs.chmodSync(abs, mode);
}

export const sorted = (m: Map<string, string>) =>
  [...m.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));

/** Two empty sides A and B in a fresh temp dir, and a state file path beside them. */
export async function pair(prefix: string, stateName = 'state.json') {
  const root = await tmpDir(prefix);
  const a = path.join(root, 'A');
  const b = path.join(root, 'B');
  fs.mkdirSync(a);
  fs.mkdirSync(b);
  return { root, a, b, state: path.join(root, stateName) };
}

/** The two sides hold the same entries (types, exec bits, contents, link targets). */
export const same = (a: string, b: string) => expect(sorted(snapshot(b))).toEqual(sorted(snapshot(a)));
