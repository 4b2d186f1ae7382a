import fc from 'fast-check';
import { nameCodec, printable } from '../../src/core/dirsync/names.js';

const codec = nameCodec();
const bytesOf = (p: string | Buffer) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p);

describe('names that are not valid UTF-8', () => {
  test('any bytes round-trip: decode, then fsPath gives the same bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (raw) => {
        const name = codec.decode(raw);
        expect(bytesOf(codec.fsPath(name)).equals(Buffer.from(raw))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  test('valid UTF-8 decodes to its usual text, which is its own fs path', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 12 }), (text) => {
        const raw = Buffer.from(text, 'utf8');
        expect(codec.decode(raw)).toBe(raw.toString('utf8'));
        expect(codec.fsPath(raw.toString('utf8'))).toBe(raw.toString('utf8'));
      }),
      { numRuns: 1000 },
    );
  });

  test('decoding is one-to-one: different bytes never give the same name', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 8 }), fc.uint8Array({ maxLength: 8 }), (x, y) => {
        fc.pre(!Buffer.from(x).equals(Buffer.from(y)));
        expect(codec.decode(x)).not.toBe(codec.decode(y));
      }),
      { numRuns: 2000 },
    );
  });

  test('each bad byte is one escape; good sequences around it stay text', () => {
    // 0xff is never valid; 0xc3 0x28 is a lead byte without its continuation; overlong / and a surrogate.
    const raw = Buffer.from([
      0x66, 0xff, 0xc3, 0x28, 0xc3, 0xa9, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xf0, 0x9f, 0x98, 0x80,
    ]);
    const name = codec.decode(raw);
    expect(name).toBe('f\udcff\udcc3(é\udcc0\udcaf\udced\udca0\udc80😀');
    expect(bytesOf(codec.fsPath(name)).equals(raw)).toBe(true);
    expect(printable(name)).toBe('f\\xff\\xc3(é\\xc0\\xaf\\xed\\xa0\\x80😀');
  });

  test('a path holding an astral character whose low half looks like an escape is still text', () => {
    const name = '\u{10080}.txt'; // U+10080 is the pair D800 DC80
    expect(codec.fsPath(name)).toBe(name);
    expect(printable(name)).toBe(name);
  });
});
