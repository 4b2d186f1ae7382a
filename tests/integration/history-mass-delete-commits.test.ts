import { createHash } from 'node:crypto';
import { ConfigurationError } from '../../src/core/errors.js';
import { runExport, type ExportSettings } from '../../src/core/export/index.js';
import { captureLogger } from '../../src/core/logger.js';
import { commitFiles, git, lsTree, revParse } from '../support/git-fixtures.js';
import { historyFixture } from '../support/history-fixtures.js';
import { cleanupTmp } from '../support/tmp.js';

/**
 * allow-mass-delete-commits (issue 15): the per-commit mass-deletion guard of a replay lets the
 * named source commits through, and only them.
 */
afterAll(cleanupTmp);

const files = (from: number, to: number, dir = 'public') =>
  Object.fromEntries(
    Array.from({ length: to - from }, (_, i) => [`${dir}/f${from + i}.txt`, `${from + i}\n`]),
  );
const gone = (from: number, to: number) =>
  Object.fromEntries(Object.keys(files(from, to)).map((p) => [p, null])) as Record<string, null>;

async function setup() {
  const { source, target, settings, initial } = await historyFixture('ferry-history-mdc-', files(0, 30));
  expect((await runExport(settings, captureLogger())).success).toBe(true);
  // A restructuring commit: 20 of the 30 files go (67 %, limit 50 %).
  const restructure = await commitFiles(source, gone(0, 20), 'restructure');
  await commitFiles(source, { 'public/new.txt': 'new\n' }, 'add one');
  // Later, a commit that deletes 6 of the 11 files left: the guard must still stop it.
  const wipe = await commitFiles(source, gone(20, 26), 'wipe most');
  return { source, target, settings, initial, restructure, wipe };
}

const with_ = (s: ExportSettings, commits: string[]): ExportSettings => ({
  ...s,
  history: { allowMassDeleteCommits: commits },
});

test('a named commit passes the guard; the others are still stopped; the refusal names the commit and the setting', async () => {
  const { target, settings, restructure, wipe } = await setup();
  const tip = revParse(target, 'main');

  const stopped = await runExport(settings, captureLogger());
  expect(stopped.success).toBe(false);
  const err = stopped.findings.find((f) => f.code === 'mass-delete' && f.severity === 'error');
  expect(err?.message).toContain(`source commit ${restructure}`);
  expect(err?.message).toContain(
    `set allow-mass-delete-commits: ${restructure.slice(0, 12)} to allow it for this source commit only, or allow-mass-delete: true for the whole run`,
  );

  // Allowing the restructuring commit (abbreviated) lets it through, but not the later wipe.
  const one = await runExport(with_(settings, [restructure.slice(0, 7)]), captureLogger());
  expect(one.success).toBe(false);
  const findings = one.findings.filter((f) => f.code === 'mass-delete');
  expect(findings.map((f) => [f.severity, f.message.includes(restructure) ? 'restructure' : 'wipe'])).toEqual(
    [
      ['warning', 'restructure'],
      ['error', 'wipe'],
    ],
  );
  expect(findings[0].message).toMatch(/allowed by input 'allow-mass-delete-commits'\.$/);
  expect(findings[1].message).toContain(`allow-mass-delete-commits: ${wipe.slice(0, 12)}`);
  expect(revParse(target, 'main')).toBe(tip);

  // Both named (one in full, one abbreviated): the replay goes through and is pushed.
  const both = await runExport(with_(settings, [restructure, ` ${wipe.slice(0, 9)} `]), captureLogger());
  expect(both.success).toBe(true);
  expect(both.counts.commits).toBe(3);
  expect(both.findings.filter((f) => f.code === 'mass-delete').map((f) => f.severity)).toEqual([
    'warning',
    'warning',
  ]);
  expect(lsTree(target)).toEqual([...Object.keys(files(26, 30)), 'public/new.txt'].sort());
});

test('a named commit outside the replayed range gets a warning; an unknown or malformed id is a configuration error', async () => {
  const { source, target, settings, initial, restructure, wipe } = await setup();
  const r = await runExport(with_(settings, [restructure, wipe, initial.slice(0, 10)]), captureLogger());
  expect(r.success).toBe(true);
  const unused = r.findings.filter((f) => f.code === 'mass-delete-commit-unused');
  expect(unused).toHaveLength(1);
  expect(unused[0]).toMatchObject({ severity: 'warning' });
  expect(unused[0].message).toContain(
    `names ${initial.slice(0, 10)} (${initial.slice(0, 12)}), which is not in the replayed range`,
  );

  const tip = revParse(target, 'main');
  await commitFiles(source, { 'public/more.txt': 'more\n' }, 'more');
  const unknown = runExport(with_(settings, ['deadbeef1234']), captureLogger());
  await expect(unknown).rejects.toThrow(ConfigurationError);
  await expect(runExport(with_(settings, ['deadbeef1234']), captureLogger())).rejects.toThrow(
    /input 'allow-mass-delete-commits': no commit deadbeef1234 in the source repository/,
  );
  await expect(runExport(with_(settings, ['HEAD~1']), captureLogger())).rejects.toThrow(
    /input 'allow-mass-delete-commits': 'HEAD~1' is not a commit id\. Give source commit ids, full or abbreviated to at least 7 hex digits/,
  );
  await expect(runExport(with_(settings, [restructure.slice(0, 6)]), captureLogger())).rejects.toThrow(
    /is not a commit id/,
  );
  // A blob's id is not a commit's.
  const blob = git(source, ['rev-parse', 'HEAD:public/more.txt']);
  await expect(runExport(with_(settings, [blob]), captureLogger())).rejects.toThrow(/no commit/);
  expect(revParse(target, 'main')).toBe(tip);
});

test('an abbreviation that names two commits is ambiguous: the error lists both', async () => {
  const { source, settings } = await setup();
  // Two commit objects whose ids share their first 7 hex digits (found by hashing candidates).
  const [a, b] = collidingCommits(git(source, ['rev-parse', 'HEAD^{tree}']));
  const ids = [a, b].map((body) => git(source, ['hash-object', '-t', 'commit', '-w', '--stdin'], body));
  expect(ids[0].slice(0, 7)).toBe(ids[1].slice(0, 7));
  const prefix = ids[0].slice(0, 7);
  await expect(runExport(with_(settings, [prefix]), captureLogger())).rejects.toThrow(
    new RegExp(
      `${prefix} is ambiguous: it names 2 commits \\((${ids[0].slice(0, 12)}|${ids[1].slice(0, 12)}), .*Give more digits`,
    ),
  );
});

/** Two commit bodies on `tree` whose object ids start with the same 7 hex digits. */
function collidingCommits(tree: string): [string, string] {
  const seen = new Map<string, string>();
  for (let i = 0; ; i++) {
    const body = `tree ${tree}\nauthor A <a@x> 0 +0000\ncommitter A <a@x> 0 +0000\n\ncandidate ${i}\n`;
    const id = createHash('sha1')
      .update(`commit ${Buffer.byteLength(body)}\0${body}`)
      .digest('hex');
    const prior = seen.get(id.slice(0, 7));
    if (prior) return [prior, body];
    seen.set(id.slice(0, 7), body);
  }
}
