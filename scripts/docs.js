#!/usr/bin/env node
// Rewrites docs/spec-reference.md from the JSON Schema (run after `npm run build`).
'use strict';
const fs = require('fs');
const path = require('path');
const { renderSpecReference } = require('../dist/src/spec/reference-doc');
const root = path.join(__dirname, '..');
const read = (name) => JSON.parse(fs.readFileSync(path.join(root, 'specs', name), 'utf8'));
fs.writeFileSync(path.join(root, 'docs', 'spec-reference.md'), renderSpecReference(read('netspec.schema.json'), read('training.schema.json')));
