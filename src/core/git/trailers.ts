/**
 * Ferry's commit trailers, the only state Ferry keeps: written into the commits it makes and read
 * back from the target's history by the next run (export), by `ferry status`, and by the wiki sync.
 * One definition of each trailer, one writer, one parser and one search, so every reader agrees
 * with every writer.
 *
 * Adding a trailer: give it a name, its key and the shape of its value in FERRY_TRAILERS. The
 * value is an extended regular expression that both JavaScript and `git log -E --grep` read, so
 * keep to the common subset (classes, `{m,n}`, `|`, groups). withTrailers writes it and refuses a
 * value of any other shape; trailerValues and lastTrailer read it; findTrailerCommit finds the
 * newest commit that carries it.
 */
import type { Logger } from '../logger.js';
import type { GitCommandManager } from './git-command-manager.js';

interface TrailerDef {
  key: string;
  /** The value's shape (a whole line after `<key>: `). */
  value: string;
  /**
   * Describes the change, not the commit: kept when a message is copied into a new commit (a
   * history export of an imported change keeps its Ferry-Import lines, so the loop can close).
   */
  carried?: true;
}

export const FERRY_TRAILERS = {
  /** The source revision a commit was made from (export and wiki): the next run starts there. */
  originRev: { key: 'Ferry-Origin-Rev', value: '[0-9a-f]{40}|[0-9a-f]{64}' },
  /** Hash of the selection config an export commit was made with (see export/incremental.ts). */
  config: { key: 'Ferry-Config', value: '[0-9a-f]{16,64}' },
  /**
   * An exported symlink's target path (repeated, one line per link; see export/tip-state.ts): the
   * next run checks the links without listing the tree. Written with `symlinks` instead when there
   * are too many to list.
   */
  symlink: { key: 'Ferry-Symlink', value: '[^ ].*' },
  /** The number of exported symlinks, written when they are too many to list one a line. */
  symlinks: { key: 'Ferry-Symlinks', value: '[0-9]+' },
  /**
   * A wiki page whose web edit is pending, with the base it was judged against: `<oid|-> <path>`
   * (see wiki/merge.ts). Repeated, one line per page.
   */
  wikiBase: { key: 'Ferry-Wiki-Base', value: '([0-9a-f]{7,64}|-) .+' },
  /** The public pull request an imported change came from (see import/): `owner/repo#N`. */
  import: { key: 'Ferry-Import', value: '[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+#[0-9]+', carried: true },
  /** The public pull request's head commit that was imported. */
  importHead: { key: 'Ferry-Import-Head', value: '[0-9a-f]{40}|[0-9a-f]{64}', carried: true },
  /** The private revision the imported change was made on (the public base's Ferry-Origin-Rev). */
  importBase: { key: 'Ferry-Import-Base', value: '[0-9a-f]{40}|[0-9a-f]{64}', carried: true },
} as const satisfies Record<string, TrailerDef>;

export type TrailerName = keyof typeof FERRY_TRAILERS;

/** One trailer line to write: its name and value. */
export type Trailer = readonly [TrailerName, string];

const lineRe = (name: TrailerName, flags = '') =>
  new RegExp(`^${FERRY_TRAILERS[name].key}: *(${FERRY_TRAILERS[name].value})\\s*$`, flags);

/** The keys withTrailers drops from a copied message: every key but the carried ones. */
const ANY_FERRY_KEY = new RegExp(
  `^(${Object.values(FERRY_TRAILERS as Record<string, TrailerDef>)
    .filter((d) => !d.carried)
    .map((d) => d.key)
    .join('|')}):`,
);

/** Every value of trailer `name` in a message, in order. Lines of another shape do not count. */
export function trailerValues(message: string, name: TrailerName): string[] {
  const re = lineRe(name, 'gm');
  const out: string[] = [];
  for (let m = re.exec(message); m; m = re.exec(message)) out.push(m[1]);
  return out;
}

/** The value of trailer `name` that counts: the last one in the message. */
export function lastTrailer(message: string, name: TrailerName): string | undefined {
  return trailerValues(message, name).at(-1);
}

/**
 * The message with Ferry's trailers at its end, in the order given. Lines with a Ferry trailer key
 * already in the message are dropped first: copied along from a re-exported source, they would
 * pose as this commit's. Every other byte of the message is kept as it is (CRLF line ends,
 * trailing spaces, blank lines at the end, a missing final newline: history mode publishes the
 * source's messages), and the trailers come after it: they join the message's own trailer block
 * (a last paragraph of `Key: value` lines, such as `Signed-off-by:`) when the message ends right
 * after it, else start a new paragraph after a blank line. The block's `Co-authored-by:` lines
 * move after Ferry's, so they stay the last lines of the message.
 */
