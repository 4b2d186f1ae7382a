import { findImportLeaks, findImportLeaksIn, RepoLayout } from '../../src/core/safety/index.js';
import type { SourceFileReader } from '../../src/core/safety/index.js';
import { loadJsParser } from '../../src/core/safety/imports/js-syntax.js';

// The synchronous parsers need Babel loaded first (findImportLeaksIn awaits it).
await loadJsParser();

/** Leaks of `file` in a tree given as path → text; `exported` is what the allowlist selects. */
function leaks(files: Record<string, string>, exported: (p: string) => boolean, file: string) {
  const paths = new Set(Object.keys(files));
  const ex = new Set([...paths].filter(exported));
  return findImportLeaks(file, files[file], paths, ex, RepoLayout.fromTexts(files)).map((l) => [
    l.line,
    l.spec,
    l.path,
  ]);
}
const notEe = (p: string) => !/(^|\/)ee\//.test(p);

describe('TS/JS resolution like the tooling', () => {
  const monorepo = {
    'package.json': JSON.stringify({ name: 'root', workspaces: ['apps/*', 'packages/*'] }),
    'packages/tsconfig/package.json': JSON.stringify({ name: '@acme/tsconfig' }),
    // A shared base config in a workspace package, with comments and a trailing comma (JSONC).
    'packages/tsconfig/base.json': '{ // shared\n "compilerOptions": { "strict": true, }, }',
    'apps/web/package.json': JSON.stringify({ name: '@acme/web', imports: { '#ee/*': './src/ee/*.ts' } }),
    'apps/web/tsconfig.json': JSON.stringify({
      extends: '@acme/tsconfig/base.json',
      compilerOptions: { paths: { '@/*': ['./src/*'], '~/*': ['./src/*'] } },
    }),
    'apps/web/src/page.tsx': [
      "import { Billing } from '@/ee/billing';", // 1 tsconfig alias
      "import { X } from '~/ee/x';", // 2 second alias
      "import { sso } from '@acme/ee';", // 3 workspace package, main → dist → src
      "import { y } from '@acme/ee/features/y';", // 4 subpath through exports pattern
      "import { z } from '@acme/shared/src/server/ee/z';", // 5 subpath of a package without exports
      "import { h } from '#ee/hook';", // 6 Node subpath import
      "const a = 1; import { c } from './ee/c';", // 7 an import after `;`
      '/// <reference path="./ee/types.d.ts" />', // 8
      "const w = new URL('./ee/worker.ts', import.meta.url);", // 9
      "jest.mock('./ee/mocked');", // 10
      "const r = require('./ee/req'); const d = import('./ee/dyn');", // 11
      "// import { gone } from './ee/commented';", // 12 a comment: not an import
      "const s = './ee/just-a-string';", // 13 a string: not an import
      "import React from 'react';", // 14 third party
      "import { ok } from '@/lib/ok';", // 15 exported
      "export { e } from '@acme/ee/sso';", // 16 exports map with conditions
      '',
    ].join('\n'),
    'apps/web/src/ee/billing.tsx': '',
    'apps/web/src/ee/x.ts': '',
    'apps/web/src/ee/hook.ts': '',
    'apps/web/src/ee/c.ts': '',
    'apps/web/src/ee/types.d.ts': '',
    'apps/web/src/ee/worker.ts': '',
    'apps/web/src/ee/mocked.ts': '',
    'apps/web/src/ee/req.js': '',
    'apps/web/src/ee/dyn.ts': '',
    'apps/web/src/ee/commented.ts': '',
    'apps/web/src/ee/just-a-string.ts': '',
    'apps/web/src/lib/ok.ts': '',
    'packages/ee/package.json': JSON.stringify({
      name: '@acme/ee',
      main: './dist/index.js',
      exports: {
        '.': { types: './dist/index.d.ts', import: './dist/index.js' },
        './sso': { import: './dist/sso/index.js', require: './dist/sso/index.cjs' },
        './features/*': './dist/features/*.js',
      },
    }),
    'packages/ee/tsconfig.json': JSON.stringify({ compilerOptions: { outDir: './dist', rootDir: './src' } }),
    'packages/ee/src/index.ts': '',
    'packages/ee/src/sso/index.ts': '',
    'packages/ee/src/features/y.ts': '',
    'packages/shared/package.json': JSON.stringify({ name: '@acme/shared', main: 'dist/index.js' }),
    'packages/shared/src/server/ee/z.ts': '',
  };

  test('aliases, workspace packages, subpaths, #imports and every import form; comments and strings are not imports', () => {
    expect(leaks(monorepo, notEe, 'apps/web/src/page.tsx')).toEqual([
      [1, '@/ee/billing', 'apps/web/src/ee/billing.tsx'],
      [2, '~/ee/x', 'apps/web/src/ee/x.ts'],
      [3, '@acme/ee', 'packages/ee/src/index.ts'],
      [4, '@acme/ee/features/y', 'packages/ee/src/features/y.ts'],
      [5, '@acme/shared/src/server/ee/z', 'packages/shared/src/server/ee/z.ts'],
      [6, '#ee/hook', 'apps/web/src/ee/hook.ts'],
      [7, './ee/c', 'apps/web/src/ee/c.ts'],
      [8, './ee/types.d.ts', 'apps/web/src/ee/types.d.ts'],
      [9, './ee/worker.ts', 'apps/web/src/ee/worker.ts'],
      [10, './ee/mocked', 'apps/web/src/ee/mocked.ts'],
      [11, './ee/req', 'apps/web/src/ee/req.js'],
      [11, './ee/dyn', 'apps/web/src/ee/dyn.ts'],
      [16, '@acme/ee/sso', 'packages/ee/src/sso/index.ts'],
    ]);
  });

  test('pnpm workspaces and a tsconfig extends chain with baseUrl', () => {
    const t = {
      'pnpm-workspace.yaml': 'packages:\n  - "apps/**"\n  - "ee"\n',
      'ee/package.json': JSON.stringify({ name: '@x/ee' }),
      'ee/index.ts': '',
      'tsconfig.base.json': JSON.stringify({
        compilerOptions: { baseUrl: '.', paths: { 'lib/*': ['libs/*'] } },
      }),
      'apps/a/tsconfig.json': JSON.stringify({ extends: '../../tsconfig.base.json' }),
      'apps/a/package.json': JSON.stringify({ name: 'a' }),
      'apps/a/main.ts': "import '@x/ee';\nimport 'lib/ee/thing';\nimport 'ee/index';\n",
      'libs/ee/thing.ts': '',
    };
    expect(leaks(t, notEe, 'apps/a/main.ts')).toEqual([
      [1, '@x/ee', 'ee/index.ts'],
      [2, 'lib/ee/thing', 'libs/ee/thing.ts'],
      [3, 'ee/index', 'ee/index.ts'],
    ]);
  });

  test('a file that does not parse fails closed on the strings that name unexported files', () => {
    const t = { 'a.ts': "import { x from './ee/x'\n<<<>>> ???", 'ee/x.ts': '' };
    expect(leaks(t, notEe, 'a.ts')).toEqual([[1, './ee/x', 'ee/x.ts']]);
  });
});

