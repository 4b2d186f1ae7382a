import { compileGlob, globSetMatcher } from '../../allowlist/glob.js';
import { dirname, joinRelative } from '../paths.js';
import type { RepoLayout } from './layout.js';

/**
 * Resolve a TS/JS module specifier to a file of the source tree, the way the language's tooling
 * does, from the tree and its config files only (no node_modules, no checkout):
 *  1. relative specifiers (`./x`, `../x`): the file, its TS twin (`./x.js` → `x.ts`), the
 *     specifier plus an extension, then `index.*`;
 *  2. Node subpath imports (`#x`) from the nearest package.json's `imports`;
 *  3. tsconfig/jsconfig `paths` and `baseUrl` of the nearest config (its `extends` chain followed,
 *     a workspace package's config included);
 *  4. workspace packages (npm/yarn `workspaces`, pnpm-workspace.yaml): the package's `exports`
 *     (conditions and `*` patterns), `main`/`types`/`module`, or a subpath inside it. A target in a
 *     build directory that is not committed (`./dist/x.js`) is mapped back to its source (the
 *     package tsconfig's outDir → rootDir, else `dist/`, `build/`, `lib/`, `out/` → the package root or `src/`).
 * Anything else (`react`, `node:fs`) is third-party: undefined, never a finding.
 * `undefined` may also mean "not known yet": the layout then has misses and the caller retries.
 */
export interface FileView {
  has(path: string): boolean;
}

export const JS_EXTENSIONS = ['.ts', '.tsx', '.d.ts', '.js', '.jsx', '.mjs', '.cjs', '.mts', '.cts', '.json'];
const TS_TWIN: Record<string, string[]> = {
  '.js': ['.ts', '.tsx', '.d.ts'],
  '.jsx': ['.tsx'],
  '.mjs': ['.mts', '.d.mts'],
  '.cjs': ['.cts', '.d.cts'],
};
const BUILD_DIRS = new Set(['dist', 'build', 'lib', 'out', 'esm', 'cjs', 'types', 'dts']);

/** The file a path-like specifier (already joined to a repo path) loads, like Node and TypeScript. */
export function resolveFile(base: string, files: FileView): string | undefined {
  const cands: string[] = [];
  if (base !== '') {
    cands.push(base);
    const ext = /\.[cm]?jsx?$/.exec(base)?.[0];
    if (ext) for (const twin of TS_TWIN[ext] ?? []) cands.push(base.slice(0, -ext.length) + twin);
    if (base.endsWith('.d.ts')) cands.push(base.slice(0, -5) + '.ts');
    for (const e of JS_EXTENSIONS) cands.push(base + e);
  }
  const dir = base === '' ? '' : `${base}/`;
  for (const e of JS_EXTENSIONS) cands.push(`${dir}index${e}`);
  for (const c of cands) if (files.has(c)) return c;
  return undefined;
}

export function resolveJsSpecifier(
  rawSpec: string,
  file: string,
  files: FileView,
  layout: RepoLayout,
): string | undefined {
  // `?query` and `#hash` suffixes (bundler loaders) are not part of the path; `#x` is a subpath import.
  const spec = rawSpec.startsWith('#') ? rawSpec : rawSpec.replace(/[?#].*$/, '');
  if (spec === '' || /^[a-z][a-z0-9+.-]*:/i.test(spec) || spec.startsWith('//')) return undefined;
  const dir = dirname(file);
  if (spec === '.' || spec === '..' || spec.startsWith('./') || spec.startsWith('../')) {
    const base = joinRelative(dir, spec);
    return base === undefined ? undefined : resolveFile(base, files);
  }
  if (spec.startsWith('/')) return undefined;
  if (spec.startsWith('#')) return resolveSubpathImport(spec, dir, files, layout);
  // A bare specifier's answer depends on the nearest config only: remembered per config and spec.
  const configPath = layout.memo(files, `tsconfig-of:${dir}`, () => nearestTsconfigPath(dir, files));
  return layout.memo(files, `bare:${configPath ?? ''}\0${spec}`, () => {
    const ts = configPath === undefined ? undefined : loadTsconfig(configPath, files, layout, 0);
    if (ts) {
      const viaPaths = resolveTsPaths(spec, ts, files);
      if (viaPaths) return viaPaths;
    }
    return resolveWorkspaceSpecifier(spec, files, layout);
  });
}

function nearestTsconfigPath(dir: string, files: FileView): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    for (const name of TS_CONFIG_NAMES) {
      const p = d === '' ? name : `${d}/${name}`;
      if (files.has(p)) return p;
    }
    if (d === '') return undefined;
  }
}

