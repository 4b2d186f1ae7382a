import type { Finding } from '../report/result.js';
import { isSourcePathProbe, type SourcePathProbe } from './types.js';
import { parseJsImports, resolveJsImport, type ImportLeakCandidate } from './imports-js.js';
import { parsePythonImports, resolvePythonImport } from './imports-python.js';

/** On an import's line (or the line above): this import of an unexported file is intended. */
export const ALLOW_IMPORT_MARKER = 'ferry:allow-import';

const PYTHON = /\.pyi?$/;
const JS = /\.(?:[cm]?[jt]sx?)$/;

/** Whether the import-closure check reads this file at all. */
export function isImportCheckedFile(path: string): boolean {
  return PYTHON.test(path) || JS.test(path);
}

/** The imports of one exported file that load a source file the export does not include. */
export function findImportLeaks(
  file: string,
  text: string,
  sourcePaths: ReadonlySet<string>,
  exportedSourcePaths: ReadonlySet<string>,
): ImportLeakCandidate[] {
  const resolved: ImportLeakCandidate[] = [];
  if (PYTHON.test(file)) {
    for (const imp of parsePythonImports(text)) resolved.push(...resolvePythonImport(imp, file, sourcePaths));
  } else if (JS.test(file)) {
    for (const imp of parseJsImports(text)) {
      const r = resolveJsImport(imp, file, sourcePaths);
      if (r) resolved.push(r);
    }
  }
  const seen = new Set<string>();
  let lines: string[] | undefined;
  return resolved.filter((r) => {
    if (exportedSourcePaths.has(r.path) || r.path === file) return false;
    const key = `${r.line}:${r.path}`;
    if (seen.has(key)) return false;
    seen.add(key);
    if (!text.includes(ALLOW_IMPORT_MARKER)) return true;
    lines ??= text.split('\n');
    // A guarded optional import (`try: from premium import x`) is a design choice, not a leak.
    return !(
      lines[r.line - 1]?.includes(ALLOW_IMPORT_MARKER) || lines[r.line - 2]?.includes(ALLOW_IMPORT_MARKER)
    );
  });
}

/**
 * findImportLeaks over a set or a probe. With a probe the resolution runs again until every path
 * it asked about is known (each round asks the probe once for the new ones), so the answer is the
 * one the full set would give. Import resolution is a few lookups per import: rounds stay few.
 */
export async function findImportLeaksIn(
  file: string,
  text: string,
  sourcePaths: ReadonlySet<string> | SourcePathProbe,
  exportedSourcePaths: ReadonlySet<string>,
): Promise<ImportLeakCandidate[]> {
  if (!isSourcePathProbe(sourcePaths)) return findImportLeaks(file, text, sourcePaths, exportedSourcePaths);
  const known = new Map<string, boolean>();
  for (;;) {
    const unknown = new Set<string>();
    const view = {
      has(p: string): boolean {
        const k = known.get(p);
        if (k === undefined) unknown.add(p);
        return k ?? false;
      },
    } as ReadonlySet<string>;
    const leaks = findImportLeaks(file, text, view, exportedSourcePaths);
    if (!unknown.size) return leaks;
    const asked = [...unknown];
    const found = await sourcePaths.existing(asked);
    for (const p of asked) known.set(p, found.has(p));
  }
}

export function importLeakFinding(file: string, leak: ImportLeakCandidate, prefix: string): Finding {
  return {
    severity: 'error',
    code: 'import-leak',
    file,
    line: leak.line,
    message:
      `${prefix}public file ${file} imports premium module ${leak.spec} (${leak.path} is not exported). ` +
      `Fix: export ${leak.path} too (allowlist it), or remove the import from ${file}.`,
  };
}
