import { ConfigurationError } from '../errors.js';

/**
 * Git keeps path names as bytes; Ferry reads them as UTF-8 text and writes that text back. A name
 * that is not valid UTF-8 would decode with U+FFFD in it and be exported under that changed name,
 * silently (and matched against the allowlist under it). Refuse it instead, naming it. Cheap: only
 * text holding U+FFFD (rare, and legal in a name that really holds that character) is compared
 * with its bytes.
 */
export function decodeGitPaths(raw: Buffer, start = 0, end = raw.length): string {
  const text = raw.toString('utf8', start, end);
  if (text.includes('\uFFFD') && !Buffer.from(text, 'utf8').equals(raw.subarray(start, end)))
    throw notUtf8(raw.subarray(start, end));
  return text;
}

function notUtf8(bytes: Buffer): ConfigurationError {
  let bad = bytes;
  for (let start = 0; start < bytes.length;) {
    const nul = bytes.indexOf(0, start);
    const rec = bytes.subarray(start, nul < 0 ? bytes.length : nul);
    if (!Buffer.from(rec.toString('utf8'), 'utf8').equals(rec)) {
      bad = rec.subarray(rec.lastIndexOf(0x09 /* tab: ls-tree's "meta<TAB>path" */) + 1);
      break;
    }
    start = nul < 0 ? bytes.length : nul + 1;
  }
  let shown = '';
  for (const b of bad)
    shown += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  return new ConfigurationError(
    `The source holds a path that is not valid UTF-8: '${shown}'. Ferry reads and writes paths as ` +
      `UTF-8 and would publish it under a changed name. Fix: rename it in the source to its UTF-8 ` +
      `spelling (git mv), then export again.`,
  );
}