describe('Python resolution like the interpreter', () => {
  const tree = {
    'backend/onyx/__init__.py': '',
    'backend/onyx/server/__init__.py': '',
    // A namespace package (no __init__.py) on the way: the old __init__ walk stopped here.
    'backend/onyx/server/features/chat.py': [
      'from ee.onyx.server.auth import login',
      'import ee.onyx.db.models as m',
      'mod = importlib.import_module("ee.onyx.hooks")',
      'x = __import__("ee.onyx.plugins")',
      'import os; from ee.onyx.x import y',
      '"""',
      'from ee.onyx.doc import not_an_import',
      '"""',
      '# from ee.onyx.comment import nope',
      'if TYPE_CHECKING: from ee.onyx.typing_only import T',
      'from onyx.server import public_mod',
      '',
    ].join('\n'),
    'backend/onyx/server/public_mod.py': '',
    'backend/ee/onyx/server/auth.py': '',
    'backend/ee/onyx/db/models.py': '',
    'backend/ee/onyx/hooks.py': '',
    'backend/ee/onyx/plugins/__init__.py': '',
    'backend/ee/onyx/x.py': '',
    'backend/ee/onyx/doc.py': '',
    'backend/ee/onyx/comment.py': '',
    'backend/ee/onyx/typing_only.py': '',
  };

  test('absolute imports from a non-package root, namespace packages, importlib and __import__', () => {
    expect(leaks(tree, notEe, 'backend/onyx/server/features/chat.py')).toEqual([
      [1, 'ee.onyx.server.auth', 'backend/ee/onyx/server/auth.py'],
      [2, 'ee.onyx.db.models', 'backend/ee/onyx/db/models.py'],
      [3, 'ee.onyx.hooks', 'backend/ee/onyx/hooks.py'],
      [4, 'ee.onyx.plugins', 'backend/ee/onyx/plugins/__init__.py'],
      [5, 'ee.onyx.x', 'backend/ee/onyx/x.py'],
      [10, 'ee.onyx.typing_only', 'backend/ee/onyx/typing_only.py'],
    ]);
  });

  test('package dirs named in pyproject.toml are roots', () => {
    const t = {
      'pyproject.toml': '[tool.setuptools.packages.find]\nwhere = ["python/src"]\n',
      'python/src/acme/__init__.py': '',
      'python/src/acme/ee/__init__.py': '',
      'python/src/acme/ee/license.py': '',
      'scripts/run.py': 'from acme.ee.license import check\n',
    };
    expect(leaks(t, notEe, 'scripts/run.py')).toEqual([
      [1, 'acme.ee.license', 'python/src/acme/ee/license.py'],
    ]);
  });
});