// ---------------------------------------------------------------- tsconfig

export interface TsOptions {
  /** Repo path of the directory `paths` targets are relative to. */
  pathsBase?: string;
  paths?: [string, string[]][];
  baseUrl?: string;
  outDir?: string;
  rootDir?: string;
}

const TS_CONFIG_NAMES = ['tsconfig.json', 'jsconfig.json'];

/** The nearest tsconfig.json / jsconfig.json above a directory, with its extends chain merged. */
export function nearestTsconfig(dir: string, files: FileView, layout: RepoLayout): TsOptions | undefined {
  const p = nearestTsconfigPath(dir, files);
  return p === undefined ? undefined : loadTsconfig(p, files, layout, 0);
}

function loadTsconfig(
  path: string,
  files: FileView,
  layout: RepoLayout,
  depth: number,
): TsOptions | undefined {
  return layout.derived(`tsconfig:${path}`, () => {
    const json = layout.json(path);
    if (json === undefined) return undefined;
    if (json === null || depth > 10) return {};
    const dir = dirname(path);
    let merged: TsOptions = {};
    const ext = json.extends;
    for (const e of typeof ext === 'string' ? [ext] : Array.isArray(ext) ? ext : []) {
      if (typeof e !== 'string') continue;
      const parentPath = resolveExtends(e, dir, files, layout);
      if (parentPath === undefined) {
        if (layout.hasMisses) return undefined;
        continue;
      }
      const parent = loadTsconfig(parentPath, files, layout, depth + 1);
      if (parent === undefined) return undefined;
      merged = { ...merged, ...parent };
    }
    const co = (json.compilerOptions ?? {}) as Record<string, unknown>;
    const at = (v: unknown) => (typeof v === 'string' ? joinRelative(dir, v) : undefined);
    const own: TsOptions = {};
    if (typeof co.baseUrl === 'string') own.baseUrl = at(co.baseUrl);
    if (co.paths && typeof co.paths === 'object') {
      own.paths = Object.entries(co.paths as Record<string, unknown>)
        .filter(([, v]) => Array.isArray(v))
        .map(([k, v]) => [k, (v as unknown[]).filter((t): t is string => typeof t === 'string')]);
      own.pathsBase = own.baseUrl ?? merged.baseUrl ?? dir;
    }
    if (typeof co.outDir === 'string') own.outDir = at(co.outDir);
    if (typeof co.rootDir === 'string') own.rootDir = at(co.rootDir);
    const out = { ...merged, ...own };
    // `paths` inherited without a baseUrl of its own stay relative to the config that set them.
    if (!own.paths && own.baseUrl && merged.paths && merged.pathsBase === undefined)
      out.pathsBase = own.baseUrl;
    return out;
  });
}

/** `extends` names a file (`./base.json`) or a package's file (`@acme/tsconfig/base.json`). */
function resolveExtends(e: string, dir: string, files: FileView, layout: RepoLayout): string | undefined {
  const withJson = (p: string) => (files.has(p) ? p : files.has(`${p}.json`) ? `${p}.json` : undefined);
  if (e.startsWith('./') || e.startsWith('../')) {
    const p = joinRelative(dir, e);
    return p === undefined ? undefined : withJson(p);
  }
  const pkg = findWorkspacePackage(e, layout);
  if (!pkg) return undefined;
  const rest = e.slice(pkg.name.length + 1);
  if (rest === '') {
    const json = layout.json(`${pkg.dir === '' ? '' : `${pkg.dir}/`}package.json`);
    const field = json && typeof json.tsconfig === 'string' ? json.tsconfig : 'tsconfig.json';
    return withJson(joinRelative(pkg.dir, field) ?? '');
  }
  return withJson(pkg.dir === '' ? rest : `${pkg.dir}/${rest}`);
}

