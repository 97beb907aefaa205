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
  // Test files run in a vm context, where every read of a global (Math, isNaN, a typed-array constructor) goes through
  // an uncached interceptor: tfjs' random initialisers, for one, ran 12× slower here than in plain Node. Passing these
  // into each module's wrapper makes them ordinary local reads.
  sandboxInjectedGlobals: [
    'Math', 'isNaN', 'isFinite', 'Number', 'Array', 'Object', 'String', 'Symbol', 'Map', 'Set', 'WeakMap', 'Promise',
    'Error', 'TypeError', 'RangeError', 'JSON', 'Date', 'ArrayBuffer', 'DataView', 'Float32Array', 'Float64Array',
    'Int8Array', 'Int16Array', 'Int32Array', 'Uint8Array', 'Uint8ClampedArray', 'Uint16Array', 'Uint32Array',
    'BigInt', 'parseInt', 'parseFloat', 'Infinity',
  ],
};
