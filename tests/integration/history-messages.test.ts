import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runExport } from '../../src/core/export/index.js';
import { lastTrailer } from '../../src/core/git/trailers.js';
import { captureLogger } from '../../src/core/logger.js';
import { GIT_ENV, git } from '../support/git-fixtures.js';
import { historyFixture } from '../support/history-fixtures.js';
import { cleanupTmp } from '../support/tmp.js';

/**
 * History mode publishes the source's commit messages byte for byte (issue 15): CRLF line ends,
 * trailing spaces, blank lines at the end and a missing final newline survive, and Ferry's
 * trailers come after them as a block that git and Ferry both read back.
 */
afterAll(cleanupTmp);

/** Commit `file` with the message bytes exactly as given (no cleanup by git). */
async function commitVerbatim(
  repo: string,
  file: string,
  message: Buffer,
  config: string[] = [],
): Promise<string> {
  await fs.writeFile(path.join(repo, file), `${file} ${message.length}\n`);
  const msgFile = path.join(repo, '..', 'msg');
  await fs.writeFile(msgFile, message);
  execFileSync('git', [...config, 'add', '-A'], { cwd: repo, env: GIT_ENV });
  execFileSync('git', [...config, 'commit', '-q', '--cleanup=verbatim', '-F', msgFile], {
    cwd: repo,
    env: GIT_ENV,
  });
  return git(repo, ['rev-parse', 'HEAD']);
}

/**
 * Commit `file` with message bytes that are not UTF-8 and no encoding header. git commit would
 * store them re-encoded (it takes them for Latin-1), so the object is written by hand, as older
 * tools did.
 */
async function commitRawObject(repo: string, file: string, message: Buffer): Promise<string> {
  await fs.writeFile(path.join(repo, file), `${file}\n`);
  git(repo, ['add', '-A']);
  const header =
    `tree ${git(repo, ['write-tree'])}\nparent ${git(repo, ['rev-parse', 'HEAD'])}\n` +
    `author A <a@example.com> 1700000000 +0000\ncommitter A <a@example.com> 1700000000 +0000\n\n`;
  const id = execFileSync('git', ['hash-object', '-t', 'commit', '-w', '--stdin'], {
    cwd: repo,
    env: GIT_ENV,
    input: Buffer.concat([Buffer.from(header), message]),
  })
    .toString()
    .trim();
  git(repo, ['update-ref', 'refs/heads/main', id]);
  expect(commitObject(repo, id).message).toEqual(message);
  return id;
}

/** A commit object's header and message, as bytes. */
function commitObject(repo: string, sha: string): { header: string; message: Buffer } {
  const raw = execFileSync('git', ['cat-file', 'commit', sha], { cwd: repo, env: GIT_ENV });
  const at = raw.indexOf('\n\n');
  return { header: raw.subarray(0, at).toString('latin1'), message: raw.subarray(at + 2) };
}

const MESSAGES: [string, string][] = [
  ['crlf', 'Fix the widget\r\n\r\nThe body, written on Windows.\r\n'],
  ['trailing spaces', 'Subject  \n\nBody with trailing spaces   \n'],
  ['no final newline', 'Subject\n\nBody without a final newline'],
  ['blank lines at the end', 'Subject\n\nBody\n\n\n'],
  ['spaces after the last line', 'Subject\n\nBody\n   '],
  ['a CRLF trailer block', 'Subject\r\n\r\nBody\r\n\r\nSigned-off-by: Ann <ann@example.com>\r\n'],
  ['a trailer block without a final newline', 'Subject\n\nSigned-off-by: Ann <ann@example.com>'],
  ['a subject only, tab-indented tail', 'Only a subject\t\n'],
];