function resolveTsPaths(spec: string, ts: TsOptions, files: FileView): string | undefined {
  if (ts.paths && ts.pathsBase !== undefined) {
    let best: { prefix: string; suffix: string; targets: string[] } | undefined;
    for (const [pattern, targets] of ts.paths) {
      const star = pattern.indexOf('*');
      if (star < 0) {
        if (pattern === spec) {
          best = { prefix: pattern, suffix: '', targets };
          break;
        }
        continue;
      }
      const prefix = pattern.slice(0, star);
      const suffix = pattern.slice(star + 1);
      if (spec.length >= prefix.length + suffix.length && spec.startsWith(prefix) && spec.endsWith(suffix))
        if (!best || prefix.length > best.prefix.length) best = { prefix, suffix, targets };
    }
    if (best) {
      const matched = spec.slice(best.prefix.length, spec.length - best.suffix.length);
      for (const t of best.targets) {
        const p = joinRelative(ts.pathsBase, t.replace('*', matched));
        const hit = p === undefined ? undefined : resolveFile(p, files);
        if (hit) return hit;
      }
    }
  }
  if (ts.baseUrl !== undefined) {
    const p = joinRelative(ts.baseUrl, spec);
    if (p !== undefined) return resolveFile(p, files);
  }
  return undefined;
}

// ---------------------------------------------------------------- workspaces

export interface WorkspacePackage {
  name: string;
  dir: string;
}

