import { parseMapRules } from '../../src/core/export/path-map.js';
import { assertOneToOne, preimagesOf } from '../../src/core/import/inverse-map.js';
import { importMessage } from '../../src/core/import/message.js';
import type { PublicPullRequest } from '../../src/core/import/types.js';

/** The export's map run backwards, and the imported commit's message. */
test('a public path goes back to the private path that maps onto it; the mapped one first', () => {
  const rules = parseMapRules(['src/pub/=lib/', 'docs/README.md=README.md']);
  expect(preimagesOf('lib/a/b.txt', rules)).toEqual(['src/pub/a/b.txt', 'lib/a/b.txt']);
  expect(preimagesOf('README.md', rules)).toEqual(['docs/README.md', 'README.md']);
  // src/pub/x would be exported as lib/x: it cannot come back under its own name.
  expect(preimagesOf('src/pub/x', rules)).toEqual([]);
  expect(preimagesOf('other.txt', rules)).toEqual(['other.txt']);
  expect(preimagesOf('x/y', parseMapRules(['=vendor/'])).length).toBe(0);
  expect(preimagesOf('vendor/y', parseMapRules(['=vendor/']))).toEqual(['y']);
});

test('maps whose target sides overlap are not one-to-one', () => {
  expect(() => assertOneToOne(parseMapRules(['a/=x/', 'b/=x/']))).toThrow(/not one-to-one/);
  expect(() => assertOneToOne(parseMapRules(['a/=x/', 'b/=x/y/']))).toThrow(/not one-to-one/);
  expect(() => assertOneToOne(parseMapRules(['a.txt=x.txt', 'b/=x.txt']))).toThrow();
  expect(() => assertOneToOne(parseMapRules(['a/=x/', 'b/=y/', 'c.txt=z.txt']))).not.toThrow();
});

test('the message: title and body, Ferry trailers, then every other author as Co-authored-by, last', () => {
  const pr: PublicPullRequest = {
    number: 7,
    title: 'Fix it',
    body: 'Because.\r\n\r\nCo-authored-by: Pat <pat@example.com>\r\n',
    state: 'open',
    headSha: 'b'.repeat(40),
    url: 'u',
    author: { login: 'jane', id: 42 },
  };
  const { message, coAuthors } = importMessage({
    pr,
    repo: 'acme/pub',
    head: 'b'.repeat(40),
    base: 'a'.repeat(40),
    commitAuthors: [
      { name: 'jane', email: 'jane@home.example' },
      { name: 'Sam', email: 'sam@example.com' },
      { name: 'Sam S', email: 'SAM@example.com' },
      { name: 'Bot', email: '9+jane@users.noreply.github.com' },
    ],
  });
  expect(coAuthors).toEqual(['Sam <sam@example.com>', 'Pat <pat@example.com>']);
  expect(message).toBe(
    `Fix it\n\nBecause.\n\nFerry-Import: acme/pub#7\nFerry-Import-Head: ${'b'.repeat(40)}\nFerry-Import-Base: ${'a'.repeat(40)}\n` +
      'Co-authored-by: Sam <sam@example.com>\nCo-authored-by: Pat <pat@example.com>\n',
  );
});
