#!/usr/bin/env node
'use strict';
// The compiled CLI lives in dist/src (built by `npm run build`, which `npm ci` runs through `prepare`).
let cli;
try {
  cli = require('../dist/src/cli/main.js');
} catch (e) {
  if (e.code !== 'MODULE_NOT_FOUND' || !String(e.message).includes('dist/src/cli/main.js')) throw e;
  process.stderr.write('netspec: error: the compiled CLI (dist/) is missing\n  hint: run `npm run build` in the netspec folder\n');
  process.exit(2);
}
cli.main(process.argv);
