// A jest reporter that fails the run when a test's token shows up in what the test run prints:
// the console output a test file captured, its failure messages, its test names. The tokens are the
// string literals a test file assigns to a *TOKEN* name (`const TOKEN = 'ghs_...'`,
// `{ FERRY_TOKEN: '...' }`), read from the file itself, so a new test is covered without a list.
// A token is never printed whole here either: its first four characters name it.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const TOKEN_LITERAL = /\b[A-Za-z_]*TOKEN[A-Za-z_]*\s*[=:]\s*(['"`])([^'"`\s$\\]{8,})\1/g;

export function tokensIn(source) {
  return [...new Set([...source.matchAll(TOKEN_LITERAL)].map((m) => m[2]))];
}

/** The texts of one test file's result that end up in the test log. */
export function loggedTexts(result) {
  return [
    ...(result.console ?? []).map((c) => c.message),
    result.failureMessage ?? '',
    ...(result.testResults ?? []).flatMap((t) => [t.fullName ?? '', ...(t.failureMessages ?? [])]),
  ];
}

export default class TokenLogReporter {
  #leaks = [];

  onTestResult(_test, result) {
    let source;
    try {
      source = readFileSync(result.testFilePath, 'utf8');
    } catch {
      return;
    }
    const texts = loggedTexts(result);
    for (const token of tokensIn(source))
      if (texts.some((t) => t.includes(token)))
        this.#leaks.push(`${path.relative(process.cwd(), result.testFilePath)}: token '${token.slice(0, 4)}…'`);
  }

  onRunComplete() {
    if (this.#leaks.length)
      process.stderr.write(`\nTest tokens found in the test log:\n${this.#leaks.map((l) => `  ${l}`).join('\n')}\n`);
  }

  getLastError() {
    if (this.#leaks.length) return new Error(`${this.#leaks.length} test token(s) found in the test log`);
    return undefined;
  }
}
