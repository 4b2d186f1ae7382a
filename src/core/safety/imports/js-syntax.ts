import type { ParserPlugin } from '@babel/parser';

/**
 * The module specifiers a TS/JS file loads, found by Babel's parser (the one Babel, Jest and many
 * bundlers use), so an import inside a comment or a string is not one, and TypeScript and JSX
 * syntax never trips a regex. Kinds: static `import`/`export … from` (type-only too: they reveal
 * the module), `import x = require()`, `require()`/`require.resolve()`, dynamic `import()` with a
 * literal, `import('x')` types, `/// <reference path>`, `new URL(literal, import.meta.url)`, and
 * the module names of `jest.mock`/`vi.mock` and friends (a public test that mocks a private module
 * breaks like an import).
 */
export interface JsImport {
  spec: string;
  line: number;
  /** How the file names it, e.g. `import`, `require`, `jest.mock`, `reference`. */
  kind: string;
}

const MOCKERS = new Set(['jest', 'vi']);
const MOCK_METHODS = new Set([
  'mock',
  'doMock',
  'unmock',
  'dontMock',
  'requireActual',
  'requireMock',
  'importActual',
  'importMock',
  'createMockFromModule',
  'setMock',
]);

function pluginsFor(file: string): ParserPlugin[] {
  const ts = /\.[cm]?tsx?$/.test(file);
  const jsx = !/\.[cm]?ts$/.test(file);
  const out: ParserPlugin[] = ['decorators-legacy', 'importAttributes'];
  if (ts) out.push('typescript');
  if (jsx) out.push('jsx');
  return out;
}

type Node = { type: string; loc?: { start: { line: number } }; [k: string]: unknown };

function literal(n: unknown): string | undefined {
  const node = n as Node | undefined;
  if (!node) return undefined;
  if (node.type === 'StringLiteral') return node.value as string;
  if (node.type === 'TemplateLiteral' && (node.expressions as unknown[]).length === 0)
    return ((node.quasis as Node[])[0]?.value as { cooked?: string })?.cooked ?? undefined;
  return undefined;
}

function calleeName(n: Node): string | undefined {
  if (n.type === 'Identifier') return n.name as string;
  if (n.type === 'Import') return 'import';
  if (n.type === 'MemberExpression' && !n.computed) {
    const obj = calleeName(n.object as Node);
    const prop =
      (n.property as Node).type === 'Identifier' ? ((n.property as Node).name as string) : undefined;
    return obj && prop ? `${obj}.${prop}` : undefined;
  }
  return undefined;
}

function isImportMetaUrl(n: unknown): boolean {
  const node = n as Node | undefined;
  if (node?.type !== 'MemberExpression') return false;
  const obj = node.object as Node;
  const prop = node.property as Node;
  return obj.type === 'MetaProperty' && prop.type === 'Identifier' && prop.name === 'url';
}

export class JsParseError extends Error {}

let parse: typeof import('@babel/parser').parse | undefined;

/**
 * Loads Babel's parser (half a megabyte), which only the import check of a JS/TS file needs: as a
 * chunk of its own it costs nothing to a run that parses no such file. findImportLeaksIn awaits it.
 */
export async function loadJsParser(): Promise<void> {
  if (parse) return;
  // CommonJS too: named by Node's import(), the module as `default` in a bundle.
  const m = (await import('@babel/parser')) as unknown as {
    parse?: typeof parse;
    default?: { parse?: typeof parse };
  };
  parse = m.parse ?? m.default?.parse;
  if (!parse) throw new Error('internal: @babel/parser loaded without parse');
}

