// Bundle every entry in src/entries/ with ncc into dist/<entry>/index.js.
// `npm run package` builds all; `npm run package -- cli sync-to-public` builds some.
// tsc compiles first (lib/), and ncc bundles the JavaScript: ncc never sees TypeScript,
// so its TypeScript support does not constrain which TypeScript we use.
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync, chmodSync, readFileSync, existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const want = process.argv.slice(2);
try {
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
} catch (e) {
  // A full build must type-check. Building named entries (work in progress) goes on: tsc still emits.
  if (want.length === 0) process.exit(1);
  console.error('package: type errors above; bundling the named entries anyway');
}
const entries = readdirSync(join(root, 'lib/src/entries'))
  .filter((f) => f.endsWith('.js'))
  .map((f) => f.slice(0, -3))
  .filter((n) => want.length === 0 || want.includes(n));
if (want.length === 0 && existsSync(join(root, 'dist'))) {
  for (const d of readdirSync(join(root, 'dist'))) if (!entries.includes(d) && !d.startsWith('.')) rmSync(join(root, 'dist', d), { recursive: true, force: true });
}
for (const name of entries) {
  // Build beside, then swap in: a test running the bundle meanwhile never finds it missing.
  const out = join(root, 'dist', name);
  const tmp = join(root, 'dist', `.${name}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  execFileSync(process.execPath, [join(root, 'node_modules/@vercel/ncc/dist/ncc/cli.js'), 'build', join(root, 'lib/src/entries', `${name}.js`), '-o', tmp, '--license', 'licenses.txt', '-q', '--target', 'es2022'], { stdio: 'inherit' });
  const index = join(tmp, 'index.js');
  if (name === 'cli') {
    const src = readFileSync(index, 'utf8');
    if (!src.startsWith('#!')) writeFileSync(index, '#!/usr/bin/env node\n' + src);
    chmodSync(index, 0o755);
  }
  // The bundle is ESM: say so, whatever package.json sits above it.
  writeFileSync(join(tmp, 'package.json'), '{ "type": "module" }\n');
  const old = join(root, 'dist', `.${name}.old-${process.pid}`);
  if (existsSync(out)) renameSync(out, old);
  renameSync(tmp, out);
  rmSync(old, { recursive: true, force: true });
  console.log(`dist/${name}/index.js`);
}
