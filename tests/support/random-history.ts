import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as posix from 'node:path/posix';
import fc from 'fast-check';
import { GIT_ENV, git, revParse } from './git-fixtures.js';

/**
 * Random source histories for the incremental-path property tests: real commits, as a monorepo's
 * commits are, with additions, edits, deletions, renames, executable-bit flips, symlinks (to files,
 * to directories, to nothing, outside the tree), files turning into directories and back,
 * gitlinks, `.gitattributes` with and without LFS, LFS-pointer-looking files, and Python imports
 * across the allowlist boundary. Written as fast-import file commands (importLinearHistory).
 */

export const DIRS = ['pub', 'pub/sub', 'priv', 'mix'];
const NAMES = ['a', 'b.py', 'c', 'd.py'];
/** Writable paths; `pub/sub` is also a directory above, so writing it turns a directory into a file. */
export const PATHS = [...DIRS.flatMap((d) => NAMES.map((n) => `${d}/${n}`)), 'pub/sub', 'top.md'];
const ATTRIBUTE_DIRS = ['', 'pub'];
/** What links point at (resolved relative to the link's directory); `gone` never exists. */
const LINK_TARGETS = [
  'pub/a',
  'pub/sub',
  'pub/sub/b.py',
  'priv/c',
  'mix',
  '.',
  'gone',
  '../../../../outside',
];

const LFS_POINTER =
  'version https://git-lfs.github.com/spec/v1\n' +
  'oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n' +
  'size 12345\n';
/** File bodies: plain, an LFS pointer, imports of a public and a premium module. */
export const BODIES = ['x = 1\n', 'y = 2\n', LFS_POINTER, 'from pub import a\n', 'import priv.c\n'];

export type Op =
  | { kind: 'write'; path: string; body: number; exec: boolean }
  | { kind: 'link'; path: string; to: number }
  | { kind: 'delete'; path: string }
  | { kind: 'rename'; from: string; to: string }
  | { kind: 'gitlink'; path: string }
  | { kind: 'attributes'; dir: number; lfs: boolean };

const anyPath = fc.constantFrom(...PATHS);
export const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('write' as const),
      path: anyPath,
      // Mostly harmless bodies: a run refused by a gate commits nothing, and the next run of a
      // refused target cannot take the incremental path, so errors must stay the rarer case.
      body: fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(0, 1, 3) },
        { weight: 1, arbitrary: fc.constantFrom(2, 4) },
      ),
      exec: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('link' as const),
      path: anyPath,
      // Links that dangle or leave the tree (the last two targets) are the rarer case, as above.
      to: fc.oneof(
        { weight: 4, arbitrary: fc.nat(LINK_TARGETS.length - 3) },
        { weight: 1, arbitrary: fc.constantFrom(LINK_TARGETS.length - 2, LINK_TARGETS.length - 1) },
      ),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), path: anyPath }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('rename' as const), from: anyPath, to: anyPath }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('gitlink' as const),
      path: fc.constantFrom('pub/mod', 'mix/mod'),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('attributes' as const),
      dir: fc.nat(ATTRIBUTE_DIRS.length - 1),
      lfs: fc.boolean(),
    }),
  },
);

/** The files of a source as the generator tracks them (path → mode and body). */
export type SourceFiles = Map<string, { mode: string; data: string }>;

/**
 * A first tree: every path but mix/ written once (so later deletions and renames have something to
 * do). mix/ comes later: under the map configs its files land on pub/sub (a collision) or make
 * lib/sub a file and a directory, so a first tree holding them could never be exported.
 */
export function initialOps(bodies: readonly number[]): Op[] {
  return PATHS.filter((p) => p !== 'pub/sub' && !p.startsWith('mix/')).map((p, i) => ({
    kind: 'write' as const,
    path: p,
    body: bodies[i % bodies.length] % BODIES.length,
    exec: false,
  }));
}

/**
 * One commit's fast-import file commands for `ops`, applied to `files` (updated in place). Ops that
 * cannot apply (renaming a missing file) are dropped; every commit changes at least one path
 * (an empty one is a change to top.md).
 */