/** Parse a file and list what it loads. Throws JsParseError when Babel cannot parse it at all. */
export function parseJsImports(text: string, file = 'x.tsx'): JsImport[] {
  let ast: { program: Node; comments?: Node[] };
  const base = {
    errorRecovery: true,
    allowImportExportEverywhere: true,
    allowReturnOutsideFunction: true,
    allowAwaitOutsideFunction: true,
    allowSuperOutsideMethod: true,
    allowUndeclaredExports: true,
    plugins: pluginsFor(file),
  } as const;
  if (!parse) throw new Error('internal: a JS/TS file parsed before loadJsParser()');
  const babel = parse;
  try {
    ast = babel(text, { ...base, sourceType: 'module' }) as unknown as typeof ast;
  } catch (first) {
    try {
      ast = babel(text, { ...base, sourceType: 'script' }) as unknown as typeof ast;
    } catch {
      throw new JsParseError((first as Error).message);
    }
  }
  const out: JsImport[] = [];
  // The line of the literal that names the module (a multi-line import names it on its last line).
  const add = (lit: unknown, node: Node, kind: string) => {
    const spec = literal(lit);
    const at = (lit as Node | undefined)?.loc ?? node.loc;
    if (spec !== undefined && spec !== '') out.push({ spec, line: at?.start.line ?? 1, kind });
  };
  const stack: unknown[] = [ast.program];
  while (stack.length) {
    const v = stack.pop();
    if (!v || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
      continue;
    }
    const n = v as Node;
    switch (n.type) {
      case 'ImportDeclaration':
        add(n.source, n, 'import');
        break;
      case 'ExportNamedDeclaration':
      case 'ExportAllDeclaration':
        add(n.source, n, 'export from');
        break;
      case 'TSImportEqualsDeclaration': {
        const ref = n.moduleReference as Node;
        if (ref?.type === 'TSExternalModuleReference') add(ref.expression, n, 'import = require');
        break;
      }
      case 'TSImportType':
        add(
          literal(n.argument) !== undefined ? n.argument : (n.argument as Node | undefined)?.literal,
          n,
          'import type',
        );
        break;
      case 'ImportExpression':
        add(n.source, n, 'import()');
        break;
      case 'CallExpression': {
        const name = calleeName(n.callee as Node);
        const arg = (n.arguments as Node[])[0];
        if (name === 'import') add(arg, n, 'import()');
        else if (name === 'require' || name === 'require.resolve') add(arg, n, name);
        else if (name) {
          const dot = name.indexOf('.');
          if (dot > 0 && MOCKERS.has(name.slice(0, dot)) && MOCK_METHODS.has(name.slice(dot + 1)))
            add(arg, n, name);
        }
        break;
      }
      case 'NewExpression': {
        const args = n.arguments as Node[];
        if (calleeName(n.callee as Node) === 'URL' && args.length >= 2 && isImportMetaUrl(args[1]))
          add(args[0], n, 'new URL');
        break;
      }
    }
    for (const k in n) {
      if (k === 'loc' || k === 'start' || k === 'end' || k === 'extra' || k === 'type') continue;
      const c = n[k];
      if (c && typeof c === 'object') stack.push(c);
    }
  }
  for (const c of ast.comments ?? []) {
    const m = /^\/\s*<reference\s+path\s*=\s*(["'])([^"']+)\1/.exec(String(c.value));
    if (m) out.push({ spec: m[2], line: c.loc?.start.line ?? 1, kind: 'reference' });
  }
  return out.sort((a, b) => a.line - b.line);
}

/**
 * A cheap superset of the specifiers a file can name: the text between every quote character and
 * the next one of its kind (every consecutive pair, so an apostrophe in a comment cannot hide a
 * later string). A file none of whose candidates resolves to an unexported file is not
 * parsed at all; the parser decides for the rest.
 */
export function specifierCandidates(text: string): Set<string> {
  const out = new Set<string>();
  for (const q of ["'", '"', '`']) {
    let i = text.indexOf(q);
    while (i >= 0) {
      const j = text.indexOf(q, i + 1);
      if (j < 0) break;
      if (j - i > 1 && j - i <= 1024) {
        const s = text.slice(i + 1, j);
        if (LOOKS_LIKE_SPECIFIER.test(s)) out.add(s);
      }
      i = j;
    }
  }
  return out;
}

/** No whitespace, quotes, braces or template holes: a module specifier never has them. */
const LOOKS_LIKE_SPECIFIER = /^[^\s'"`<>|;,{}]+$/;
