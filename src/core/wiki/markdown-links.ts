/**
 * Finds the link targets of a Markdown document and rewrites them in place, leaving every other
 * byte alone. Pure. Recognised: inline links and images `[t](x "title")`, reference definitions
 * `[id]: x`, `src=`/`href=` attributes of inline HTML, and GitHub wiki links `[[Page]]` and
 * `[[Text|Page]]` (target: the page name). Fenced code blocks and code spans are
 * skipped, so examples in docs are never rewritten or linted.
 */
export type LinkKind = 'inline' | 'image' | 'reference' | 'html' | 'wikilink';

export interface LinkSite {
  kind: LinkKind;
  /** The target as written, without angle brackets. */
  target: string;
  /** The link text (inline links and images) or the reference id. */
  text: string;
  /** 1-based line number in the document. */
  line: number;
  column: number;
}

/**
 * What to do with a link: a string is the new target; `null` turns the link into its plain text
 * (for a reference definition: drops it and turns its uses into plain text); undefined keeps it.
 */
export type LinkDecision = string | null | undefined;

const INLINE =
  /(!?)\[((?:[^[\]\\]|\\.|\[(?:[^[\]\\]|\\.)*\])*)\]\(\s*(<[^>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)(\s+(?:"[^"\n]*"|'[^'\n]*'|\([^)\n]*\)))?\s*\)/g;
const REF_DEF = /^( {0,3}\[([^\]\n]+)\]:[ \t]*)(<[^>\n]*>|\S+)(.*)$/;
const HTML_ATTR = /(<(?:img|a|source|video|audio)\b[^>]*?\b(?:src|href)\s*=\s*)(["'])([^"'\n]*)\2/gi;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
/** `[[Page]]`, `[[Text|Page]]` (GitHub wikis: the text comes first). */
const WIKILINK = /\[\[([^[\]|\n]+?)(?:\|([^[\]\n]+?))?\]\]/g;

/** [start, end) ranges of code spans on one line. */
function codeSpans(line: string): [number, number][] {
  const spans: [number, number][] = [];
  const re = /`+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) {
    const run = m[0];
    const close = line.indexOf(run, m.index + run.length);
    if (close < 0) continue;
    // The closing run must be exactly as long.
    let end = close;
    while (line[end + run.length] === '`') {
      const next = line.indexOf(run, end + run.length + 1);
      if (next < 0) break;
      end = next;
    }
    spans.push([m.index, end + run.length]);
    re.lastIndex = end + run.length;
  }
  return spans;
}

const inSpan = (spans: [number, number][], i: number) => spans.some(([a, b]) => i >= a && i < b);

function unwrap(target: string): { inner: string; wrap: (s: string) => string } {
  if (target.startsWith('<') && target.endsWith('>'))
    return { inner: target.slice(1, -1), wrap: (s) => `<${s}>` };
  return { inner: target, wrap: (s) => (/[\s()]/.test(s) ? `<${s}>` : s) };
}

/** Every link site of a document, in order. */
export function findLinks(markdown: string): LinkSite[] {
  const sites: LinkSite[] = [];
  rewriteLinks(markdown, (s) => {
    sites.push(s);
    return undefined;
  });
  return sites;
}

/** Rewrite link targets through `decide`. Returns the new document. */
export function rewriteLinks(markdown: string, decide: (site: LinkSite) => LinkDecision): string {
  const lines = markdown.split('\n');
  let fence: string | undefined;
  const droppedRefs = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const f = FENCE.exec(line);
    if (fence) {
      if (f && f[1][0] === fence[0] && f[1].length >= fence.length && line.trim() === f[1]) fence = undefined;
      continue;
    }
    if (f) {
      fence = f[1];
      continue;
    }
    if (/^( {4}|\t)/.test(line) && (i === 0 || lines[i - 1].trim() === '')) continue; // indented code
    const def = REF_DEF.exec(line);
    if (def && !/^\s*\[\^/.test(line)) {
      const { inner, wrap } = unwrap(def[3]);
      const d = decide({
        kind: 'reference',
        target: inner,
        text: def[2],
        line: i + 1,
        column: def[1].length + 1,
      });
      if (d === null) {
        droppedRefs.add(def[2].toLowerCase());
        lines[i] = '\u0000DROP';
      } else if (d !== undefined) lines[i] = def[1] + wrap(d) + def[4];
      continue;
    }
    lines[i] = rewriteLine(line, i + 1, decide);
  }
  let out = lines.filter((l) => l !== '\u0000DROP');
  if (droppedRefs.size) out = out.map((l) => dropRefUses(l, droppedRefs));
  return out.join('\n');
}

function rewriteLine(line: string, lineNo: number, decide: (site: LinkSite) => LinkDecision): string {
  const spans = codeSpans(line);
  let out = line.replace(
    INLINE,
    (
      whole: string,
      bang: string,
      text: string,
      target: string,
      title: string | undefined,
      offset: number,
    ) => {
      if (inSpan(spans, offset)) return whole;
      // Links nested in the text (an image inside a link) are rewritten too.
      const newText = text.includes('](') ? rewriteLine(text, lineNo, decide) : text;
      const { inner, wrap } = unwrap(target);
      const d = decide({
        kind: bang ? 'image' : 'inline',
        target: inner,
        text,
        line: lineNo,
        column: offset + 1,
      });
      if (d === null) return bang ? `${bang}[${newText}]` : newText;
      const t = d === undefined ? target : wrap(d);
      return `${bang}[${newText}](${t}${title ?? ''})`;
    },
  );
  const spansW = codeSpans(out);
  out = out.replace(WIKILINK, (whole: string, first: string, second: string | undefined, offset: number) => {
    if (inSpan(spansW, offset)) return whole;
    const text = second === undefined ? first : first;
    const target = (second ?? first).trim();
    const d = decide({ kind: 'wikilink', target, text, line: lineNo, column: offset + 1 });
    if (d === undefined) return whole;
    if (d === null) return text;
    return second === undefined ? `[[${d}]]` : `[[${first}|${d}]]`;
  });
  const spans2 = codeSpans(out);
  out = out.replace(HTML_ATTR, (whole: string, pre: string, q: string, target: string, offset: number) => {
    if (inSpan(spans2, offset)) return whole;
    const d = decide({ kind: 'html', target, text: '', line: lineNo, column: offset + pre.length + 2 });
    if (d === undefined || d === null) return whole;
    return `${pre}${q}${d}${q}`;
  });
  return out;
}

/** `[text][id]`, `[id][]` and `[id]` uses of dropped definitions become plain text. */
function dropRefUses(line: string, dropped: Set<string>): string {
  return line
    .replace(/\[([^[\]\n]+)\]\[([^[\]\n]*)\]/g, (whole, text: string, id: string) =>
      dropped.has((id || text).toLowerCase()) ? text : whole,
    )
    .replace(/\[([^[\]\n]+)\](?![[(:])/g, (whole, id: string) =>
      dropped.has(id.toLowerCase()) ? id : whole,
    );
}
