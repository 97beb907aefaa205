'use strict';
// The compiled oneDNN addon. Throws when it was not built; callers fall back to portable kernels.
try {
  module.exports = require('./build/Release/netspec_native.node');
} catch (cause) {
  throw new Error(
    'netspec-native is not built (it needs libdnnl-dev and a C++ compiler at install time; ' +
      'install them, then run `npm rebuild netspec-native`)',
    { cause },
  );
}
