// Types of jest-token-reporter.mjs, for the tests that use it.
export function tokensIn(source: string): string[];
export function loggedTexts(result: unknown): string[];
export default class TokenLogReporter {
  onTestResult(test: unknown, result: unknown): void;
  onRunComplete(): void;
  getLastError(): Error | undefined;
}
