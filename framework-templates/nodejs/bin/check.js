#!/usr/bin/env node
'use strict';
// Used by the Kiln Node function buildpack at build time: loads the module
// like the server will (with KILN_FUNCTION_COMPAT's compatibility modules)
// and prints {"exports":[...],"single":bool,"registered":{"name":"signature"}}
// as JSON.
//   node check.js /workspace/index.js
const { installFromEnv } = require('../lib/compat/resolve');

async function main() {
  installFromEnv(process.env);
  const { loadModule, exportedFunctions } = require('../lib/loader');
  const { registrations } = require('../lib/registry');
  const mod = await loadModule(process.argv[2]);
  const exports = exportedFunctions(mod);
  const registered = registrations();
  const single = typeof mod.default === 'function' && exports.length === 0 && Object.keys(registered).length === 0;
  console.log(JSON.stringify({ exports, single, registered }));
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : String(err));
  process.exit(2);
});
