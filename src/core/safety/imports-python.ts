import { dirname, parentDir } from './paths.js';
import type { ImportLeakCandidate } from './imports-js.js';

export interface PythonImport {
  line: number;
  /** Leading dots of a relative import (0 for absolute). */
  level: number;
  /** Dotted module after the dots, '' for `from . import x`. */
  module: string;
  /** For `from M import a, b`: the imported names (each may be a submodule). Absent for `import M`. */
  names?: string[];
}

// `import a.b as c, d` and `from ..a.b import (x, y as z)`, with parentheses or backslash
// continuations spanning lines. Imports inside strings are not told apart (see docs/safety.md).
const PY_IMPORT =
  /^[ \t]*(?:from[ \t]+(\.*)[ \t]*([\w.]*)[ \t]+import[ \t]*(\([^)]*\)|(?:[^\n#;\\]|\\\r?\n)*)|import[ \t]+((?:[^\n#;\\]|\\\r?\n)*))/gm;

function splitNames(list: string): string[] {
  return list
    .replace(/[()\\]/g, ' ')
    .replace(/#[^\n]*/g, ' ')
    .split(',')
    .map((n) => n.trim().split(/\s+/)[0])
    .filter((n) => n !== '' && n !== '*' && /^[\w.]+$/.test(n));
}

export function parsePythonImports(text: string): PythonImport[] {
  if (!text.includes('import')) return [];
  const out: PythonImport[] = [];
  let line = 1;
  let last = 0;
  PY_IMPORT.lastIndex = 0;
  for (let m = PY_IMPORT.exec(text); m; m = PY_IMPORT.exec(text)) {
    if (m[0] === '') {
      PY_IMPORT.lastIndex++;
      continue;
    }
    for (let i = text.indexOf('\n', last); i >= 0 && i < m.index; i = text.indexOf('\n', i + 1)) line++;
    last = m.index;
    if (m[4] !== undefined) {
      for (const mod of splitNames(m[4])) out.push({ line, level: 0, module: mod });
    } else {
      const level = m[1].length;
      const module = m[2];
      if (level === 0 && module === '') continue;
      out.push({ line, level, module, names: splitNames(m[3]) });
    }
  }
  return out;
}

/**
 * Where absolute imports resolve from: the directory holding the importing file's top-level
 * package (walk up while `__init__.py` exists), then the repo root, then `src/` and `lib/`.
 */
function pythonRoots(file: string, sourcePaths: ReadonlySet<string>): string[] {
  let dir = dirname(file);
  while (dir !== '' && sourcePaths.has(`${dir}/__init__.py`)) dir = parentDir(dir);
  return [...new Set([dir, '', 'src', 'lib'])];
}

function moduleFile(base: string, dotted: string, sourcePaths: ReadonlySet<string>): string | undefined {
  const rel = dotted.replace(/\./g, '/');
  const stem = base === '' ? rel : rel === '' ? base : `${base}/${rel}`;
  if (stem === '') return undefined;
  const cands = rel === '' ? [`${stem}/__init__.py`] : [`${stem}.py`, `${stem}/__init__.py`];
  for (const cand of cands) if (sourcePaths.has(cand)) return cand;
  return undefined;
}

/**
 * Resolve one Python import to the source files it loads, most specific first. A name in
 * `from M import n` is a submodule when `M/n.py` exists, else an attribute of M.
 */
export function resolvePythonImport(
  imp: PythonImport,
  file: string,
  sourcePaths: ReadonlySet<string>,
): ImportLeakCandidate[] {
  let bases: string[];
  if (imp.level > 0) {
    let base = dirname(file);
    for (let i = 1; i < imp.level; i++) {
      if (base === '') return [];
      base = parentDir(base);
    }
    bases = [base];
  } else {
    bases = pythonRoots(file, sourcePaths);
  }
  const shown = '.'.repeat(imp.level) + imp.module;
  const join = (a: string, b: string) => (a === '' ? b : b === '' ? a : `${a}.${b}`);
  const out: ImportLeakCandidate[] = [];
  const resolveIn = (dotted: string): string | undefined => {
    for (const base of bases) {
      const f = moduleFile(base, dotted, sourcePaths);
      if (f) return f;
    }
    return undefined;
  };
  let moduleNeeded = imp.names === undefined || imp.names.length === 0;
  for (const n of imp.names ?? []) {
    const sub = resolveIn(join(imp.module, n));
    if (sub) out.push({ spec: join(shown, n).replace(/^(\.+)\./, '$1'), path: sub, line: imp.line });
    else moduleNeeded = true;
  }
  if (moduleNeeded) {
    const f = resolveIn(imp.module);
    if (f) out.push({ spec: shown, path: f, line: imp.line });
  }
  return out;
}
