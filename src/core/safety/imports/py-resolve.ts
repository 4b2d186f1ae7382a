import { dirname } from '../paths.js';
import type { FileView } from './js-resolve.js';
import type { RepoLayout } from './layout.js';
import type { PythonImport } from './py-syntax.js';

/**
 * Resolve a Python import to the source files it loads, most specific first. Relative imports
 * count dots from the importing file's package. Absolute imports are tried against every source
 * root that could hold the importing file on `sys.path`:
 *  - the package directories named in pyproject.toml / setup.cfg (`where`, `package-dir`, `packages`);
 *  - each directory above the file that is not itself a package (no `__init__.py`), nearest
 *    first, and its `src/` (src layouts): this is where the top-level packages sit, and it also
 *    covers namespace packages (directories without `__init__.py`, such as an `ee/` tree);
 * A name in `from M import n` is the submodule `M/n.py` when that file exists, else an attribute of M.
 */
export interface PyResolved {
  spec: string;
  path: string;
}

function moduleFile(base: string, dotted: string, files: FileView): string | undefined {
  const rel = dotted.replace(/\./g, '/');
  const stem = base === '' ? rel : rel === '' ? base : `${base}/${rel}`;
  if (stem === '') return undefined;
  const cands =
    rel === ''
      ? [`${stem}/__init__.py`, `${stem}/__init__.pyi`]
      : [`${stem}.py`, `${stem}/__init__.py`, `${stem}.pyi`, `${stem}/__init__.pyi`];
  for (const c of cands) if (files.has(c)) return c;
  return undefined;
}

/**
 * Source roots declared by the pyproject.toml and setup.cfg files above the importing file (where
 * a project's packaging config sits): looked up along the file's directories, so no listing of the
 * tree is needed.
 */
export function declaredPythonRoots(file: string, files: FileView, layout: RepoLayout): string[] {
  const roots: string[] = [];
  for (let d = dirname(file); ; d = dirname(d)) {
    for (const name of ['pyproject.toml', 'setup.cfg']) {
      const f = d === '' ? name : `${d}/${name}`;
      if (!files.has(f)) continue;
      // Read and normalised once per config file; every importing file below it reuses them.
      const got = layout.derived(`python-roots:${f}`, () => {
        const t = layout.text(f);
        if (t === undefined) return undefined;
        return t === null
          ? []
          : rootsIn(t).map((r) =>
              (r === '' || r === '.' ? d : d === '' ? r : `${d}/${r}`)
                .replace(/\/+$/, '')
                .replace(/^\.\//, ''),
            );
      });
      if (got) roots.push(...got);
    }
    if (d === '') break;
  }
  return roots;
}

/** `where = ["src"]`, `package-dir = {"" = "src"}`, `[options] package_dir = =src`. */
function rootsIn(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*where\s*=\s*\[([^\]]*)\]/gm))
    for (const s of m[1].matchAll(/["']([^"']*)["']/g)) out.push(s[1]);
  for (const m of text.matchAll(/package[-_]dir\s*=\s*\{\s*["']{2}\s*[:=]\s*["']([^"']*)["']/g))
    out.push(m[1]);
  for (const m of text.matchAll(/^\s*package_dir\s*=\s*\n?\s*=\s*(\S+)/gm)) out.push(m[1]);
  return out;
}

function absoluteRoots(file: string, files: FileView, layout: RepoLayout): string[] {
  const roots: string[] = declaredPythonRoots(file, files, layout);
  for (let d = dirname(file); ; d = dirname(d)) {
    if (!files.has(d === '' ? '__init__.py' : `${d}/__init__.py`)) {
      roots.push(d);
      roots.push(d === '' ? 'src' : `${d}/src`);
    }
    if (d === '') break;
  }
  return [...new Set(roots)];
}

export function resolvePythonImport(
  imp: PythonImport,
  file: string,
  files: FileView,
  layout: RepoLayout,
): PyResolved[] {
  let bases: string[];
  if (imp.level > 0) {
    let base = dirname(file);
    for (let i = 1; i < imp.level; i++) {
      if (base === '') return [];
      base = dirname(base);
    }
    bases = [base];
  } else {
    bases = absoluteRoots(file, files, layout);
  }
  const shown = '.'.repeat(imp.level) + imp.module;
  const join = (a: string, b: string) => (a === '' ? b : b === '' ? a : `${a}.${b}`);
  const out: PyResolved[] = [];
  const resolveIn = (dotted: string): string | undefined => {
    for (const base of bases) {
      const f = moduleFile(base, dotted, files);
      if (f) return f;
    }
    return undefined;
  };
  let moduleNeeded = imp.names === undefined || imp.names.length === 0;
  for (const n of imp.names ?? []) {
    const sub = resolveIn(join(imp.module, n));
    if (sub) out.push({ spec: join(shown, n).replace(/^(\.+)\./, '$1'), path: sub });
    else moduleNeeded = true;
  }
  if (moduleNeeded) {
    const f = resolveIn(imp.module);
    if (f) out.push({ spec: shown, path: f });
  }
  return out;
}