/** Workspace packages by name, from every `workspaces` field and pnpm-workspace.yaml in the tree. */
export function workspacePackages(layout: RepoLayout): Map<string, string> | undefined {
  return layout.derived('workspaces', () => {
    const manifests = layout.filesNamed('package.json');
    const pnpm = layout.filesNamed('pnpm-workspace.yaml');
    if (!manifests || !pnpm) return undefined;
    const globs: string[] = [];
    const negated: string[] = [];
    const addGlobs = (root: string, list: unknown) => {
      if (!Array.isArray(list)) return;
      for (const g of list) {
        if (typeof g !== 'string' || g.trim() === '') continue;
        const neg = g.startsWith('!');
        const rel = (neg ? g.slice(1) : g).replace(/^\.\//, '').replace(/\/+$/, '');
        const full = root === '' ? rel : `${root}/${rel}`;
        const glob = full === '' ? '.' : full;
        try {
          compileGlob(glob);
          (neg ? negated : globs).push(glob);
        } catch {
          /* a pattern Ferry's glob dialect rejects names no package */
        }
      }
    };
    let missing = false;
    for (const p of pnpm) {
      const y = layout.yaml(p);
      if (y === undefined) missing = true;
      else if (y) addGlobs(dirname(p), y.packages);
    }
    for (const p of manifests) {
      const j = layout.json(p);
      if (j === undefined) missing = true;
      else if (j?.workspaces) {
        const w = j.workspaces as unknown;
        addGlobs(dirname(p), Array.isArray(w) ? w : (w as { packages?: unknown }).packages);
      }
    }
    if (missing) return undefined;
    const byName = new Map<string, string>();
    if (!globs.length) return byName;
    const member = globSetMatcher(globs);
    const excluded = globSetMatcher(negated);
    for (const p of manifests) {
      const d = dirname(p);
      if (!member(d) || excluded(d)) continue;
      const j = layout.json(p);
      if (j === undefined) missing = true;
      else if (j && typeof j.name === 'string' && !byName.has(j.name)) byName.set(j.name, d);
    }
    return missing ? undefined : byName;
  });
}

export function findWorkspacePackage(spec: string, layout: RepoLayout): WorkspacePackage | undefined {
  const pkgs = workspacePackages(layout);
  if (!pkgs) return undefined;
  // `@scope/name/sub` or `name/sub`: the name is the first one or two segments.
  const parts = spec.split('/');
  const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  const dir = pkgs.get(name);
  return dir === undefined ? undefined : { name, dir };
}

function resolveWorkspaceSpecifier(spec: string, files: FileView, layout: RepoLayout): string | undefined {
  const pkg = findWorkspacePackage(spec, layout);
  if (!pkg) return undefined;
  const manifest = layout.json(pkg.dir === '' ? 'package.json' : `${pkg.dir}/package.json`);
  if (!manifest) return undefined;
  const sub = spec.length > pkg.name.length ? `.${spec.slice(pkg.name.length)}` : '.';
  const targets: string[] = [];
  if (manifest.exports !== undefined && manifest.exports !== null)
    targets.push(...exportTargets(manifest.exports, sub));
  if (sub === '.')
    for (const k of ['source', 'types', 'typings', 'module', 'main'])
      if (typeof manifest[k] === 'string') targets.push(manifest[k] as string);
  for (const t of targets) {
    const hit = packageFile(pkg.dir, t, files, layout);
    if (hit) return hit;
  }
  // A subpath the exports do not map (or no exports): the path inside the package, or its src/.
  const rest = sub === '.' ? 'index' : sub.slice(2);
  return (
    resolveFile(join(pkg.dir, rest), files) ??
    (sub === '.'
      ? resolveFile(join(pkg.dir, 'src/index'), files)
      : resolveFile(join(pkg.dir, `src/${rest}`), files))
  );
}

function join(dir: string, rest: string): string {
  return dir === '' ? rest : `${dir}/${rest}`;
}

/**
 * The targets `exports` (or `imports`) gives a subpath, every condition's in order: a careful
 * reader counts what any environment would load.
 */
export function exportTargets(exportsField: unknown, sub: string): string[] {
  let map: Record<string, unknown>;
  if (typeof exportsField === 'string' || Array.isArray(exportsField)) map = { '.': exportsField };
  else if (exportsField && typeof exportsField === 'object') {
    const keys = Object.keys(exportsField);
    map = keys.some((k) => k.startsWith('.') || k.startsWith('#'))
      ? (exportsField as Record<string, unknown>)
      : { '.': exportsField };
  } else return [];
  let target: unknown;
  let star: string | undefined;
  if (Object.hasOwn(map, sub)) target = map[sub];
  else {
    let bestLen = -1;
    for (const k of Object.keys(map)) {
      const i = k.indexOf('*');
      if (i < 0) continue;
      const pre = k.slice(0, i);
      const post = k.slice(i + 1);
      if (
        sub.startsWith(pre) &&
        sub.endsWith(post) &&
        sub.length >= pre.length + post.length &&
        pre.length > bestLen
      ) {
        bestLen = pre.length;
        target = map[k];
        star = sub.slice(pre.length, sub.length - post.length);
      }
    }
    // Legacy folder mappings: `"./features/": "./src/features/"`.
    if (target === undefined)
      for (const k of Object.keys(map))
        if (k.endsWith('/') && sub.startsWith(k) && typeof map[k] === 'string') {
          target = (map[k] as string) + sub.slice(k.length);
          break;
        }
  }
  const out: string[] = [];
  const collect = (t: unknown) => {
    if (typeof t === 'string') out.push(star === undefined ? t : t.split('*').join(star));
    else if (Array.isArray(t)) t.forEach(collect);
    else if (t && typeof t === 'object') for (const v of Object.values(t)) collect(v);
  };
  collect(target);
  return out;
}

/** A package target (`./dist/x.js`) as a file of the tree, mapping build output back to source. */
function packageFile(
  pkgDir: string,
  target: string,
  files: FileView,
  layout: RepoLayout,
): string | undefined {
  if (!target.startsWith('./') && target !== '.') return undefined;
  const rel = joinRelative('', target);
  if (rel === undefined) return undefined;
  const full = join(pkgDir, rel);
  const direct = resolveFile(full, files);
  if (direct) return direct;
  const stem = rel.replace(/\.d\.[cm]?ts$|\.[cm]?jsx?$/, '');
  const ts = nearestTsconfig(pkgDir, files, layout);
  if (ts?.outDir !== undefined) {
    const outDir = ts.outDir;
    if (full === outDir || full.startsWith(`${outDir}/`)) {
      const inside = join(pkgDir, stem).slice(outDir.length + 1);
      // Without a rootDir, TypeScript takes the common root of the inputs: the package or its src/.
      for (const root of ts.rootDir !== undefined ? [ts.rootDir] : [pkgDir, join(pkgDir, 'src')]) {
        const hit = resolveFile(join(root, inside), files);
        if (hit) return hit;
      }
    }
  }
  const segs = stem.split('/');
  let i = 0;
  while (i < segs.length - 1 && BUILD_DIRS.has(segs[i])) i++;
  if (i === 0) return undefined;
  const rest = segs.slice(i).join('/');
  return resolveFile(join(pkgDir, rest), files) ?? resolveFile(join(pkgDir, `src/${rest}`), files);
}

/** `#x` from the nearest package.json's `imports`. */
function resolveSubpathImport(
  spec: string,
  dir: string,
  files: FileView,
  layout: RepoLayout,
): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    const p = d === '' ? 'package.json' : `${d}/package.json`;
    if (files.has(p)) {
      const json = layout.json(p);
      if (!json?.imports) return undefined;
      for (const t of exportTargets(json.imports, spec)) {
        const hit = t.startsWith('./')
          ? packageFile(d, t, files, layout)
          : resolveWorkspaceSpecifier(t, files, layout);
        if (hit) return hit;
      }
      return undefined;
    }
    if (d === '') return undefined;
  }
}