test('replayed messages are the source message bytes plus the trailer block', async () => {
  const { source, target, settings } = await historyFixture('ferry-history-msg-', { 'public/a.txt': 'a\n' });
  expect((await runExport(settings, captureLogger())).success).toBe(true);

  const shas: string[] = [];
  for (const [, m] of MESSAGES)
    shas.push(await commitVerbatim(source, `public/${shas.length}.txt`, Buffer.from(m)));
  // Not UTF-8 and no encoding header (an old Latin-1 commit): the bytes, not replacement characters.
  const bare = Buffer.from('Gr\xfc\xdfe\n\nohne Kopfzeile\n', 'latin1');
  const noHeader = await commitRawObject(source, 'public/bare.txt', bare);
  // An encoding header (i18n.commitEncoding): the same bytes under the same header.
  const latin1 = Buffer.from('Caf\xe9 au lait\r\n\r\nna\xefve  \r\n', 'latin1');
  const encoded = await commitVerbatim(source, 'public/enc.txt', latin1, [
    '-c',
    'i18n.commitEncoding=ISO-8859-1',
  ]);
  expect(commitObject(source, encoded).header).toMatch(/^encoding ISO-8859-1$/m);

  const r = await runExport(settings, captureLogger());
  expect(r.success).toBe(true);
  const pairs = (r.details?.history as { commits: { source: string; target: string }[] }).commits;
  expect(pairs.map((p) => p.source)).toEqual([...shas, noHeader, encoded]);
  const configHash = lastTrailer(git(target, ['log', '-1', '--format=%B', 'main']), 'config');
  expect(configHash).toMatch(/^[0-9a-f]{16}$/);

  for (const [i, [what, m]] of MESSAGES.entries()) {
    const published = commitObject(target, pairs[i].target).message.toString('utf8');
    const trailers = `Ferry-Origin-Rev: ${shas[i]}\nFerry-Config: ${configHash}\n`;
    // The source bytes come first, unchanged; what follows is only the separator and the trailers.
    expect({ what, head: published.slice(0, m.length) }).toEqual({ what, head: m });
    const added = published.slice(m.length);
    expect({ what, added }).toEqual({
      what,
      added: expect.stringMatching(new RegExp(`^\\n{0,2}${trailers}$`)),
    });
    // git reads the trailers back as the message's trailer block, and so does Ferry.
    const parsed = git(target, ['interpret-trailers', '--parse'], published);
    expect({ what, parsed }).toEqual({ what, parsed: expect.stringContaining(trailers.trim()) });
    expect(lastTrailer(published, 'originRev')).toBe(shas[i]);
  }
  // The trailer block a message already had is joined, not split by a blank line.
  const crlfBlock = commitObject(target, pairs[5].target).message.toString('utf8');
  expect(crlfBlock).toBe(`${MESSAGES[5][1]}Ferry-Origin-Rev: ${shas[5]}\nFerry-Config: ${configHash}\n`);
  expect(git(target, ['interpret-trailers', '--parse'], crlfBlock)).toContain('Signed-off-by: Ann');

  const plain = commitObject(target, pairs.at(-2)!.target);
  expect(plain.message).toEqual(
    Buffer.concat([bare, Buffer.from(`\nFerry-Origin-Rev: ${noHeader}\nFerry-Config: ${configHash}\n`)]),
  );
  expect(plain.header).not.toMatch(/^encoding /m);
  const enc = commitObject(target, pairs.at(-1)!.target);
  expect(enc.header).toMatch(/^encoding ISO-8859-1$/m);
  expect(enc.message).toEqual(
    Buffer.concat([latin1, Buffer.from(`\nFerry-Origin-Rev: ${encoded}\nFerry-Config: ${configHash}\n`)]),
  );
  // git reads it back as the source's text, trailers included (%B adds a newline).
  const shown = git(target, ['log', '-1', '--format=%B', pairs.at(-1)!.target]);
  expect(shown).toBe(
    `Café au lait\r\n\r\nnaïve  \r\n\nFerry-Origin-Rev: ${encoded}\nFerry-Config: ${configHash}\n`,
  );
});
