#!/usr/bin/env node
'use strict';
// Used by the Kiln Node function buildpack at build time: loads the module
// like the server will and prints {"exports":[...],"single":bool} as JSON.
//   node check.js /workspace/index.js
const { loadModule, exportedFunctions } = require('../lib/loader');

loadModule(process.argv[2]).then((mod) => {
  const exports = exportedFunctions(mod);
  console.log(JSON.stringify({ exports, single: typeof mod.default === 'function' && exports.length === 0 }));
}).catch((err) => {
  console.error(err && err.stack ? err.stack : String(err));
  process.exit(2);
});
