/**
 * What a link in a source page points at, and how that is written in a wiki. Pure.
 * Pages all sit at the wiki root, so a page link is the bare page name (`guides-setup#install`)
 * and an asset link is the asset's path from the wiki root (`images/logo.png`): both resolve on
 * GitHub from any page.
 */
import * as posix from 'node:path/posix';
import { isMarkdown, type AssetInfo, type PageInfo, type PageMap } from './page-map.js';
import { decodeOrKeep } from '../util/uri.js';

export type LinkTarget =
  | { kind: 'page'; page: PageInfo; anchor: string }
  | { kind: 'asset'; asset: AssetInfo; suffix: string }
  | { kind: 'missing'; path: string }
  | { kind: 'external' };

const EXTERNAL = /^(?:[a-z][a-z0-9+.-]*:|\/\/|#|\/)/i;

/** Encode what would break a Markdown link; keep the rest readable. */
export function encodeTarget(s: string): string {
  return encodeURI(s).replace(/[()]/g, (c) => (c === '(' ? '%28' : '%29'));
}

/** Resolve a link written in source file `from` (relative to the source folder). */
export function resolveSourceLink(map: PageMap, from: string, target: string): LinkTarget {
  if (target === '' || EXTERNAL.test(target)) return { kind: 'external' };
  const hash = target.indexOf('#');
  const beforeHash = hash < 0 ? target : target.slice(0, hash);
  const anchor = hash < 0 ? '' : target.slice(hash);
  const q = beforeHash.indexOf('?');
  const pathPart = q < 0 ? beforeHash : beforeHash.slice(0, q);
  const query = q < 0 ? '' : beforeHash.slice(q);
  const joined = posix.normalize(posix.join(posix.dirname(from), decodeOrKeep(pathPart)));
  if (joined === '..' || joined.startsWith('../')) return { kind: 'external' }; // outside the wiki folder
  const rel = joined === '.' ? '' : joined.replace(/\/$/, '');
  const candidates = [rel, rel ? `${rel}/README.md` : 'README.md', rel ? `${rel}/readme.md` : 'readme.md'];
  for (const c of candidates) {
    const hit = map.bySource.get(c);
    if (!hit) continue;
    if ('name' in hit) return { kind: 'page', page: hit, anchor };
    if (c === rel) return { kind: 'asset', asset: hit, suffix: query + anchor };
  }
  if (isMarkdown(rel)) return { kind: 'missing', path: rel };
  return { kind: 'external' };
}

/** How a resolved target is written in a wiki page. */
export function wikiLinkFor(t: LinkTarget): string | undefined {
  if (t.kind === 'page') return encodeTarget(t.page.name) + t.anchor;
  if (t.kind === 'asset') return encodeTarget(t.asset.wikiPath) + t.suffix;
  return undefined;
}

/**
 * The reverse, for wiki edits brought back into the source: a wiki link to a known page or asset
 * becomes a relative link from `from` to its source file. A link is only rewritten when the
 * forward rewrite gives back exactly what the wiki has, so a round trip never changes a page.
 */
export function sourceLinkFor(map: PageMap, from: string, wikiTarget: string): string | undefined {
  if (wikiTarget === '' || EXTERNAL.test(wikiTarget)) return undefined;
  const hash = wikiTarget.indexOf('#');
  const beforeHash = hash < 0 ? wikiTarget : wikiTarget.slice(0, hash);
  const anchor = hash < 0 ? '' : wikiTarget.slice(hash);
  const q = beforeHash.indexOf('?');
  const name = decodeOrKeep(q < 0 ? beforeHash : beforeHash.slice(0, q));
  const query = q < 0 ? '' : beforeHash.slice(q);
  let dest: string | undefined;
  const page = map.byName.get(name.toLowerCase());
  if (page && !query) dest = page.source;
  else {
    const src = map.sourceOfWikiPath.get(name);
    if (src !== undefined && !isMarkdown(src)) dest = src;
  }
  if (dest === undefined) return undefined;
  let rel = posix.relative(posix.dirname(from), dest);
  if (rel === '') rel = posix.basename(dest);
  const candidate = encodeTarget(rel) + query + anchor;
  return wikiLinkFor(resolveSourceLink(map, from, candidate)) === wikiTarget ? candidate : undefined;
}

/**
 * A GitHub wiki link `[[Page]]` / `[[Text|Page]]`: the target is a page name (spaces and dashes
 * alike, any case), with an optional `#anchor`. A name with a file extension other than Markdown
 * (`[[logo.png]]`) or a URL is not a page link.
 */
export function resolveWikiLink(map: PageMap, target: string): LinkTarget {
  if (EXTERNAL.test(target)) return { kind: 'external' };
  const hash = target.indexOf('#');
  const name = (hash < 0 ? target : target.slice(0, hash)).trim();
  const anchor = hash < 0 ? '' : target.slice(hash);
  if (/\.[a-z0-9]+$/i.test(name) && !isMarkdown(name)) return { kind: 'external' };
  const key = name.replace(MARKDOWN_EXT, '').replace(/\s+/g, '-').toLowerCase();
  const page = map.byName.get(key);
  if (page) return { kind: 'page', page, anchor };
  return { kind: 'missing', path: name };
}

const MARKDOWN_EXT = /\.(md|markdown)$/i;