describe('resolution over a probe and a reader (incremental exports, history)', () => {
  test('loads only the config files it needs, and answers like the full set', async () => {
    const files: Record<string, string> = {
      'package.json': JSON.stringify({ workspaces: ['packages/*'] }),
      'packages/ee/package.json': JSON.stringify({ name: '@a/ee', main: 'src/index.ts' }),
      'packages/ee/src/index.ts': '',
      'packages/web/package.json': JSON.stringify({ name: '@a/web' }),
      'packages/web/tsconfig.json': JSON.stringify({ compilerOptions: { paths: { '@/*': ['./*'] } } }),
      'packages/web/a.ts': "import '@a/ee';\nimport '@/ee/x';\n",
      'packages/web/ee/x.ts': '',
      'unrelated/big.json': '{}',
    };
    const read: string[] = [];
    const reader: SourceFileReader = {
      readText: async (p) => {
        read.push(p);
        return files[p];
      },
      listByName: async (names) => Object.keys(files).filter((p) => names.some((n) => p.endsWith(n))),
    };
    const probe = {
      existing: async (ps: readonly string[]) => new Set(ps.filter((p) => p in files)),
    };
    const exported = new Set(Object.keys(files).filter(notEe));
    const got = await findImportLeaksIn(
      'packages/web/a.ts',
      files['packages/web/a.ts'],
      probe,
      exported,
      new RepoLayout(reader),
    );
    expect(got.map((l) => [l.line, l.spec, l.path])).toEqual([
      [1, '@a/ee', 'packages/ee/src/index.ts'],
      [2, '@/ee/x', 'packages/web/ee/x.ts'],
    ]);
    expect(read).not.toContain('unrelated/big.json');
    expect(new Set(read).size).toBe(read.length);
  });
});
