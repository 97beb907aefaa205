#!/usr/bin/env node
// Writes the JSON Schema validators as standalone JavaScript into dist/src/spec (part of `npm run build`).
'use strict';
const { writeStandaloneValidators } = require('../dist/src/spec/validators');
writeStandaloneValidators();
