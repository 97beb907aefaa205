'use strict';
// Where oneDNN's C++ headers are, searched the way the compiler searches: CPLUS_INCLUDE_PATH, CPATH, then the system
// include directories. Shared by the install step and the package test, so both decide "oneDNN present" alike.
const { existsSync } = require('node:fs');
const path = require('node:path');

/** The include directory holding oneapi/dnnl/dnnl.hpp, or undefined. */
function oneDnnIncludeDir(env = process.env) {
  const dirs = [
    ...(env.CPLUS_INCLUDE_PATH ?? '').split(path.delimiter),
    ...(env.CPATH ?? '').split(path.delimiter),
    '/usr/local/include',
    '/usr/include',
  ].filter((dir) => dir !== '');
  return dirs.find((dir) => existsSync(path.join(dir, 'oneapi', 'dnnl', 'dnnl.hpp')));
}

module.exports = { oneDnnIncludeDir };
