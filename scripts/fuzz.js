#!/usr/bin/env node
// `npm run fuzz -- --runs N [--seed S]`: the property tests of test/fuzz with N cases per property (CI runs 100).
const { spawnSync } = require('child_process');
const path = require('path');

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const runs = option('--runs') ?? '1000';
if (!/^\d+$/.test(runs)) {
  process.stderr.write(`--runs expects a whole number; got '${runs}'\n`);
  process.exit(2);
}
const env = { ...process.env, NETSPEC_FUZZ_RUNS: runs };
if (option('--seed')) env.NETSPEC_FUZZ_SEED = option('--seed');
const jest = path.join(__dirname, '..', 'node_modules', 'jest', 'bin', 'jest.js');
const result = spawnSync(process.execPath, [jest, 'test/fuzz', '--verbose'], { stdio: 'inherit', env, cwd: path.join(__dirname, '..') });
process.exit(result.status ?? 1);
