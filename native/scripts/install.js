'use strict';
// Install step of the optional native kernels. Exits non-zero (npm then drops this optional package
// and netspec runs on the wasm fallback) when oneDNN's headers are missing or NETSPEC_NATIVE_BUILD=0.
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { oneDnnIncludeDir } = require('./onednn-headers');

function skip(reason) {
  console.error(`netspec-native: not built: ${reason}. netspec will use the portable wasm kernels.`);
  process.exit(1);
}

if (process.env.NETSPEC_NATIVE_BUILD === '0') skip('NETSPEC_NATIVE_BUILD=0');

if (oneDnnIncludeDir() === undefined) {
  skip('oneDNN headers not found (Debian/Ubuntu: apt-get install libdnnl-dev)');
}

// npm hands its bundled node-gyp to lifecycle scripts; it builds offline against the configured nodedir.
const bundled = process.env.npm_config_node_gyp;
const [command, args] = bundled ? [process.execPath, [bundled, 'rebuild']] : ['node-gyp', ['rebuild']];
const result = spawnSync(command, args, { stdio: 'inherit', cwd: path.join(__dirname, '..') });
if (result.error) skip(`could not run node-gyp (${result.error.message})`);
process.exit(result.status ?? 1);
