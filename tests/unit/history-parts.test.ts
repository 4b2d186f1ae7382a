import { LogParser, type LogCommit } from '../../src/core/git/log-reader.js';
import { quotePath } from '../../src/core/git/fast-import.js';
import { parseAuthorMap } from '../../src/core/export/history/author-map.js';
import { compileScrubber } from '../../src/core/export/history/scrub.js';
import { ReplayState } from '../../src/core/export/history/state.js';
import type { TargetTree } from '../../src/core/export/types.js';

/** The pure parts of history mode: log parsing, scrubbing, author map, the replay state. */

const Z = '0'.repeat(40);
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

const LATIN1 = Buffer.from('d\xe9l\n', 'latin1');

function logBytes(): Buffer {
  // What `git log --raw -z --format=%x01%H%x00...%B` prints: header fields, message, raw entries.
  const c1 = `\x01${A}\x00\x00Ann\x00ann@x\x00100 +0000\x00Cy\x00cy@x\x00200 +0000\x00\x00first\n\x01odd: message\n\x00\n:000000 100644 ${Z} ${B} A\x00dir/a b.txt\x00`;
  const c2 = `\x01${B}\x00${A}\x00Bo\x00bo@x\x00300 +0100\x00Cy\x00cy@x\x00400 +0000\x00ISO-8859-1\x00empty commit\n\x00`;
  const c3 = `\x01${'c'.repeat(40)}\x00${B}\x00Ann\x00ann@x\x00500 +0000\x00Cy\x00cy@x\x00600 +0000\x00\x00`;
  // c3's message is Latin-1 without an encoding header: not UTF-8.
  const c3rest = `\x00\n:100644 000000 ${B} ${Z} D\x00dir/a b.txt\x00:100644 120000 ${A} ${B} T\x00l\x00`;
  return Buffer.concat([Buffer.from(c1 + c2 + c3, 'utf8'), LATIN1, Buffer.from(c3rest, 'utf8')]);
}

describe('LogParser', () => {
  test.each([1, 3, 7, 64, 100000])('parses commits in chunks of %i bytes', (size) => {
    const bytes = logBytes();
    const p = new LogParser();
    const out: LogCommit[] = [];
    for (let i = 0; i < bytes.length; i += size) out.push(...p.push(bytes.subarray(i, i + size)));
    const last = p.end();
    if (last) out.push(last);
    expect(out.map((c) => c.sha[0])).toEqual(['a', 'b', 'c']);
    expect(out[0]).toMatchObject({
      parents: [],
      authorName: 'Ann',
      authorEmail: 'ann@x',
      authorDate: '100 +0000',
      committerDate: '200 +0000',
      message: 'first\n\x01odd: message\n',
    });
    expect(out[0].changes).toEqual([
      { srcMode: '000000', dstMode: '100644', srcOid: Z, dstOid: B, status: 'A', path: 'dir/a b.txt' },
    ]);
    expect(out[0].encoding).toBeUndefined();
    expect(out[0].rawMessage).toBeUndefined();
    expect(out[1]).toMatchObject({
      parents: [A],
      authorDate: '300 +0100',
      changes: [],
      encoding: 'ISO-8859-1',
    });
    // A message that is not UTF-8 keeps its bytes beside the (replaced) text.
    expect(out[2].rawMessage).toEqual(LATIN1);
    expect(out[2].message).toBe('d\ufffdl\n');
    expect(out[2].changes.map((c) => `${c.status} ${c.dstMode} ${c.path}`)).toEqual([
      'D 000000 dir/a b.txt',
      'T 120000 l',
    ]);
  });

  test('a truncated stream is an error, not a silently shorter history', () => {
    const bytes = logBytes();
    const p = new LogParser();
    p.push(bytes.subarray(0, 50));
    expect(() => p.end()).toThrow(/ended/);
  });
});

describe('fast-import paths', () => {
  test('quotes only what fast-import cannot read raw', () => {
    expect(quotePath('a b/c.txt')).toBe('a b/c.txt');
    expect(quotePath('"q"')).toBe('"\\"q\\""');
    expect(quotePath('x\ny')).toBe('"x\\ny"');
  });
});

