/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Transpile only: `npm run typecheck` type-checks the whole tree once, faster than per test file.
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Tests carry no time limits (speed is measured by `npm run bench`); this only stops a hung test eventually.
  testTimeout: 30 * 60 * 1000,
  // Two test files at a time on two cores: most files spend their time in child processes and file writes, so the
  // suite takes about half the wall time of jest's default (cores − 1 = one worker here).
  maxWorkers: 2,
};
