/** Jest runs the TypeScript sources directly (ts-jest, ESM). */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, isolatedModules: true, tsconfig: 'tsconfig.json' }],
  },
  testMatch: ['<rootDir>/tests/**/*.test.ts'],
  testTimeout: 60000,
  maxWorkers: 2,
  // A token of a test found in the test log (console output, failure messages) fails the run.
  reporters: ['default', '<rootDir>/scripts/jest-token-reporter.mjs'],
  setupFilesAfterEnv: ['<rootDir>/tests/support/token-guard.ts'],
};