export function withTrailers(message: string, trailers: readonly Trailer[]): string {
  const lines = trailers.map(([name, value]) => {
    const line = `${FERRY_TRAILERS[name].key}: ${value}`;
    // A value the parser would not read back must never be written.
    if (!lineRe(name).test(line) || value.includes('\n'))
      throw new Error(`internal: invalid ${FERRY_TRAILERS[name].key} trailer value '${value}'`);
    return line;
  });
  const kept = message.split('\n').filter((l) => !ANY_FERRY_KEY.test(l));
  // The content ends at the last line that is not blank (a CRLF blank line is '\r'); the tail
  // after it is what the message ends with: nothing, its final newline, or blank lines.
  let end = kept.length;
  while (end && isBlank(kept[end - 1])) end--;
  if (!end) return `\n\n${lines.join('\n')}\n`;
  const content = kept.slice(0, end);
  const tail = kept.slice(end);
  const last = content[end - 1];
  const inTrailerBlock = /^[A-Za-z0-9-]+: /.test(last) && end > 2 && content.some(isBlank);
  // Joined only when the block ends the message: a blank line after it would split the block.
  if (inTrailerBlock && (tail.length === 0 || (tail.length === 1 && tail[0] === ''))) {
    // `Co-authored-by:` lines stay last, after Ferry's: GitHub credits co-authors from the end of
    // the message, and an imported contributor's credit must survive the export.
    const coAuthors: string[] = [];
    for (let i = content.length - 1; i >= 0 && !isBlank(content[i]); i--)
      if (CO_AUTHOR.test(content[i])) coAuthors.unshift(...content.splice(i, 1));
    return `${[...content, ...lines, ...coAuthors].join('\n')}\n`;
  }
  // A new paragraph: a newline ends the last line if the message has none, and a blank line
  // comes before the trailers unless the message already ends with one.
  const text = kept.join('\n');
  const endsWithNewline = tail.length > 0 && tail[tail.length - 1] === '';
  const blankLines = tail.length - (endsWithNewline ? 1 : 0);
  const sep = (endsWithNewline ? '' : '\n') + (blankLines > 0 ? '' : '\n');
  return `${text}${sep}${lines.join('\n')}\n`;
}

function isBlank(line: string): boolean {
  return line.trim() === '';
}

const CO_AUTHOR = /^Co-authored-by: /i;

/**
 * How far findTrailerCommit deepens a shallow history looking for a trailer: steps of commits
 * below the current boundary. A remote export target is fetched at depth 1; hand-made commits on
 * top of the last export push the trailer out of sight.
 */
const DEEPEN_STEPS = [20, 100, 380];

export interface TrailerSearch {
  /** Fetch `by` more commits below a shallow history's boundary; absent: search what is there. */
  deepen?: (by: number) => Promise<void>;
  logger?: Logger;
  /** Follow only first parents (a pull request's own line, not what was merged into it). */
  firstParent?: boolean;
}

/**
 * The newest commit reachable from `tip` that carries trailer `name`, with that trailer's value
 * and the whole message (for the other trailers). git walks the history (`log --grep` with the
 * trailer's exact line shape), so it is found however many commits sit on top of it. In a shallow
 * history it is searched deeper in steps when `deepen` is given.
 */
export async function findTrailerCommit(
  git: GitCommandManager,
  tip: string | undefined,
  name: TrailerName,
  opts: TrailerSearch = {},
): Promise<{ sha: string; value: string; message: string } | undefined> {
  if (!tip) return undefined;
  const { key, value } = FERRY_TRAILERS[name];
  const grep = `--grep=^${key}: *(${value})[[:space:]]*$`;
  for (let step = 0; ; step++) {
    const walk = opts.firstParent ? ['--first-parent'] : [];
    const out = await git.exec(['log', '-1', ...walk, '-E', grep, '--format=%H%x00%B', tip, '--']);
    const nul = out.indexOf('\0');
    if (nul > 0) {
      const message = out.slice(nul + 1);
      const found = lastTrailer(message, name);
      if (found) return { sha: out.slice(0, nul), value: found, message };
    }
    if (!opts.deepen || step >= DEEPEN_STEPS.length || !(await git.isShallow())) return undefined;
    const seen = await git.exec(['rev-list', '--count', tip]);
    opts.logger?.info(`No ${key} trailer in the last ${seen} commit(s) of the target; fetching deeper.`);
    await opts.deepen(DEEPEN_STEPS[step]);
  }
}
