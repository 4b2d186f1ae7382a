import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import TokenLogReporter, { tokensIn } from '../../scripts/jest-token-reporter.mjs';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

/** The check behind "a search of the test logs for the test tokens finds nothing" (jest.config.js). */
afterAll(cleanupTmp);

test('the tokens a test file assigns are found in its source', () => {
  const src = `const TOKEN = 'ghs_abcdefgh1234';\nrun({ env: { FERRY_TOKEN: "ferry-secret-99", GITHUB_SERVER_URL: 'x' } });\nconst WIKI_TOKEN = \`\${a}b\`;\n`;
  expect(tokensIn(src)).toEqual(['ghs_abcdefgh1234', 'ferry-secret-99']);
});

test('a token in a test log fails the run; a log without one does not', async () => {
  const file = path.join(await tmpDir('ferry-reporter-'), 'x.test.ts');
  await fs.writeFile(file, "const TOKEN = 'ghs_leaky_0123456';\n");
  const result = (message: string) => ({
    testFilePath: file,
    console: [{ message }],
    failureMessage: null,
    testResults: [{ fullName: 'a test', failureMessages: [] }],
  });
  const clean = new TokenLogReporter();
  clean.onTestResult(undefined, result('git push: Authentication failed for ***'));
  expect(clean.getLastError()).toBeUndefined();
  const leaky = new TokenLogReporter();
  leaky.onTestResult(undefined, result('Authorization: ghs_leaky_0123456'));
  expect(leaky.getLastError()?.message).toBe('1 test token(s) found in the test log');
});
