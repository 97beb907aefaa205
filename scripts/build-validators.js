#!/usr/bin/env node
// Writes the JSON Schema validators as standalone JavaScript into dist/spec (part of `npm run build`).
'use strict';
const { writeStandaloneValidators } = require('../dist/spec/validators');
writeStandaloneValidators();
