import { ConfigurationError } from '../../src/core/errors.js';
import { TREE_MODE, TreeReader } from '../../src/core/git/tree-reader.js';

/** TreeReader over tree objects built here (git's binary format), read through an object source. */

const id = (c: string) => c.repeat(40);

/** A binary tree object: "<mode> <name>\0<20-byte id>" per entry, names as raw bytes. */
function tree(entries: [string, Buffer | string, string][]): Buffer {
  return Buffer.concat(
    entries.flatMap(([mode, name, oid]) => [
      Buffer.from(`${mode} `, 'latin1'),
      typeof name === 'string' ? Buffer.from(name, 'utf8') : name,
      Buffer.from([0]),
      Buffer.from(oid, 'hex'),
    ]),
  );
}

function reader(objects: Record<string, Buffer>): TreeReader {
  return new TreeReader({ read: (oid) => Promise.resolve(objects[oid]) });
}

describe('TreeReader', () => {
  const sub = tree([
    ['100644', 'b.txt', id('3')],
    ['120000', 'link', id('4')],
  ]);
  // Names past ASCII (UTF-8) before and after the one asked for, a directory, an old-style mode.
  const root = tree([
    ['100644', 'café.md', id('1')],
    ['100755', 'run.sh', id('2')],
    ['40000', 'dir', id('a')],
    ['040000', 'old', id('b')],
    ['100644', 'zeta ü.txt', id('5')],
  ]);
  const objects = { [id('r')]: root, [id('a')]: sub, [id('b')]: tree([['100644', 'x', id('6')]]) };

  test('looks up entries by name, names past ASCII included, modes as ls-tree prints them', async () => {
    const t = reader(objects);
    expect(await t.entry(id('r'), 'café.md')).toEqual({ mode: '100644', oid: id('1') });
    expect(await t.entry(id('r'), 'zeta ü.txt')).toEqual({ mode: '100644', oid: id('5') });
    expect(await t.entry(id('r'), 'dir')).toEqual({ mode: TREE_MODE, oid: id('a') });
    expect(await t.entry(id('r'), 'old')).toEqual({ mode: TREE_MODE, oid: id('b') });
    expect(await t.entries(id('r'), ['dir/link', 'dir/b.txt', 'dir/none', 'run.sh/x', 'cafe.md'])).toEqual([
      { mode: '120000', oid: id('4') },
      { mode: '100644', oid: id('3') },
      undefined,
      undefined,
      undefined,
    ]);
  });

  test('lists and counts a directory as a map of its entries would', async () => {
    const t = reader(objects);
    expect([...(await t.dir(id('r')))].map(([name]) => name)).toEqual([
      'café.md',
      'run.sh',
      'dir',
      'old',
      'zeta ü.txt',
    ]);
    expect(await t.countFiles(id('r'), Infinity)).toEqual({ count: 6, exact: true });
    const seen: string[] = [];
    expect(await t.someFile(id('r'), 'dir', (p) => (seen.push(p), p.endsWith('link')))).toBe(true);
    expect(seen).toEqual(['dir/b.txt', 'dir/link']);
  });

  test('refuses a tree holding a name that is not UTF-8, as decoding every name did', async () => {
    const bad = tree([
      ['100644', 'a.md', id('1')],
      ['100644', Buffer.from('caf\xe9.md', 'latin1'), id('2')],
    ]);
    const t = reader({ [id('c')]: bad });
    await expect(t.entry(id('c'), 'a.md')).rejects.toThrow(ConfigurationError);
  });
});
