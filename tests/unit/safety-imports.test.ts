import {
  DEFAULT_SAFETY_SETTINGS,
  findImportLeaks,
  importClosureGate,
  JsParseError,
  parseJsImports,
  parsePythonImports,
  parseSafetySettings,
  type GateChange,
  type GateInput,
} from '../../src/core/safety/index.js';
import { loadJsParser } from '../../src/core/safety/imports/js-syntax.js';

// The synchronous parsers need Babel loaded first (findImportLeaksIn awaits it).
await loadJsParser();

/** `files` is the source tree; paths in `exported` are what the allowlist selects. */
function leaks(files: Record<string, string>, exported: string[], file: string) {
  return findImportLeaks(file, files[file], new Set(Object.keys(files)), new Set(exported)).map((l) => [
    l.line,
    l.spec,
    l.path,
  ]);
}

describe('Python import parsing', () => {
  test('import, from-import, relative, aliases, parentheses and continuations', () => {
    const text = [
      'import os, app.core.util as u',
      'from app.premium import model',
      'from . import sibling',
      'from ..pkg import (a,',
      '    b as bee,  # comment',
      ')',
      'from .mod import x, \\',
      '    y',
      '    import indented',
      'from __future__ import annotations',
      'print("no import here")',
      'from .other import *',
    ].join('\n');
    expect(parsePythonImports(text)).toEqual([
      { line: 1, level: 0, module: 'os' },
      { line: 1, level: 0, module: 'app.core.util' },
      { line: 2, level: 0, module: 'app.premium', names: ['model'] },
      { line: 3, level: 1, module: '', names: ['sibling'] },
      { line: 4, level: 2, module: 'pkg', names: ['a', 'b'] },
      { line: 7, level: 1, module: 'mod', names: ['x', 'y'] },
      { line: 9, level: 0, module: 'indented' },
      { line: 10, level: 0, module: '__future__', names: ['annotations'] },
      { line: 12, level: 1, module: 'other', names: [] },
    ]);
  });

  test('a file without the word import is not parsed', () => {
    expect(parsePythonImports('x = 1\n')).toEqual([]);
  });

  test('pathological input stays linear (no catastrophic backtracking)', () => {
    // Each of these took seconds to minutes with a naive regex; here they must simply finish.
    expect(parsePythonImports('from x import (' + 'a, '.repeat(50_000))).toHaveLength(1);
    // Not JavaScript at all: the parser says so (the closure then falls back, see below).
    expect(() => parseJsImports('import' + ' '.repeat(50_000) + 'x')).toThrow(JsParseError);
    expect(() => parseJsImports('import ' + 'a '.repeat(50_000))).toThrow(JsParseError);
  });
});

describe('Python import closure', () => {
  const tree = {
    'app/__init__.py': '',
    'app/public.py': 'import app.premium\nimport app.util\nimport os\n',
    'app/util.py': '',
    'app/premium.py': '',
    'app/pkg/__init__.py': '',
    'app/pkg/free.py': 'from . import secret_mod\nfrom .. import util\nfrom ..premium import thing\n',
    'app/pkg/secret_mod.py': '',
    'app/ml/__init__.py': '',
    'app/ml/model.py': '',
    'app/uses_pkg.py': 'from app.ml import model\nfrom app import ml\nfrom app.pkg import free\n',
    'src/lobster/__init__.py': '',
    'src/lobster/core.py': 'from lobster.premium_agents import agent\nimport lobster.free\n',
    'src/lobster/free.py': '',
    'src/lobster/premium_agents/__init__.py': '',
    'src/lobster/premium_agents/agent.py': '',
    'tools/script.py': 'import helpers\nimport app.util\n',
    'tools/helpers.py': '',
  };
  const exported = [
    'app/__init__.py',
    'app/public.py',
    'app/util.py',
    'app/pkg/__init__.py',
    'app/pkg/free.py',
    'app/uses_pkg.py',
  ];

  test('absolute imports from the repo root', () => {
    expect(leaks(tree, exported, 'app/public.py')).toEqual([[1, 'app.premium', 'app/premium.py']]);
  });

  test('relative imports: from . and from ..', () => {
    expect(leaks(tree, exported, 'app/pkg/free.py')).toEqual([
      [1, '.secret_mod', 'app/pkg/secret_mod.py'],
      [3, '..premium', 'app/premium.py'],
    ]);
  });

  test('from a package import a submodule, or the package (its __init__.py)', () => {
    expect(leaks(tree, exported, 'app/uses_pkg.py')).toEqual([
      [1, 'app.ml.model', 'app/ml/model.py'],
      [2, 'app.ml', 'app/ml/__init__.py'],
    ]);
  });

  test('a src/ layout resolves from the top-level package root', () => {
    const ex = ['src/lobster/__init__.py', 'src/lobster/core.py', 'src/lobster/free.py'];
    expect(leaks(tree, ex, 'src/lobster/core.py')).toEqual([
      [1, 'lobster.premium_agents.agent', 'src/lobster/premium_agents/agent.py'],
    ]);
  });

  test('a script imports its neighbours (its directory is a root)', () => {
    expect(leaks(tree, ['tools/script.py', 'app/util.py'], 'tools/script.py')).toEqual([
      [1, 'helpers', 'tools/helpers.py'],
    ]);
  });

  test('stdlib, third-party and unresolvable imports are not findings', () => {
    const t = { 'a.py': 'import os\nimport numpy as np\nfrom requests import get\nfrom .nowhere import x\n' };
    expect(leaks(t, ['a.py'], 'a.py')).toEqual([]);
  });

  test('an allow comment on the import line, or the line above, accepts an optional premium import', () => {
    const t = {
      'a.py':
        'try:\n    from b import x  # ferry:allow-import (optional plugin)\nexcept ImportError:\n    x = None\n',
      'c.py': '# ferry:allow-import\nimport b\n\nimport d\n',
      'b.py': '',
      'd.py': '',
    };
    expect(leaks(t, ['a.py'], 'a.py')).toEqual([]);
    expect(leaks(t, ['c.py'], 'c.py')).toEqual([[4, 'd', 'd.py']]);
  });

  test('when everything imported is exported there is nothing to report', () => {
    expect(leaks(tree, Object.keys(tree), 'app/pkg/free.py')).toEqual([]);
  });
});

