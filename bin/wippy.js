#!/usr/bin/env node
'use strict';
// The `wippy` command. The TypeScript sources are compiled to dist/ by `npm install` (prepare).
require('../dist/bin/cli.js').main(process.argv);
