#!/usr/bin/env node
'use strict';
// `npm run build` starts from an empty dist/: a module deleted or moved in src/ must not live on in the package.
require('fs').rmSync(require('path').join(__dirname, '..', 'dist'), { recursive: true, force: true });
