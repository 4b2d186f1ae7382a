import fc from 'fast-check';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { BatchParser, streamBlobs } from '../../src/core/git/blob-stream.js';
import { BlobReader } from '../../src/core/git/cat-file.js';
import { GitCommandManager } from '../../src/core/git/git-command-manager.js';
import { silentLogger } from '../../src/core/logger.js';
import { git } from '../support/git-fixtures.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

/**
 * The bulk blob stream (src/core/git/blob-stream.ts) must answer exactly what BlobReader answers,
 * one object at a time: same bodies, missing objects as missing, large bodies skipped with their
 * size, whatever the chunking of git's output and however many processes share the ids.
 */
afterAll(cleanupTmp);

type Seen = { oid: string; size: number; body?: string; type: string };

function collect(out: Seen[]) {
  return (oid: string, size: number, body: Buffer | undefined, type: string) =>
    out.push({ oid, size, body: body?.toString('latin1'), type });
}

describe('BatchParser (pure)', () => {
  test('any chunking of a cat-file --batch stream gives the same objects', () => {
    const obj = fc.record({
      missing: fc.boolean(),
      body: fc.uint8Array({ maxLength: 300 }),
    });
    fc.assert(
      fc.property(
        fc.array(obj, { maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 400 }),
        (objs, cuts, maxBytes) => {
          const parts: Buffer[] = [];
          const expected: Seen[] = [];
          objs.forEach((o, i) => {
            const oid = i.toString(16).padStart(40, '0');
            if (o.missing) {
              parts.push(Buffer.from(`${oid} missing\n`));
              expected.push({ oid, size: -1, body: undefined, type: '' });
              return;
            }
            const body = Buffer.from(o.body);
            parts.push(Buffer.from(`${oid} blob ${body.length}\n`), body, Buffer.from('\n'));
            expected.push({
              oid,
              size: body.length,
              body: body.length > maxBytes ? undefined : body.toString('latin1'),
              type: 'blob',
            });
          });
          const all = Buffer.concat(parts);
          const got: Seen[] = [];
          const parser = new BatchParser(collect(got), maxBytes);
          let pos = 0;
          for (let k = 0; pos < all.length; k++) {
            const n = cuts[k % cuts.length];
            parser.push(all.subarray(pos, pos + n));
            pos += n;
          }
          expect(got).toEqual(expected);
          expect(parser.answered).toBe(objs.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('a malformed header is an error, not a silent skip', () => {
    const parser = new BatchParser(() => undefined, Infinity);
    expect(() => parser.push(Buffer.from('garbage\n'))).toThrow(/unexpected header/);
  });
});

describe('streamBlobs (real git)', () => {
  let repo: string;
  let gm: GitCommandManager;
  let oids: string[];
  const contents: string[] = [];

  beforeAll(async () => {
    repo = await tmpDir('ferry-blobstream-');
    git(repo, ['init', '-q', '--bare']);
    gm = new GitCommandManager(repo, { logger: silentLogger });
    // Sizes around pipe-chunk boundaries, an empty blob, duplicates of content, a 300 KiB blob.
    const sizes = [0, 1, 10, 4095, 4096, 65535, 65536, 65537, 300 * 1024];
    for (let i = 0; i < 400; i++) sizes.push((i * 7919) % 5000);
    const files: string[] = [];
    for (const [i, n] of sizes.entries()) {
      const c = Array.from({ length: n }, (_, j) => String.fromCharCode(32 + ((i + j) % 90))).join('');
      const f = path.join(repo, `blob-${i}`);
      await fs.writeFile(f, c);
      contents.push(c);
      files.push(f);
    }
    // One process for all of them.
    oids = git(repo, ['hash-object', '-w', '--stdin-paths'], files.join('\n') + '\n').split('\n');
  });

  test.each([1, 2, 3])('same answers as BlobReader with %i process(es), missing ids included', async (n) => {
    const missing = 'f'.repeat(40);
    const ask = [...oids.slice(0, 200), missing, ...oids.slice(200)];
    const got = new Map<string, Seen>();
    await streamBlobs(
      gm,
      ask,
      (oid, size, body, type) => got.set(oid, { oid, size, body: body?.toString('latin1'), type }),
      {
        processes: n,
      },
    );
    expect(got.size).toBe(new Set(ask).size);
    expect(got.get(missing)).toEqual({ oid: missing, size: -1, body: undefined, type: '' });
    const reader = new BlobReader(gm);
    try {
      for (const oid of oids) {
        const want = (await reader.read(oid))!.toString('latin1');
        expect(got.get(oid)).toEqual({
          oid,
          size: Buffer.byteLength(want, 'latin1'),
          body: want,
          type: 'blob',
        });
      }
    } finally {
      await reader.close();
    }
  });

  test('bodies over maxBytes are skipped but sized', async () => {
    const got: Seen[] = [];
    await streamBlobs(gm, oids.slice(0, 9), collect(got), { maxBytes: 4096 });
    expect(got.map((g) => g.size)).toEqual([0, 1, 10, 4095, 4096, 65535, 65536, 65537, 300 * 1024]);
    expect(got.map((g) => g.body === undefined)).toEqual([
      false,
      false,
      false,
      false,
      false,
      true,
      true,
      true,
      true,
    ]);
    expect(got[3].body).toBe(contents[3]);
  });

  test('a throwing visitor fails the stream', async () => {
    await expect(
      streamBlobs(gm, oids, () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
  });

  test('names with a line break are refused', async () => {
    await expect(streamBlobs(gm, ['HEAD:a\nb'], () => undefined)).rejects.toThrow(/line breaks/);
  });
});
