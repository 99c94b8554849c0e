#!/usr/bin/env node
'use strict';
// Serves $FUNCTION_TARGET from $FUNCTION_SOURCE on $PORT.
//   FUNCTION_SOURCE=/workspace/index.js FUNCTION_TARGET=hello PORT=8080 node serve.js
// KILN_FUNCTION_COMPAT=google|openfunction (set by the buildpack when the app
// depends on Google's or OpenFunction's framework) serves the function the
// way that framework would, on this server (lib/compat).
const { installFromEnv } = require('../lib/compat/resolve');

async function main() {
  const compat = installFromEnv(process.env);
  const { loadTarget, serve, serveOpenFunction, version } = require('../lib');
  const source = process.env.FUNCTION_SOURCE;
  const target = process.env.FUNCTION_TARGET || process.env.FUNC_NAME;
  const port = Number(process.env.PORT || 8080);
  if (!source) throw new Error('FUNCTION_SOURCE is not set: the path of the file that exports the function');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`env PORT=${process.env.PORT} is not a TCP port`);
  const loaded = await loadTarget(source, target);
  // A registration's signature wins over FUNCTION_SIGNATURE_TYPE, as in Google's framework.
  const signature = (loaded.signature || process.env.FUNCTION_SIGNATURE_TYPE || 'http').toLowerCase();
  const layer = compat.length ? ` (${compat.join(', ')} compatibility)` : '';
  if (signature === 'openfunction') {
    const server = await serveOpenFunction(loaded.fn, { port, compat: compat[0] });
    const { ctx } = server.runtime;
    const where = ctx.runtime === 'Async'
      ? `Dapr app protocol http, inputs ${Object.keys(ctx.inputs).join(', ')}` : 'HTTP';
    console.log(`kiln functions framework (node) ${version}: serving openfunction function "${target}" from ${source} on port ${server.address().port}${layer} (${where}; outputs: ${Object.keys(ctx.outputs).join(', ') || 'none'})`);
    await server.closed;
    console.log('kiln functions framework (node): stopped');
    return;
  }
  const server = await serve(loaded.fn, { port, signature, compat: compat[0] });
  console.log(`kiln functions framework (node) ${version}: serving ${signature} function "${target}" from ${source} on port ${server.address().port}${layer}`);
  await server.closed;
  console.log('kiln functions framework (node): stopped');
}

main().catch((err) => {
  console.error(`kiln functions framework (node): ${err.message}`);
  process.exit(1);
});
