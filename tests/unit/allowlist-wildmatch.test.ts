import { readFileSync } from 'node:fs';
import { compileAllowlist, globMatcher, parseAllowlist } from '../../src/core/allowlist/index.js';
import { sharedFile } from '../support/shared-dir.js';

/**
 * git's own wildmatch vectors (t/t3070-wildmatch.sh), read in place from ../shared/conformance/
 * (never copied into the project). Ferry's meaning is git's `wildmatch` with WM_PATHNAME, the
 * `wildmatch_pathname` column. Every vector must agree, except the deviations listed below, each
 * with its reason (docs/allowlist.md lists the same): an unexpected disagreement fails, and so
 * does a deviation that no longer happens.
 */
const VECTORS = 'conformance/wildmatch-t3070.json';

interface Vector {
  line: number;
  pattern: string;
  text: string;
  wildmatch_pathname: '0' | '1';
}

const EMPTY = 'an empty pattern is an error (in an allowlist, a blank line is skipped)';
const LONE_BACKSLASH = 'a lone backslash at the end is an error (git: matches nothing)';
const ESCAPE =
  "a backslash before an ordinary character is an error (paths use '/'; '[\\d]' is a regex habit)";
const POSIX = 'POSIX classes like [[:alpha:]] are an error (git: supported, or no match when unknown)';
const UNCLOSED = "an unclosed '[' is an error (git: matches nothing)";

/** [pattern, text, reason]: Ferry refuses the pattern where git answers (every deviation is an error). */
const DEVIATIONS: [string, string, string][] = [
  ['', '', EMPTY],
  ['', 'foo', EMPTY],
  ['foo\\', 'foo\\', LONE_BACKSLASH],
  ['\\', '', LONE_BACKSLASH],
  ['\\', '\\', LONE_BACKSLASH],
  ['*/\\', 'XXX/\\', LONE_BACKSLASH],
  ['\\a\\b\\c', 'abc', ESCAPE],
  ['[\\1-\\3]', '2', ESCAPE],
  ['[\\1-\\3]', '3', ESCAPE],
  ['[\\1-\\3]', '4', ESCAPE],
  ['[[::]ab]', '[ab]', POSIX],
  ['[[:alpha:]][[:digit:]][[:upper:]]', 'a1B', POSIX],
  ['[[:digit:][:upper:][:space:]]', 'a', POSIX],
  ['[[:digit:][:upper:][:space:]]', 'A', POSIX],
  ['[[:digit:][:upper:][:space:]]', '1', POSIX],
  ['[[:digit:][:upper:][:spaci:]]', '1', POSIX],
  ['[[:digit:][:upper:][:space:]]', ' ', POSIX],
  ['[[:digit:][:upper:][:space:]]', '.', POSIX],
  ['[[:digit:][:punct:][:space:]]', '.', POSIX],
  ['[[:xdigit:]]', '5', POSIX],
  ['[[:xdigit:]]', 'f', POSIX],
  ['[[:xdigit:]]', 'D', POSIX],
  [
    '[[:alnum:][:alpha:][:blank:][:cntrl:][:digit:][:graph:][:lower:][:print:][:punct:][:space:][:upper:][:xdigit:]]',
    '_',
    POSIX,
  ],
  ['[^[:alnum:][:alpha:][:blank:][:cntrl:][:digit:][:lower:][:space:][:upper:][:xdigit:]]', '.', POSIX],
  ['[a-c[:digit:]x-z]', '5', POSIX],
  ['[a-c[:digit:]x-z]', 'b', POSIX],
  ['[a-c[:digit:]x-z]', 'y', POSIX],
  ['[a-c[:digit:]x-z]', 'q', POSIX],
  ['[[:upper:]]', 'a', POSIX],
  ['[[:upper:]]', 'A', POSIX],
  ['[[:lower:]]', 'A', POSIX],
  ['[[:lower:]]', 'a', POSIX],
  ['a[]b', 'ab', UNCLOSED],
  ['a[]b', 'a[]b', UNCLOSED],
  ['ab[', 'ab[', UNCLOSED],
  ['[!', 'ab', UNCLOSED],
  ['[-', 'ab', UNCLOSED],
  ['[a-', '-', UNCLOSED],
  ['[!a-', '-', UNCLOSED],
  ['[\\]', '\\', UNCLOSED],
];

type Outcome = '1' | '0' | 'error';

/** The glob engine alone (globMatcher: ignore, preserve and forbidden lists use it). */
function globOutcome(pattern: string, text: string): Outcome {
  let matches: (p: string) => boolean;
  try {
    matches = globMatcher(pattern);
  } catch {
    return 'error';
  }
  return matches(text) ? '1' : '0';
}

/** The pattern as an allowlist line: parse (file:line errors), then the rule index. */
function allowlistOutcome(pattern: string, text: string): Outcome | 'skipped' {
  const parsed = parseAllowlist(pattern, 'wildmatch.txt');
  if (parsed.errors.length) return 'error';
  if (parsed.rules.length === 0) return 'skipped';
  return compileAllowlist(parsed.rules).selects(text) ? '1' : '0';
}

const file = sharedFile(VECTORS);
if (!file)
  console.warn(
    `allowlist-wildmatch: SKIPPED, ../shared/${VECTORS} is not beside the repository (a fresh clone has no ../shared).`,
  );
const describeWithVectors = file ? describe : describe.skip;

describeWithVectors("git's wildmatch vectors (t3070, WM_PATHNAME)", () => {
  const vectors: Vector[] = file ? (JSON.parse(readFileSync(file, 'utf8')) as { cases: Vector[] }).cases : [];
  const deviation = (v: Vector) => DEVIATIONS.find(([p, t]) => p === v.pattern && t === v.text);

  test('the vectors are there (the file is read, not an empty list)', () => {
    expect(vectors.length).toBeGreaterThan(150);
  });

  test('every vector agrees with git, except the listed deviations', () => {
    const wrong: string[] = [];
    for (const v of vectors) {
      const got = globOutcome(v.pattern, v.text);
      const dev = deviation(v);
      const want = dev ? 'error' : v.wildmatch_pathname;
      if (got !== want)
        wrong.push(
          `line ${v.line}: '${v.pattern}' on '${v.text}': git ${v.wildmatch_pathname}, Ferry ${got}`,
        );
    }
    expect(wrong).toEqual([]);
  });

  test('an allowlist line means the same as the glob', () => {
    const differ: string[] = [];
    for (const v of vectors) {
      const a = allowlistOutcome(v.pattern, v.text);
      const g = globOutcome(v.pattern, v.text);
      if (a !== g && !(a === 'skipped' && v.pattern === ''))
        differ.push(`line ${v.line}: '${v.pattern}' on '${v.text}': allowlist ${a}, glob ${g}`);
    }
    expect(differ).toEqual([]);
  });

  test('each deviation names a vector git answers differently', () => {
    for (const [pattern, text] of DEVIATIONS) {
      const v = vectors.find((x) => x.pattern === pattern && x.text === text);
      expect({ pattern, text, found: v !== undefined }).toEqual({ pattern, text, found: true });
    }
  });

  test("git's exponential case is decided (its limit is 2 s; the bench times it)", () => {
    const { exponential_case: e } = JSON.parse(readFileSync(file!, 'utf8')) as {
      exponential_case: { pattern: string; text: string };
    };
    expect(globOutcome(e.pattern, e.text)).toBe('0');
    expect(globOutcome(e.pattern, e.text.slice(0, -1))).toBe('1');
  });
});
