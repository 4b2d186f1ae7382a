import { lastTrailer, trailerValues, withTrailers } from '../../src/core/git/trailers.js';

/** Ferry's trailers: one writer and one parser, so what is written is read back. */
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

test('written trailers are read back; the last value counts', () => {
  const m = withTrailers('Subject\n\nBody\n', [
    ['originRev', A],
    ['config', '0123456789abcdef'],
    ['wikiBase', '- new page.md'],
    ['wikiBase', `${B} Home.md`],
  ]);
  expect(m).toBe(
    `Subject\n\nBody\n\nFerry-Origin-Rev: ${A}\nFerry-Config: 0123456789abcdef\nFerry-Wiki-Base: - new page.md\nFerry-Wiki-Base: ${B} Home.md\n`,
  );
  expect(lastTrailer(m, 'originRev')).toBe(A);
  expect(lastTrailer(m, 'config')).toBe('0123456789abcdef');
  expect(trailerValues(m, 'wikiBase')).toEqual(['- new page.md', `${B} Home.md`]);
  expect(lastTrailer(`x\n\nFerry-Origin-Rev: ${A}\nFerry-Origin-Rev: ${B}\n`, 'originRev')).toBe(B);
});

test('Ferry trailers copied along in a message are replaced, not repeated', () => {
  const copied = `Fix\n\nFerry-Origin-Rev: ${B}\nFerry-Config: ffffffffffffffff\nSigned-off-by: x <x@y>\n`;
  expect(withTrailers(copied, [['originRev', A]])).toBe(
    `Fix\n\nSigned-off-by: x <x@y>\nFerry-Origin-Rev: ${A}\n`,
  );
});

test('values of another shape are neither read nor written', () => {
  expect(lastTrailer('x\n\nFerry-Origin-Rev: abc123\n', 'originRev')).toBeUndefined();
  expect(lastTrailer('quoting Ferry-Origin-Rev: ' + A, 'originRev')).toBeUndefined();
  expect(() => withTrailers('x', [['originRev', 'HEAD']])).toThrow(/invalid Ferry-Origin-Rev/);
  expect(() => withTrailers('x', [['wikiBase', `${A} a\nFerry-Origin-Rev: ${B}`]])).toThrow(/invalid/);
});

test('the import trailers describe the change: a copied message keeps them, and drops the per-commit ones', () => {
  const copied = `Fix\n\nFerry-Import: acme/pub#7\nFerry-Import-Head: ${B}\nFerry-Import-Base: ${A}\nFerry-Origin-Rev: ${B}\n`;
  expect(withTrailers(copied, [['originRev', A]])).toBe(
    `Fix\n\nFerry-Import: acme/pub#7\nFerry-Import-Head: ${B}\nFerry-Import-Base: ${A}\nFerry-Origin-Rev: ${A}\n`,
  );
  expect(lastTrailer(copied, 'import')).toBe('acme/pub#7');
  expect(lastTrailer(copied, 'importHead')).toBe(B);
  expect(lastTrailer('x\n\nFerry-Import: not a pr\n', 'import')).toBeUndefined();
});

test('Co-authored-by lines stay last, after Ferry trailers (GitHub credits co-authors from the end)', () => {
  const imported = `Fix (#7)\n\nBody\n\nFerry-Import: acme/pub#7\nFerry-Import-Head: ${B}\nCo-authored-by: Ann <1+ann@users.noreply.github.com>\nCo-authored-by: Bo <bo@x>\n`;
  expect(withTrailers(imported, [['originRev', A]])).toBe(
    `Fix (#7)\n\nBody\n\nFerry-Import: acme/pub#7\nFerry-Import-Head: ${B}\nFerry-Origin-Rev: ${A}\nCo-authored-by: Ann <1+ann@users.noreply.github.com>\nCo-authored-by: Bo <bo@x>\n`,
  );
  // A trailer block of co-authors only: Ferry's trailers join it, before them.
  expect(withTrailers('Fix\n\nCo-authored-by: Bo <bo@x>\n', [['originRev', A]])).toBe(
    `Fix\n\nFerry-Origin-Rev: ${A}\nCo-authored-by: Bo <bo@x>\n`,
  );
  // A Co-authored-by line in the body (not the trailer block) stays where it is.
  expect(withTrailers('Fix\n\nCo-authored-by: Bo <bo@x> said so\n\nMore text\n', [['originRev', A]])).toBe(
    `Fix\n\nCo-authored-by: Bo <bo@x> said so\n\nMore text\n\nFerry-Origin-Rev: ${A}\n`,
  );
});

test('the message keeps its bytes: CRLF, trailing spaces, blank tail, no final newline', () => {
  const t = `Ferry-Origin-Rev: ${A}\n`;
  expect(withTrailers('Fix\r\n\r\nBody  \r\n', [['originRev', A]])).toBe(`Fix\r\n\r\nBody  \r\n\n${t}`);
  expect(withTrailers('Fix\n\nBody', [['originRev', A]])).toBe(`Fix\n\nBody\n\n${t}`);
  expect(withTrailers('Fix\n\nBody\n\n\n', [['originRev', A]])).toBe(`Fix\n\nBody\n\n\n${t}`);
  expect(withTrailers('Fix\n   ', [['originRev', A]])).toBe(`Fix\n   \n${t}`);
  // A trailer block that ends the message is joined, whatever its line ends.
  expect(withTrailers('Fix\r\n\r\nSigned-off-by: x <x@y>\r\n', [['originRev', A]])).toBe(
    `Fix\r\n\r\nSigned-off-by: x <x@y>\r\n${t}`,
  );
  expect(withTrailers('Fix\n\nSigned-off-by: x <x@y>', [['originRev', A]])).toBe(
    `Fix\n\nSigned-off-by: x <x@y>\n${t}`,
  );
  // ... and one followed by a blank line is left alone: the trailers start their own paragraph.
  expect(withTrailers('Fix\n\nSigned-off-by: x <x@y>\n\n', [['originRev', A]])).toBe(
    `Fix\n\nSigned-off-by: x <x@y>\n\n${t}`,
  );
  expect(withTrailers('', [['originRev', A]])).toBe(`\n\n${t}`);
});
