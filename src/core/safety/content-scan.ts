import { globSetMatcher } from '../allowlist/glob.js';
import { baselineMatcher, type SecretBaseline } from './baseline.js';
import { scanTextForSecrets, secretScannerFor, type SecretHit, type SecretScanner } from './secret-scan.js';
import { sniffEncoding, TextStreamDecoder } from './text-decode.js';
import type { SafetySettings } from './types.js';

/**
 * What the secret scan needs besides a text, shared by the snapshot gates (blob-scan.ts), history
 * mode's batched gates and the wiki: the scanner (rules + key), the path exclusions
 * (`secret-scan-exclude`) and the baseline of accepted findings.
 */
export interface SecretContext {
  scanner: SecretScanner;
  excluded(path: string): boolean;
  accepted(path: string, fingerprint: string): boolean;
}

const excludeCache = new WeakMap<readonly string[], (path: string) => boolean>();

export function excludeMatcher(globs: readonly string[]): (path: string) => boolean {
  let m = excludeCache.get(globs);
  if (!m) excludeCache.set(globs, (m = globSetMatcher(globs)));
  return m;
}

export function secretContext(
  settings: SafetySettings,
  key?: Buffer,
  baseline?: SecretBaseline,
): SecretContext {
  const accepted = baselineMatcher(baseline);
  return {
    scanner: secretScannerFor(settings, key),
    excluded: excludeMatcher(settings.secretScanExclude ?? []),
    accepted,
  };
}

/** The hits of one text at one path that the baseline does not accept. */
export function secretHits(text: string, path: string, ctx: SecretContext, lineOffset = 0): SecretHit[] {
  return scanTextForSecrets(text, ctx.scanner, path, lineOffset).filter(
    (h) => !ctx.accepted(path, h.fingerprint),
  );
}

/** Text scanned per window of a streamed file, and how much of the previous window is scanned again. */
const WINDOW_CHARS = 1 << 20;
const OVERLAP_CHARS = 32 * 1024;

/**
 * The secret scan of a file of any size, read as a stream: windows of 1 Mi characters, each with
 * the last 32 Ki characters of the one before (a secret, a private key block included, is far
 * shorter), line numbers carried across. The encoding comes from the first bytes.
 */
export async function scanStream(
  chunks: AsyncIterable<Buffer>,
  path: string,
  ctx: SecretContext,
): Promise<{ hits: SecretHit[]; binary?: boolean; problem?: string }> {
  let decoder: TextStreamDecoder | undefined;
  let head: Buffer | undefined;
  let window = '';
  /** Lines before `window` starts; absolute char offset of `window`. */
  let linesBefore = 0;
  let offset = 0;
  const hits: SecretHit[] = [];
  const seen = new Set<string>();
  const scan = () => {
    for (const h of secretHits(window, path, ctx, linesBefore)) {
      const k = `${h.line}:${h.column}:${h.fingerprint}`;
      if (!seen.has(k)) {
        seen.add(k);
        hits.push(h);
      }
    }
  };
  const push = (text: string, last: boolean) => {
    window += text;
    while (window.length >= WINDOW_CHARS || (last && window.length)) {
      scan();
      if (last) {
        window = '';
        break;
      }
      // Keep the tail, cut at a line start so columns stay right.
      let cut = window.length - OVERLAP_CHARS;
      const nl = window.lastIndexOf('\n', cut);
      cut = nl >= 0 ? nl + 1 : cut;
      for (let i = window.indexOf('\n'); i >= 0 && i < cut; i = window.indexOf('\n', i + 1)) linesBefore++;
      offset += cut;
      window = window.slice(cut);
    }
  };
  for await (const chunk of chunks) {
    if (!decoder) {
      head = head ? Buffer.concat([head, chunk]) : chunk;
      if (head.length < 8000) continue;
      const s = sniffEncoding(head);
      if (s.binary || !s.encoding) return { hits: [], binary: true };
      decoder = new TextStreamDecoder(s.encoding);
      push(decoder.write(head.subarray(s.bom)), false);
      continue;
    }
    push(decoder.write(chunk), false);
  }
  if (!decoder) {
    const s = sniffEncoding(head ?? Buffer.alloc(0));
    if (s.binary || !s.encoding) return { hits: [], binary: true };
    decoder = new TextStreamDecoder(s.encoding);
    push(decoder.write((head ?? Buffer.alloc(0)).subarray(s.bom), true), true);
  } else push(decoder.write(Buffer.alloc(0), true), true);
  void offset;
  return {
    hits: hits.sort((a, b) => a.line - b.line || a.column - b.column),
    ...(decoder.danglingBytes
      ? { problem: `${decoder.danglingBytes} trailing byte(s) do not form a character` }
      : {}),
  };
}
