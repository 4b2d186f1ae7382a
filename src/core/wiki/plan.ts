/**
 * What one wiki should contain: every page's rewritten text and the assets that go with it. Pure:
 * page texts come in as a map, the plan goes out. Findings:
 * - `wiki-unpublished-link` (public wiki): a published page links to a page that is not public.
 *   In `fail` mode it is an error (the link would leak the page name and be broken); in `text`
 *   mode the link becomes its plain text and the finding is a notice.
 * - `wiki-broken-link`: a relative link to a markdown file that does not exist in the folder.
 */
import type { AllowlistMatcher } from '../allowlist/matcher.js';
import type { Finding } from '../report/result.js';
import { rewriteLinks, type LinkDecision } from './markdown-links.js';
import { resolveSourceLink, resolveWikiLink, wikiLinkFor } from './link-targets.js';
import type { PageInfo, PageMap } from './page-map.js';
import type { UnpublishedLinkMode, WikiAudience } from './types.js';
import { settingAssign } from '../settings/surface.js';

export interface PlannedFile {
  wikiPath: string;
  source: string;
  mode: string;
  /** New content for pages (links rewritten); undefined for assets (the source blob is reused). */
  content?: Buffer;
  /** The source blob (assets, and pages whose text did not change). */
  oid: string;
  kind: 'page' | 'asset';
}

export interface WikiPlan {
  audience: WikiAudience;
  files: PlannedFile[];
  pages: { source: string; page: string }[];
  assets: string[];
  findings: Finding[];
}

export interface PlanOptions {
  audience: WikiAudience;
  /** Public wiki: selects pages by source path or wiki file name. */
  allowlist?: AllowlistMatcher;
  unpublishedLinks: UnpublishedLinkMode;
  /** Prefix for finding locations: the source folder relative to the repository root. */
  sourceLabel?: string;
}

export function isPublished(page: PageInfo, allowlist: AllowlistMatcher | undefined): boolean {
  if (!allowlist) return false;
  return allowlist.selects(page.source) || allowlist.selects(page.wikiPath);
}

export function planWiki(map: PageMap, texts: ReadonlyMap<string, string>, opts: PlanOptions): WikiPlan {
  const label = (p: string) => (opts.sourceLabel ? `${opts.sourceLabel}/${p}` : p);
  const isPublic = opts.audience === 'public';
  const published = new Set(
    map.pages.filter((p) => !isPublic || isPublished(p, opts.allowlist)).map((p) => p.source),
  );
  const plan: WikiPlan = { audience: opts.audience, files: [], pages: [], assets: [], findings: [] };
  const referencedAssets = new Set<string>();
  for (const page of map.pages) {
    if (!published.has(page.source)) continue;
    const text = texts.get(page.source);
    if (text === undefined) throw new Error(`internal: no text read for ${page.source}`);
    const decide = (site: { target: string; line: number; column: number; kind: string }): LinkDecision => {
      const wikilink = site.kind === 'wikilink';
      const t = wikilink
        ? resolveWikiLink(map, site.target)
        : resolveSourceLink(map, page.source, site.target);
      if (t.kind === 'missing') {
        plan.findings.push({
          severity: 'warning',
          code: 'wiki-broken-link',
          file: label(page.source),
          line: site.line,
          column: site.column,
          message: `Link to '${site.target}': no such page in the wiki folder.`,
        });
        return undefined;
      }
      if (t.kind === 'page' && !published.has(t.page.source)) {
        // An HTML link cannot be reduced to its text safely: it stays an error in both modes.
        // A `[[Page]]` link in text mode becomes its text like any other.
        const text = opts.unpublishedLinks === 'text' && site.kind !== 'html';
        plan.findings.push({
          severity: text ? 'notice' : 'error',
          code: 'wiki-unpublished-link',
          file: label(page.source),
          line: site.line,
          column: site.column,
          message: text
            ? `Link to non-public page '${t.page.source}' made plain text in the public wiki.`
            : `Public page links to '${t.page.source}', which is not published to the public wiki: the link would leak the page name and be broken. Fix: publish that page (public allowlist), remove the link, or set ${settingAssign('unpublished-links', 'text')}.`,
        });
        return text ? null : undefined;
      }
      if (t.kind === 'asset') referencedAssets.add(t.asset.source);
      // A `[[Page]]` link already names the page as the wiki does: left as written.
      if (wikilink) return undefined;
      return wikiLinkFor(t);
    };
    const rewritten = rewriteLinks(text, decide);
    plan.files.push({
      wikiPath: page.wikiPath,
      source: page.source,
      mode: page.mode === '100755' ? '100644' : page.mode,
      content: rewritten === text ? undefined : Buffer.from(rewritten, 'utf8'),
      oid: page.oid,
      kind: 'page',
    });
    plan.pages.push({ source: page.source, page: page.wikiPath });
  }
  for (const asset of map.assets) {
    if (isPublic && !referencedAssets.has(asset.source)) continue;
    plan.files.push({
      wikiPath: asset.wikiPath,
      source: asset.source,
      mode: asset.mode,
      oid: asset.oid,
      kind: 'asset',
    });
    plan.assets.push(asset.wikiPath);
  }
  return plan;
}