describe('message scrubbing', () => {
  const s = compileScrubber({
    lines: ['jira\\.corp', '^Reviewed-by:'],
    messages: ['^SECRET'],
    template: 'Internal change {short_sha}',
  });
  const vars = { sha: 'f'.repeat(40), short_sha: 'fffffff' };
  test('drops matching lines and tidies blank runs', () => {
    expect(s.scrub('Fix\n\nsee https://jira.corp/X-1\n\nReviewed-by: A <a@x>\n', vars)).toBe('Fix\n');
    expect(s.scrub('Fix\n\nBody\nReviewed-by: A\nOther\n', vars)).toBe('Fix\n\nBody\nOther\n');
  });
  test('replaces whole messages, and messages left empty', () => {
    expect(s.scrub('SECRET deal\n\nbody', vars)).toBe('Internal change fffffff\n');
    expect(s.scrub('Reviewed-by: A\n', vars)).toBe('Internal change fffffff\n');
  });
  test('untouched without patterns', () => {
    const none = compileScrubber({ template: 't' });
    expect(none.scrub('as is\n\n', vars)).toBe('as is\n\n');
    // Patterns that match no line leave the bytes as they are too (CRLF, trailing spaces).
    expect(s.scrub('Fix  \r\n\r\nBody\r\n\n', vars)).toBe('Fix  \r\n\r\nBody\r\n\n');
  });
  test('a bad pattern is a configuration error', () => {
    expect(() => compileScrubber({ lines: ['('], template: '' })).toThrow(/Invalid scrub-lines pattern '\('/);
  });
});

describe('author map', () => {
  const map = parseAuthorMap(
    [
      '# comment',
      'Public Ann <ann@example.org> <ann@corp.example>',
      '<bo@example.org> <bo@corp.example>',
      'Cy Renamed <cy@corp.example>',
      'Dee <dee@example.org> Old Dee <dee@corp.example>',
    ].join('\n'),
    'authors.map',
  );
  test('the four mailmap forms', () => {
    expect(map.map({ name: 'ann', email: 'ANN@corp.example' })).toEqual({
      name: 'Public Ann',
      email: 'ann@example.org',
    });
    expect(map.map({ name: 'Bo', email: 'bo@corp.example' })).toEqual({
      name: 'Bo',
      email: 'bo@example.org',
    });
    expect(map.map({ name: 'Cy', email: 'cy@corp.example' })).toEqual({
      name: 'Cy Renamed',
      email: 'cy@corp.example',
    });
    expect(map.map({ name: 'Old Dee', email: 'dee@corp.example' })).toEqual({
      name: 'Dee',
      email: 'dee@example.org',
    });
    expect(map.map({ name: 'Other Dee', email: 'dee@corp.example' })).toEqual({
      name: 'Other Dee',
      email: 'dee@corp.example',
    });
  });
  test('maps co-author lines in messages', () => {
    expect(map.mapMessage('x\n\nCo-authored-by: Ann <ann@corp.example>\n')).toBe(
      'x\n\nCo-authored-by: Public Ann <ann@example.org>\n',
    );
  });
  test('a malformed line names file:line', () => {
    expect(() => parseAuthorMap('ok <a@b>\nbroken line', 'm.map')).toThrow(/^m\.map:2: /);
  });
});

describe('ReplayState', () => {
  const opts = {
    select: (p: string) => p.startsWith('pub/'),
    mapPath: (p: string) => `lib/${p.slice(4)}`,
    submodules: 'skip' as const,
  };
  const start: TargetTree = new Map([
    ['lib/a', { mode: '100644', oid: A, size: 1, sourcePath: 'pub/a', origin: 'source' as const }],
    ['lib/keep', { mode: '100644', oid: A, size: 1, origin: 'preserved' as const }],
  ]);
  const ch = (status: string, path: string, dstMode = '100644', dstOid = B) => ({
    srcMode: '100644',
    dstMode: status === 'D' ? '000000' : dstMode,
    srcOid: A,
    dstOid: status === 'D' ? Z : dstOid,
    status,
    path,
  });

  test('applies selected changes at mapped paths; deletions first', () => {
    const st = new ReplayState(
      start,
      { exportedSourcePaths: new Set(['pub/a']), sourcePaths: new Set(['pub/a']) },
      opts,
    );
    const step = st.apply(
      [ch('A', 'pub/b', '120000'), ch('D', 'pub/a'), ch('A', 'priv/x')],
      new Map([[B, 7]]),
    );
    expect(step.ops).toEqual([
      { op: 'D', path: 'lib/a' },
      { op: 'M', mode: '120000', oid: B, path: 'lib/b' },
    ]);
    expect(step.diff.changes).toEqual([
      { path: 'lib/b', change: 'added', bytes: 7 },
      { path: 'lib/a', change: 'deleted', bytes: 1 },
    ]);
    expect(step.needsSymlinkCheck).toBe(true);
    expect([...st.exportedSourcePaths]).toEqual(['pub/b']);
    expect([...st.sourcePaths].sort()).toEqual(['priv/x', 'pub/b']);
  });

  test('preserved target paths are frozen; gitlinks are skipped with a warning', () => {
    const st = new ReplayState(start, { exportedSourcePaths: new Set(), sourcePaths: new Set() }, opts);
    const step = st.apply([ch('M', 'pub/keep'), ch('A', 'pub/mod', '160000')]);
    expect(step.ops).toEqual([]);
    expect(step.findings.map((f) => f.code)).toEqual(['submodule-skipped']);
    expect(st.tree.get('lib/keep')?.oid).toBe(A);
  });
});