describe('TS/JS import parsing', () => {
  test('static, type-only, side-effect, re-export, require, dynamic import, multi-line', () => {
    const text = [
      "import x from './a';",
      "import type { T } from './types';",
      "import './side-effect.js';",
      "export * from './re';",
      "export { y } from './re2';",
      "const z = require('./req');",
      "const lazy = await import('./dyn');",
      'import {',
      '  p,',
      '  q,',
      "} from './multi';",
      "import fs from 'node:fs';",
      "import lodash = require('lodash');",
      "const notAnImport = foo.import('./nope');",
    ].join('\n');
    expect(parseJsImports(text, 'x.ts').map((i) => [i.spec, i.line, i.kind])).toEqual([
      ['./a', 1, 'import'],
      ['./types', 2, 'import'],
      ['./side-effect.js', 3, 'import'],
      ['./re', 4, 'export from'],
      ['./re2', 5, 'export from'],
      ['./req', 6, 'require'],
      ['./dyn', 7, 'import()'],
      ['./multi', 11, 'import'],
      ['node:fs', 12, 'import'],
      ['lodash', 13, 'import = require'],
    ]);
  });
});

describe('TS/JS import closure', () => {
  const tree = {
    'src/index.ts': [
      "import { a } from './free';",
      "import { b } from './premium';",
      "import type { Model } from './models';",
      "import helper from './util/helper.js';",
      "export * from './billing/index.js';",
      "import React from 'react';",
      "import { c } from '../outside-repo-root/../src/free';",
      '',
    ].join('\n'),
    'src/free.ts': '',
    'src/premium.ts': '',
    'src/models/index.ts': '',
    'src/util/helper.ts': '',
    'src/billing/index.ts': '',
    'web/app.js':
      "const p = require('../src/premium');\nconst d = import('./dyn');\nconst x = require('./x.json');\n",
    'web/dyn.jsx': '',
    'web/x.json': '{}',
  };

  test('relative imports with extension, .js→.ts twin and index resolution', () => {
    expect(leaks(tree, ['src/index.ts', 'src/free.ts'], 'src/index.ts')).toEqual([
      [2, './premium', 'src/premium.ts'],
      [3, './models', 'src/models/index.ts'],
      [4, './util/helper.js', 'src/util/helper.ts'],
      [5, './billing/index.js', 'src/billing/index.ts'],
    ]);
  });

  test('require and dynamic import', () => {
    expect(leaks(tree, ['web/app.js', 'web/x.json'], 'web/app.js')).toEqual([
      [1, '../src/premium', 'src/premium.ts'],
      [2, './dyn', 'web/dyn.jsx'],
    ]);
  });

  test('bare specifiers are third-party and never findings', () => {
    const t = {
      'a.ts': "import x from 'premium-lib';\nimport y from '@scope/premium';\n",
      'premium-lib.ts': '',
    };
    expect(leaks(t, ['a.ts'], 'a.ts')).toEqual([]);
  });
});

describe('importClosureGate', () => {
  function gateInput(files: Record<string, string>, exported: string[], changes?: GateChange[]): GateInput {
    const oids = new Map(Object.keys(files).map((p, i) => [String(i + 1).padStart(40, '0'), p]));
    const byPath = new Map([...oids].map(([o, p]) => [p, o]));
    return {
      changes:
        changes ??
        exported.map((p) => ({
          sourcePath: p,
          targetPath: `public/${p}`,
          change: 'added',
          oid: byPath.get(p),
        })),
      exportedSourcePaths: new Set(exported),
      sourcePaths: new Set(Object.keys(files)),
      targetFileCount: 0,
      readBlob: async (oid) => Buffer.from(files[oids.get(oid)!]),
      settings: DEFAULT_SAFETY_SETTINGS,
    };
  }
  const files = { 'a.py': 'import os\nimport b\n', 'b.py': '', 'c.md': 'import b' };

  test('the finding names the public file, the premium module and the unexported file, at file:line', async () => {
    const fs = await importClosureGate(gateInput(files, ['a.py', 'c.md']));
    expect(fs).toEqual([
      {
        severity: 'error',
        code: 'import-leak',
        file: 'a.py',
        line: 2,
        message: expect.stringContaining('public file a.py:2 imports b (`import b`), which loads b.py'),
      },
    ]);
  });

  test('only added and modified files are parsed', async () => {
    const input = gateInput(files, ['a.py'], [{ sourcePath: 'a.py', targetPath: 'a.py', change: 'deleted' }]);
    expect(await importClosureGate(input)).toEqual([]);
  });

  test('importCheck: false turns it off', async () => {
    const input = { ...gateInput(files, ['a.py']), settings: parseSafetySettings({ importCheck: false }) };
    expect(await importClosureGate(input)).toEqual([]);
  });
});
