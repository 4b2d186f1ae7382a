import type { Finding } from '../report/result.js';
import { JsParseError, loadJsParser, parseJsImports, specifierCandidates } from './imports/js-syntax.js';
import { resolveJsSpecifier, type FileView } from './imports/js-resolve.js';
import { RepoLayout } from './imports/layout.js';
import { parsePythonImports } from './imports/py-syntax.js';
import { resolvePythonImport } from './imports/py-resolve.js';
import { isSourcePathProbe, type SourcePathProbe } from './types.js';

/** On an import's line (or the line above): this import of an unexported file is intended. */
export const ALLOW_IMPORT_MARKER = 'ferry:allow-import';

const PYTHON = /\.pyi?$/;
const JS = /\.(?:[cm]?[jt]sx?)$/;
/** How much of an import's line a finding quotes. */
const MAX_QUOTED = 160;

/** Whether the import-closure check reads this file at all. */
export function isImportCheckedFile(path: string): boolean {
  return PYTHON.test(path) || JS.test(path);
}

/** An import that loads a source file the export leaves out. */
export interface ImportLeak {
  /** The module as the file names it (`@acme/ee/billing`, `..premium`). */
  spec: string;
  /** The source file it loads. */
  path: string;
  line: number;
  /** The import's line as written (trimmed, shortened). */
  text: string;
  /** Set when the file could not be parsed and the leak comes from its string literals. */
  unparsed?: string;
}

interface Memo {
  parsed?: { spec: string; line: number; py?: Parameters<typeof resolvePythonImport>[0] }[];
  parseError?: string;
}

/**
 * One pass over a file with what is known now. Misses (unknown paths of a probe, config files not
 * loaded yet) make resolutions come out empty; the caller loads them and runs the pass again.
 */
function leaksOnce(
  file: string,
  text: string,
  files: FileView,
  exported: ReadonlySet<string>,
  layout: RepoLayout,
  memo: Memo,
): ImportLeak[] {
  const leaks: { spec: string; path: string; line: number }[] = [];
  const isLeak = (p: string | undefined): p is string => p !== undefined && p !== file && !exported.has(p);
  if (PYTHON.test(file)) {
    memo.parsed ??= parsePythonImports(text).map((imp) => ({ spec: imp.module, line: imp.line, py: imp }));
    for (const imp of memo.parsed)
      for (const r of resolvePythonImport(imp.py!, file, files, layout))
        if (isLeak(r.path)) leaks.push({ spec: r.spec, path: r.path, line: imp.line });
  } else if (JS.test(file)) {
    // Cheap first: only a file naming some string that resolves to an unexported file is parsed.
    if (!memo.parsed && memo.parseError === undefined) {
      let suspicious = false;
      for (const c of specifierCandidates(text))
        if (isLeak(resolveJsSpecifier(c, file, files, layout))) suspicious = true;
      if (!suspicious) return [];
      try {
        memo.parsed = parseJsImports(text, file);
      } catch (e) {
        if (!(e instanceof JsParseError)) throw e;
        memo.parseError = e.message;
      }
    }
    if (memo.parsed) {
      for (const imp of memo.parsed) {
        const p = resolveJsSpecifier(imp.spec, file, files, layout);
        if (isLeak(p)) leaks.push({ spec: imp.spec, path: p, line: imp.line });
      }
    } else {
      // Unparseable: fail closed on every string literal that resolves to an unexported file.
      for (const c of specifierCandidates(text)) {
        const p = resolveJsSpecifier(c, file, files, layout);
        if (isLeak(p)) leaks.push({ spec: c, path: p, line: lineOf(text, c) });
      }
    }
  }
  if (!leaks.length) return [];
  const lines = text.split('\n');
  const seen = new Set<string>();
  const out: ImportLeak[] = [];
  for (const r of leaks) {
    const key = `${r.line}:${r.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    // A guarded optional import (`try: from premium import x`) is a design choice, not a leak.
    if (lines[r.line - 1]?.includes(ALLOW_IMPORT_MARKER) || lines[r.line - 2]?.includes(ALLOW_IMPORT_MARKER))
      continue;
    const quoted = (lines[r.line - 1] ?? '').trim();
    out.push({
      ...r,
      text: quoted.length > MAX_QUOTED ? `${quoted.slice(0, MAX_QUOTED)}…` : quoted,
      ...(memo.parseError !== undefined ? { unparsed: memo.parseError } : {}),
    });
  }
  return out.sort((a, b) => a.line - b.line);
}

function lineOf(text: string, s: string): number {
  const i = text.indexOf(s);
  let n = 1;
  for (let k = text.indexOf('\n'); k >= 0 && k < i; k = text.indexOf('\n', k + 1)) n++;
  return n;
}

/**
 * The imports of one exported file that load a source file the export does not include, against
 * a complete path set. Config files come from `layout` (none: relative imports and Python only).
 */
export function findImportLeaks(
  file: string,
  text: string,
  sourcePaths: ReadonlySet<string>,
  exportedSourcePaths: ReadonlySet<string>,
  layout: RepoLayout = new RepoLayout(undefined, sourcePaths),
): ImportLeak[] {
  return leaksOnce(file, text, sourcePaths, exportedSourcePaths, layout, {});
}

/**
 * findImportLeaks over a set or a probe, loading config files as needed. The pass runs again
 * until every path it asked about and every config file it read is known (each round asks the
 * probe once for the new paths and reads the new config files), so the answer is the one complete
 * knowledge would give. Rounds stay few: resolution walks a few directories per import.
 */
export async function findImportLeaksIn(
  file: string,
  text: string,
  sourcePaths: ReadonlySet<string> | SourcePathProbe,
  exportedSourcePaths: ReadonlySet<string>,
  layout: RepoLayout = new RepoLayout(),
): Promise<ImportLeak[]> {
  if (JS.test(file)) await loadJsParser();
  const memo: Memo = {};
  const probe = isSourcePathProbe(sourcePaths) ? sourcePaths : undefined;
  const known = new Map<string, boolean>();
  for (;;) {
    const unknown = new Set<string>();
    const view: FileView = probe
      ? {
          has(p: string): boolean {
            const k = known.get(p);
            if (k === undefined) unknown.add(p);
            return k ?? false;
          },
        }
      : (sourcePaths as ReadonlySet<string>);
    const leaks = leaksOnce(file, text, view, exportedSourcePaths, layout, memo);
    if (!unknown.size && !layout.hasMisses) return leaks;
    const asked = [...unknown];
    const [found] = await Promise.all([
      probe && asked.length ? probe.existing(asked) : undefined,
      layout.load(),
    ]);
    for (const p of asked) known.set(p, found?.has(p) ?? false);
  }
}

export function importLeakFinding(file: string, leak: ImportLeak, prefix: string): Finding {
  const how = leak.unparsed
    ? ` (${file} could not be parsed: ${leak.unparsed}; the string '${leak.spec}' names the file)`
    : '';
  return {
    severity: 'error',
    code: 'import-leak',
    file,
    line: leak.line,
    message:
      `${prefix}public file ${file}:${leak.line} imports ${leak.spec} (\`${leak.text}\`), which loads ` +
      `${leak.path}, a file the export leaves out${how}. Fix: export ${leak.path} too (allowlist it), ` +
      `remove the import from ${file}, or mark an intended optional import with '${ALLOW_IMPORT_MARKER}'.`,
  };
}
