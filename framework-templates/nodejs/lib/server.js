'use strict';
// The HTTP server that serves one function.

const http = require('node:http');
const { enrichRequest, enrichResponse } = require('./request');
const cloudevents = require('./cloudevents');

// openfunction is served by serveOpenFunction (openfunction.js).
const SIGNATURES = ['http', 'cloudevent', 'openfunction'];

function errorStatus(err) {
  return Number.isInteger(err && err.status) ? err.status : 500;
}

/** Wraps fn into a node:http request listener for signature. */
function makeHandler(fn, signature) {
  if (!SIGNATURES.includes(signature) || signature === 'openfunction') {
    throw new Error(`FUNCTION_SIGNATURE_TYPE=${signature} is not supported (want one of: ${SIGNATURES.join(', ')})`);
  }
  return async (req, res) => {
    enrichResponse(res);
    if (req.url === '/favicon.ico' || req.url === '/robots.txt') {
      res.status(404).send('Not Found');
      return;
    }
    try {
      await enrichRequest(req);
      if (signature === 'http') {
        await fn(req, res);
        return;
      }
      if (req.method !== 'POST') {
        res.status(405).set('allow', 'POST').send('CloudEvents are delivered with POST');
        return;
      }
      const event = cloudevents.fromRequest(req);
      await fn(event);
      if (!res.writableEnded) res.status(200).send();
    } catch (err) {
      const status = errorStatus(err);
      if (status >= 500) console.error(`function error serving ${req.method} ${req.url}:`, err);
      if (!res.headersSent) {
        res.status(status).set('content-type', 'text/plain; charset=utf-8').send(status >= 500 ? 'Internal Server Error' : String(err.message));
      } else if (!res.writableEnded) {
        res.end();
      }
    }
  };
}

/**
 * Listens on port and resolves with the server once it accepts connections.
 * SIGTERM/SIGINT (or server.stop()) drains in-flight requests, waiting at most
 * graceMs; server.closed resolves when it is done.
 */
function serve(fn, { port = 8080, signature = 'http', graceMs = 10000, host } = {}) {
  const server = http.createServer(makeHandler(fn, signature));
  server.closed = new Promise((resolve) => server.once('close', resolve));
  server.stop = () => {
    server.close();
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), graceMs).unref();
  };
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      process.once('SIGTERM', server.stop);
      process.once('SIGINT', server.stop);
      resolve(server);
    });
  });
}

module.exports = { makeHandler, serve, SIGNATURES };
