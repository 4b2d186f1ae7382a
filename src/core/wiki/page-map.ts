/**
 * Where each source file goes in a wiki, and back. Pure.
 *
 * The flattening rule (GitHub wikis have one flat namespace of page names):
 * - a markdown file (`.md`, `.markdown`) is a page; its wiki file is its path relative to the
 *   source folder with `/` replaced by `-` and spaces by `-`: `guides/setup/install.md` →
 *   `guides-setup-install.md`, page name `guides-setup-install`;
 * - a folder's `README.md` is the folder's page: `guides/README.md` → `guides.md`;
 * - the home file (default `README.md` at the root) becomes `Home.md`;
 * - `_Sidebar.md`, `_Footer.md` and `_Header.md` at the root keep their names (GitHub renders
 *   them around every page); anywhere else they are an error;
 * - every other file is an asset and keeps its relative path (`images/logo.png`);
 * - dotfiles and `*.wiki-conflict.md` copies left by a bidirectional sync are not published.
 * Two files that land on the same wiki file (compared case-insensitively, as GitHub resolves page
 * names) are an error naming both.
 */
import type { Finding } from '../report/result.js';
import type { SourceFile } from './types.js';

export const SPECIAL_PAGES = ['_Sidebar', '_Footer', '_Header'];
export const CONFLICT_SUFFIX = '.wiki-conflict.md';
export const PUBLIC_CONFLICT_SUFFIX = '.public-wiki-conflict.md';

export interface PageInfo {
  /** Path relative to the source folder. */
  source: string;
  /** File in the wiki repo, e.g. `guides-setup.md`. */
  wikiPath: string;
  /** Page name used in links: the wiki file without its extension. */
  name: string;
  oid: string;
  mode: string;
}

export interface AssetInfo {
  source: string;
  wikiPath: string;
  oid: string;
  mode: string;
}

export interface PageMap {
  pages: PageInfo[];
  assets: AssetInfo[];
  /** Source path → page or asset. */
  bySource: Map<string, PageInfo | AssetInfo>;
  /** Lower-cased page name → page. */
  byName: Map<string, PageInfo>;
  /** Wiki path → source path (pages and assets). */
  sourceOfWikiPath: Map<string, string>;
  findings: Finding[];
}

const MARKDOWN = /\.(md|markdown)$/i;

export function isMarkdown(path: string): boolean {
  return MARKDOWN.test(path);
}

/** The wiki file a markdown source file becomes (see the rule above). */
export function pageFileFor(source: string, home = 'README.md'): string {
  if (source === home) return 'Home.md';
  const ext = /\.[^./]+$/.exec(source)![0];
  let stem = source.slice(0, -ext.length);
  const slash = stem.lastIndexOf('/');
  const base = stem.slice(slash + 1);
  if (slash >= 0 && base.toLowerCase() === 'readme') stem = stem.slice(0, slash);
  return stem.replace(/[/\s]+/g, '-') + ext;
}

export function pageNameOf(wikiPath: string): string {
  return wikiPath.replace(MARKDOWN, '');
}

/** Where a wiki file that has no source yet (a page created in the web UI) goes back to. */
export function sourceForNewWikiFile(wikiPath: string, home = 'README.md'): string {
  return wikiPath === 'Home.md' ? home : wikiPath;
}

export function buildPageMap(
  files: readonly SourceFile[],
  opts: { home?: string; sourceLabel?: string } = {},
): PageMap {
  const home = opts.home ?? 'README.md';
  const label = (p: string) => (opts.sourceLabel ? `${opts.sourceLabel}/${p}` : p);
  const map: PageMap = {
    pages: [],
    assets: [],
    bySource: new Map(),
    byName: new Map(),
    sourceOfWikiPath: new Map(),
    findings: [],
  };
  const claimed = new Map<string, string>(); // lower-cased wiki path → source
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    if (f.path.split('/').some((s) => s.startsWith('.'))) continue;
    if (f.path.endsWith(CONFLICT_SUFFIX) || f.path.endsWith(PUBLIC_CONFLICT_SUFFIX)) {
      map.findings.push({
        severity: 'warning',
        code: 'wiki-conflict-copy',
        file: label(f.path),
        message: `Unresolved wiki conflict copy: merge its content into the page it sits beside, then delete it. It is not published.`,
      });
      continue;
    }
    if (f.mode === '120000' || f.mode === '160000') {
      map.findings.push({
        severity: 'warning',
        code: 'wiki-unsupported-file',
        file: label(f.path),
        message: `Symlinks and submodules are not published to a wiki; this one is skipped.`,
      });
      continue;
    }
    const markdown = isMarkdown(f.path);
    const stem = f.path.replace(MARKDOWN, '');
    const base = stem.slice(stem.lastIndexOf('/') + 1);
    if (markdown && SPECIAL_PAGES.includes(base) && stem.includes('/')) {
      map.findings.push({
        severity: 'error',
        code: 'wiki-nested-special-page',
        file: label(f.path),
        message: `${base} is only special at the root of the wiki folder. Fix: move it to the root, or rename it.`,
      });
      continue;
    }
    const wikiPath = markdown ? pageFileFor(f.path, home) : f.path;
    const key = markdown ? pageNameOf(wikiPath).toLowerCase() : wikiPath.toLowerCase();
    const ckey = (markdown ? 'page:' : 'asset:') + key;
    const other = claimed.get(ckey);
    if (other !== undefined) {
      map.findings.push({
        severity: 'error',
        code: 'wiki-page-collision',
        file: label(f.path),
        message: `${label(other)} and ${label(f.path)} both map to the wiki ${markdown ? 'page' : 'file'} '${wikiPath}'. Fix: rename one of them.`,
      });
      continue;
    }
    claimed.set(ckey, f.path);
    if (markdown) {
      const page: PageInfo = {
        source: f.path,
        wikiPath,
        name: pageNameOf(wikiPath),
        oid: f.oid,
        mode: f.mode,
      };
      map.pages.push(page);
      map.byName.set(page.name.toLowerCase(), page);
      map.bySource.set(f.path, page);
    } else {
      const asset: AssetInfo = { source: f.path, wikiPath, oid: f.oid, mode: f.mode };
      map.assets.push(asset);
      map.bySource.set(f.path, asset);
    }
    map.sourceOfWikiPath.set(wikiPath, f.path);
  }
  return map;
}
