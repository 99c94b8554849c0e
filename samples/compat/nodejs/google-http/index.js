// Written the way Google's Cloud Functions documentation writes an HTTP
// function: declarative registration with functions.http, Express req/res.
const fs = require('fs');
const functions = require('@google-cloud/functions-framework');
const { barrier } = require('./barrier');

functions.http('helloHttp', (req, res) => {
  res.send(`Hello ${req.query.name || req.body.name || 'World'}!`);
});

// What a function sees of the request, for the e2e test.
functions.http('inspect', (req, res) => {
  res.set('X-Function', 'inspect').status(200).json({
    method: req.method,
    path: req.path,
    query: req.query,
    contentType: req.get('content-type') || null,
    body: Buffer.isBuffer(req.body) ? { buffer: req.body.toString('base64') } : req.body,
    rawBody: req.rawBody ? req.rawBody.toString('utf8') : null,
  });
});

// The functions-framework conformance protocol's HTTP function: the body goes
// to function_output.json; ?barrier=ID&parties=N waits for N calls at once.
functions.http('conformanceHttp', async (req, res) => {
  if (req.query.barrier) {
    res.send(String(await barrier(req.query.barrier, Number(req.query.parties))));
    return;
  }
  fs.writeFileSync('function_output.json', JSON.stringify(req.body));
  res.status(200).end();
});
