import { dirname, joinRelative } from './paths.js';

/** An import that resolved to a source file: `spec` as written, `path` the file it loads. */
export interface ImportLeakCandidate {
  spec: string;
  path: string;
  line: number;
}

export interface JsImport {
  spec: string;
  line: number;
}

// Static `import ... from 'x'`, `import 'x'`, `import type ... from 'x'`, `export ... from 'x'`.
// The clause before `from` is bounded and must start on a non-space character, so long runs of
// spaces or words after `import` cannot make the regex backtrack quadratically.
const STATIC_IMPORT =
  /(?:^|[^\w$.])(?:import|export)(?:\s*type\s+|\s*)(?:(?=[\w$*{])[\w$*{}\s,]{1,4000}?from\s*)?(['"])([^'"\n]+)\1/g;
// `require('x')` (also TS `import x = require('x')`) and dynamic `import('x')`.
const CALL_IMPORT = /(?:^|[^\w$.])(?:require|import)\s*\(\s*(['"`])([^'"`\n$]+)\1\s*\)/g;

function lineAt(text: string, index: number, memo: { pos: number; line: number }): number {
  // Matches come in increasing order per regex; restart the count when a regex starts over.
  if (index < memo.pos) {
    memo.pos = 0;
    memo.line = 1;
  }
  for (let i = text.indexOf('\n', memo.pos); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) {
    memo.line++;
    memo.pos = i + 1;
  }
  return memo.line;
}

/** The module specifiers of a TS/JS file. Imports in comments count (see docs/safety.md). */
export function parseJsImports(text: string): JsImport[] {
  if (!text.includes('import') && !text.includes('require') && !text.includes('export')) return [];
  const out: JsImport[] = [];
  const seen = new Set<string>();
  for (const re of [STATIC_IMPORT, CALL_IMPORT]) {
    const memo = { pos: 0, line: 1 };
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const specStart = m.index + m[0].lastIndexOf(m[1] + m[2]);
      const line = lineAt(text, specStart, memo);
      const key = `${line}:${m[2]}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ spec: m[2], line });
    }
  }
  return out.sort((a, b) => a.line - b.line);
}

const EXTENSIONS = ['.ts', '.tsx', '.d.ts', '.js', '.jsx', '.mjs', '.cjs', '.mts', '.cts', '.json'];
// TypeScript's ESM convention: `./x.js` in the source names `x.ts` (or `.tsx`).
const TS_TWIN: Record<string, string[]> = {
  '.js': ['.ts', '.tsx', '.d.ts'],
  '.jsx': ['.tsx'],
  '.mjs': ['.mts', '.d.mts'],
  '.cjs': ['.cts', '.d.cts'],
};

/**
 * Resolve a relative specifier the way Node and TypeScript do: the exact file, its TS twin, the
 * specifier plus an extension, then `index.*` in the directory. Bare specifiers are third-party
 * (or path aliases Ferry does not read) and resolve to nothing.
 */
export function resolveJsImport(
  imp: JsImport,
  file: string,
  sourcePaths: ReadonlySet<string>,
): ImportLeakCandidate | undefined {
  const spec = imp.spec.replace(/[?#].*$/, '');
  if (!spec.startsWith('./') && !spec.startsWith('../') && spec !== '.' && spec !== '..') return undefined;
  const base = joinRelative(dirname(file), spec);
  if (base === undefined) return undefined;
  const cands: string[] = [];
  if (base !== '') {
    cands.push(base);
    const ext = /\.[cm]?jsx?$/.exec(base)?.[0];
    if (ext) for (const twin of TS_TWIN[ext] ?? []) cands.push(base.slice(0, -ext.length) + twin);
    for (const e of EXTENSIONS) cands.push(base + e);
  }
  const dir = base === '' ? '' : `${base}/`;
  for (const e of EXTENSIONS) cands.push(`${dir}index${e}`);
  for (const c of cands) if (sourcePaths.has(c)) return { spec: imp.spec, path: c, line: imp.line };
  return undefined;
}
