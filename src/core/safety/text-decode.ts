/**
 * What text a blob holds, for the secret scan: UTF-8 (a BOM is dropped), UTF-16 and UTF-32 in
 * either byte order, found by their BOM or, without one, by where the zero bytes sit (ASCII text
 * in UTF-16LE has a zero in every odd byte). Anything else with a NUL byte in its first 8000 bytes
 * is binary, as git decides.
 */
export type Encoding = 'utf8' | 'utf16le' | 'utf16be' | 'utf32le' | 'utf32be';

export const BINARY_PROBE_BYTES = 8000;

export interface Sniffed {
  encoding?: Encoding;
  /** Bytes of BOM to skip. */
  bom: number;
  binary: boolean;
}

export function sniffEncoding(head: Buffer): Sniffed {
  const b = head;
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return { encoding: 'utf8', bom: 3, binary: false };
  if (b[0] === 0xff && b[1] === 0xfe && b[2] === 0 && b[3] === 0 && b.length >= 4)
    return { encoding: 'utf32le', bom: 4, binary: false };
  if (b[0] === 0 && b[1] === 0 && b[2] === 0xfe && b[3] === 0xff)
    return { encoding: 'utf32be', bom: 4, binary: false };
  if (b[0] === 0xff && b[1] === 0xfe) return { encoding: 'utf16le', bom: 2, binary: false };
  if (b[0] === 0xfe && b[1] === 0xff) return { encoding: 'utf16be', bom: 2, binary: false };
  const probe = b.length > BINARY_PROBE_BYTES ? b.subarray(0, BINARY_PROBE_BYTES) : b;
  if (!probe.includes(0)) return { encoding: 'utf8', bom: 0, binary: false };
  // Zero bytes by position modulo 4: UTF-32LE ASCII has them at 1, 2, 3; UTF-16LE at 1 and 3.
  const zeros = [0, 0, 0, 0];
  const n = probe.length - (probe.length % 4);
  for (let i = 0; i < n; i++) if (probe[i] === 0) zeros[i % 4]++;
  const q = n / 4;
  if (q >= 2) {
    const high = (k: number) => zeros[k] >= 0.9 * q;
    const low = (k: number) => zeros[k] <= 0.1 * q;
    if (low(0) && high(1) && high(2) && high(3)) return { encoding: 'utf32le', bom: 0, binary: false };
    if (high(0) && high(1) && high(2) && low(3)) return { encoding: 'utf32be', bom: 0, binary: false };
    if (low(0) && low(2) && zeros[1] + zeros[3] >= 1.4 * q)
      return { encoding: 'utf16le', bom: 0, binary: false };
    if (low(1) && low(3) && zeros[0] + zeros[2] >= 1.4 * q)
      return { encoding: 'utf16be', bom: 0, binary: false };
  }
  return { bom: 0, binary: true };
}

/** Decodes a byte stream chunk by chunk (a character split across chunks is kept for the next). */
export class TextStreamDecoder {
  private rest: Buffer = Buffer.alloc(0);
  private readonly utf8 = new TextDecoder('utf-8');
  /** Bytes that did not form a whole character at the end (reported, not silently dropped). */
  danglingBytes = 0;

  constructor(private readonly encoding: Encoding) {}

  write(chunk: Buffer, last = false): string {
    const e = this.encoding;
    if (e === 'utf8') return this.utf8.decode(chunk, { stream: !last });
    let b = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    const unit = e.startsWith('utf16') ? 2 : 4;
    const whole = b.length - (b.length % unit);
    this.rest = Buffer.from(b.subarray(whole));
    b = b.subarray(0, whole);
    if (last) this.danglingBytes = this.rest.length;
    if (e === 'utf16le') return b.toString('utf16le');
    if (e === 'utf16be') {
      const swapped = Buffer.from(b);
      swapped.swap16();
      return swapped.toString('utf16le');
    }
    let out = '';
    for (let i = 0; i < b.length; i += 4) {
      const cp = e === 'utf32le' ? b.readUInt32LE(i) : b.readUInt32BE(i);
      out += cp <= 0x10ffff ? String.fromCodePoint(cp) : '\uFFFD';
    }
    return out;
  }
}

/** A whole blob as text, or why it is not text. */
export function decodeBlob(
  body: Buffer,
): { text: string; encoding: Encoding; problem?: string } | { binary: true } {
  const s = sniffEncoding(body);
  if (s.binary || !s.encoding) return { binary: true };
  // The common case, UTF-8: Buffer's own decoder is much faster than a TextDecoder per blob.
  if (s.encoding === 'utf8') return { text: body.toString('utf8', s.bom), encoding: 'utf8' };
  const d = new TextStreamDecoder(s.encoding);
  const text = d.write(s.bom ? body.subarray(s.bom) : body, true);
  return {
    text,
    encoding: s.encoding,
    ...(d.danglingBytes
      ? { problem: `${d.danglingBytes} trailing byte(s) do not form a ${s.encoding} character` }
      : {}),
  };
}
