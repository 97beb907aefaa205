#!/usr/bin/env node
// Rewrites docs/spec-reference.md from the JSON Schema (run after `npm run build`).
'use strict';
const fs = require('fs');
const path = require('path');
const { renderSpecReference } = require('../dist/spec/reference-doc');
const root = path.join(__dirname, '..');
const schema = JSON.parse(fs.readFileSync(path.join(root, 'specs', 'netspec.schema.json'), 'utf8'));
fs.writeFileSync(path.join(root, 'docs', 'spec-reference.md'), renderSpecReference(schema));
