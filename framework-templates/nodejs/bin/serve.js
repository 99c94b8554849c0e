#!/usr/bin/env node
'use strict';
// Serves $FUNCTION_TARGET from $FUNCTION_SOURCE on $PORT.
//   FUNCTION_SOURCE=/workspace/index.js FUNCTION_TARGET=hello PORT=8080 node serve.js
const { loadFunction, serve, serveOpenFunction, version } = require('../lib');

async function main() {
  const source = process.env.FUNCTION_SOURCE;
  const target = process.env.FUNCTION_TARGET || process.env.FUNC_NAME;
  const signature = (process.env.FUNCTION_SIGNATURE_TYPE || 'http').toLowerCase();
  const port = Number(process.env.PORT || 8080);
  if (!source) throw new Error('FUNCTION_SOURCE is not set: the path of the file that exports the function');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`env PORT=${process.env.PORT} is not a TCP port`);
  const fn = await loadFunction(source, target);
  if (signature === 'openfunction') {
    const server = await serveOpenFunction(fn, { port });
    const { ctx } = server.runtime;
    const where = ctx.runtime === 'Async'
      ? `Dapr app protocol http, inputs ${Object.keys(ctx.inputs).join(', ')}` : 'HTTP';
    console.log(`kiln functions framework (node) ${version}: serving openfunction function "${target}" from ${source} on port ${server.address().port} (${where}; outputs: ${Object.keys(ctx.outputs).join(', ') || 'none'})`);
    await server.closed;
    console.log('kiln functions framework (node): stopped');
    return;
  }
  const server = await serve(fn, { port, signature });
  console.log(`kiln functions framework (node) ${version}: serving ${signature} function "${target}" from ${source} on port ${server.address().port}`);
  await server.closed;
  console.log('kiln functions framework (node): stopped');
}

main().catch((err) => {
  console.error(`kiln functions framework (node): ${err.message}`);
  process.exit(1);
});