export function commitLines(ops: readonly Op[], files: SourceFiles, step: number): string[] {
  const lines: string[] = [];
  const put = (p: string, mode: string, data: string) => {
    // A file replaces a directory of the same name, and a directory replaces a file.
    for (const q of [...files.keys()]) if (q.startsWith(`${p}/`) || p.startsWith(`${q}/`)) files.delete(q);
    files.set(p, { mode, data });
    if (mode === '160000') lines.push(`M 160000 ${data} ${p}`);
    else lines.push(`M ${mode} inline ${p}\ndata ${Buffer.byteLength(data)}\n${data}`);
  };
  for (const op of ops) {
    if (op.kind === 'write') put(op.path, op.exec ? '100755' : '100644', BODIES[op.body]);
    else if (op.kind === 'link') {
      const to = LINK_TARGETS[op.to];
      put(op.path, '120000', to.startsWith('..') ? to : posix.relative(posix.dirname(op.path), to) || '.');
    } else if (op.kind === 'delete') {
      const gone = [...files.keys()].filter((q) => q === op.path || q.startsWith(`${op.path}/`));
      for (const q of gone) files.delete(q);
      if (gone.length) lines.push(`D ${op.path}`);
    } else if (op.kind === 'rename') {
      const f = files.get(op.from);
      if (!f || op.from === op.to || op.to.startsWith(`${op.from}/`)) continue;
      files.delete(op.from);
      lines.push(`D ${op.from}`);
      put(op.to, f.mode, f.data);
    } else if (op.kind === 'gitlink') put(op.path, '160000', (step + 1).toString(16).padStart(40, 'a'));
    else {
      const dir = ATTRIBUTE_DIRS[op.dir];
      put(
        dir ? `${dir}/.gitattributes` : '.gitattributes',
        '100644',
        op.lfs ? '*.py filter=lfs diff=lfs merge=lfs -text\n' : '*.md text\n',
      );
    }
  }
  if (!lines.length) put('top.md', '100644', `step ${step}\n`);
  return lines;
}

export const commitsArb = (max: number) =>
  fc.array(fc.array(opArb, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: max });

/**
 * Ops no gate refuses under any of CONFIGS (no LFS pointer, premium import, link, mix/ file or
 * subtree deletion): the history before a range, which a history export must get through before
 * the range is worth replaying (an error in any commit stops the export there).
 */
// Writing or renaming onto pub/sub replaces its directory: as many deletions as a delete of it.
const harmless = (op: Op): boolean =>
  op.kind === 'write'
    ? [0, 1, 3].includes(op.body) && !op.path.startsWith('mix/') && op.path !== 'pub/sub'
    : op.kind === 'delete'
      ? op.path !== 'pub/sub'
      : op.kind === 'rename'
        ? !op.to.startsWith('mix/') && op.to !== 'pub/sub'
        : op.kind === 'attributes';
export const harmlessCommitsArb = (max: number) =>
  fc.array(fc.array(opArb.filter(harmless), { minLength: 1, maxLength: 4 }), {
    minLength: 1,
    maxLength: max,
  });

/** The selection configurations the tests switch between (map rules make collisions and file/dir clashes). */
export interface ExportConfig {
  rules: string[];
  preserve: string[];
  map: string[];
  submodules?: 'keep';
}
export const CONFIGS: ExportConfig[] = [
  { rules: ['pub/**', 'mix/*.py', 'top.md'], preserve: [], map: [] },
  { rules: ['pub/**', 'mix/**', '!pub/sub/**', '.gitattributes'], preserve: ['pub/a', 'mix/c'], map: [] },
  { rules: ['pub/**', 'mix/**'], preserve: [], map: ['mix/=pub/sub/'] },
  { rules: ['pub/**', 'mix/**', 'top.md'], preserve: ['lib/c'], map: ['pub/=lib/', 'mix/c=lib/sub'] },
  { rules: ['pub/**', 'priv/**', '*.md'], preserve: [], map: [], submodules: 'keep' },
];

/**
 * Commit `steps` (fast-import file commands, one commit each) on top of `main` in `dir` (a repo,
 * created when missing); dated from `t0` + one minute per commit. Returns the new ids, oldest first.
 */
export function appendCommits(dir: string, steps: readonly (readonly string[])[], t0: number): string[] {
  if (!existsSync(path.join(dir, '.git')) && !existsSync(path.join(dir, 'HEAD')))
    git(dir, ['init', '-q', '-b', 'main']);
  const parent = revParse(dir, 'refs/heads/main');
  let stream = '';
  steps.forEach((lines, i) => {
    const msg = `commit ${t0 + i}\n`;
    const when = 1_700_000_000 + (t0 + i) * 60;
    stream += `commit refs/heads/main\nmark :${i + 1}\n`;
    stream += `author A <a@example.com> ${when} +0000\ncommitter A <a@example.com> ${when} +0000\n`;
    stream += `data ${Buffer.byteLength(msg)}\n${msg}`;
    stream += i ? `from :${i}\n` : parent ? `from ${parent}\n` : '';
    stream += lines.map((l) => `${l}\n`).join('') + '\n';
  });
  execFileSync('git', ['fast-import', '--quiet', '--date-format=raw'], {
    cwd: dir,
    env: GIT_ENV,
    input: stream,
  });
  const all = git(dir, ['rev-list', '--reverse', '--first-parent', 'main']).split('\n');
  return all.slice(all.length - steps.length);
}
