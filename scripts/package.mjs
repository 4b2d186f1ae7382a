// Bundle every entry in src/entries/ with ncc into dist/<entry>/index.js.
// `npm run package` builds all; `npm run package -- cli sync-to-public` builds some.
// tsc compiles first (lib/), and ncc bundles the JavaScript: ncc never sees TypeScript,
// so its TypeScript support does not constrain which TypeScript we use.
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync, chmodSync, readFileSync, existsSync } from 'node:fs';
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
  for (const d of readdirSync(join(root, 'dist'))) if (!entries.includes(d)) rmSync(join(root, 'dist', d), { recursive: true, force: true });
}
for (const name of entries) {
  const out = join(root, 'dist', name);
  rmSync(out, { recursive: true, force: true });
  execFileSync(process.execPath, [join(root, 'node_modules/@vercel/ncc/dist/ncc/cli.js'), 'build', join(root, 'lib/src/entries', `${name}.js`), '-o', out, '--license', 'licenses.txt', '-q', '--target', 'es2022'], { stdio: 'inherit' });
  const index = join(out, 'index.js');
  if (name === 'cli') {
    const src = readFileSync(index, 'utf8');
    if (!src.startsWith('#!')) writeFileSync(index, '#!/usr/bin/env node\n' + src);
    chmodSync(index, 0o755);
  }
  // The bundle is ESM: say so, whatever package.json sits above it.
  writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
  console.log(`dist/${name}/index.js`);
}
