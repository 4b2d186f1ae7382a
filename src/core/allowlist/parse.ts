import { promises as fs } from 'node:fs';
import { ConfigurationError, ConfigurationErrors } from '../errors.js';
import { compileGlob, GlobSyntaxError, type CompiledGlob } from './glob.js';

/** One allowlist line. `file:line` travels with every rule so every message can point at it. */
export interface Rule {
  /** The pattern without `!` and without a leading `/`. */
  pattern: string;
  negated: boolean;
  /** The line as written (trimmed). */
  text: string;
  file: string;
  line: number;
  glob: CompiledGlob;
}

export interface ParsedAllowlist {
  file: string;
  rules: Rule[];
  errors: ConfigurationError[];
}

/**
 * Parse allowlist text. Bad lines are collected as errors (with file:line and the fix);
 * callers that need a valid list use `parseAllowlistStrict`.
 */
export function parseAllowlist(text: string, file = '<allowlist>'): ParsedAllowlist {
  const rules: Rule[] = [];
  const errors: ConfigurationError[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const err = (msg: string, fix: string) =>
      errors.push(new ConfigurationError(`${msg}. Fix: ${fix}.`, { file, line: lineNo }));
    let text = lines[i].replace(/\r$/, '');
    if (text.includes('\0')) {
      err(
        'NUL byte in rule',
        'remove the NUL character; the file may be binary or UTF-16 encoded (save it as UTF-8)',
      );
      continue;
    }
    text = trimBlanks(text);
    if (text === '' || text.startsWith('#')) continue;
    let negated = false;
    let body = text;
    if (body.startsWith('!')) {
      negated = true;
      body = body.slice(1).trimStart(); // the end is trimmed already, escaped blanks kept
      if (body === '') {
        err("empty exclude rule '!'", "write the path to exclude after '!', e.g. '!secrets/'");
        continue;
      }
    }
    if (/^[A-Za-z]:[\\/]/.test(body) || body.startsWith('\\\\') || body.startsWith('~')) {
      err(
        `absolute OS path '${body}'`,
        "write the path relative to the repository root with '/' separators, e.g. 'src/app/**'",
      );
      continue;
    }
    const stripped = body.replace(/^\/+/, '');
    const segments = stripped.split('/');
    if (segments.includes('..')) {
      err(
        `'..' segment in '${body}'`,
        'rules are anchored at the repository root and cannot leave it; remove the ..',
      );
      continue;
    }
    if (segments.slice(0, -1).includes('') || segments.includes('.')) {
      err(`empty or '.' path segment in '${body}'`, "remove the extra '/' or './'");
      continue;
    }
    try {
      const glob = compileGlob(stripped.length === 0 ? body : stripped);
      rules.push({ pattern: glob.pattern, negated, text, file, line: lineNo, glob });
    } catch (e) {
      if (e instanceof GlobSyntaxError) err(`${e.message} in '${body}'`, e.fix);
      else throw e;
    }
  }
  return { file, rules, errors };
}

/**
 * Trim blanks, but keep a trailing blank that is escaped: 'name\\ ' names a file ending in a space.
 * The blank is escaped only after an odd run of backslashes ('a\\\\ ' is 'a\\' and a blank to trim).
 */
function trimBlanks(line: string): string {
  const text = line.trimStart();
  let end = text.length;
  while (end > 0 && /\s/.test(text[end - 1])) {
    let backslashes = 0;
    while (text[end - 2 - backslashes] === '\\') backslashes++;
    if (backslashes % 2 === 1) break;
    end--;
  }
  return text.slice(0, end);
}

export function parseAllowlistStrict(text: string, file = '<allowlist>'): Rule[] {
  const parsed = parseAllowlist(text, file);
  if (parsed.errors.length === 1) throw parsed.errors[0];
  if (parsed.errors.length > 1) throw new ConfigurationErrors(parsed.errors);
  return parsed.rules;
}

export async function readAllowlistFile(file: string): Promise<ParsedAllowlist> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigurationError(
      code === 'ENOENT'
        ? `Allowlist '${file}' does not exist. Check the path (it is relative to the working directory).`
        : `Cannot read allowlist '${file}': ${code}`,
    );
  }
  return parseAllowlist(text, file);
}

export async function loadAllowlistStrict(file: string): Promise<Rule[]> {
  const parsed = await readAllowlistFile(file);
  if (parsed.errors.length === 1) throw parsed.errors[0];
  if (parsed.errors.length > 1) throw new ConfigurationErrors(parsed.errors);
  return parsed.rules;
}
