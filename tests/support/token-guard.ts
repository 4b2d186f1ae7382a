/**
 * Runs before each test file (jest.config.js, setupFilesAfterEnv): a console call that would print
 * one of the file's test tokens fails the test instead, whether jest buffers the console or prints
 * it as it comes (one file runs verbose). scripts/jest-token-reporter.mjs checks the rest of the log.
 */
import { readFileSync } from 'node:fs';
import { tokensIn } from '../../scripts/jest-token-reporter.mjs';

const file = expect.getState().testPath;
const tokens = file ? tokensIn(readFileSync(file, 'utf8')) : [];
if (tokens.length)
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[method].bind(console);
    console[method] = (...args: unknown[]) => {
      const text = args.map(String).join(' ');
      if (tokens.some((t) => text.includes(t)))
        throw new Error(
          `A test token was about to be printed (console.${method}): keep tokens out of the test log.`,
        );
      original(...args);
    };
  }
