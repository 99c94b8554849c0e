'use strict';
// The HTTP server that serves one function.

const http = require('node:http');
const { enrichRequest, enrichResponse } = require('./request');
const cloudevents = require('./cloudevents');
const { limitsFromEnv, serverOptions } = require('./limits');

// openfunction is served by serveOpenFunction (openfunction.js).
const SIGNATURES = ['http', 'cloudevent', 'openfunction'];

function errorStatus(err) {
  return Number.isInteger(err && err.status) ? err.status : 500;
}

/**
 * Wraps an async request listener so that no rejection escapes it: node:http
 * ignores the promise a listener returns, and an unhandled rejection ends
 * the process.
 */
function guard(handler) {
  return (req, res) => {
    handler(req, res).catch((err) => {
      console.error(`serving ${req.method} ${req.url}:`, err);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('Internal Server Error');
      else res.destroy();
    });
  };
}

/** Wraps fn into a node:http request listener for signature. */
function makeHandler(fn, signature, { maxBodyBytes } = {}) {
  if (!SIGNATURES.includes(signature) || signature === 'openfunction') {
    throw new Error(`FUNCTION_SIGNATURE_TYPE=${signature} is not supported (want one of: ${SIGNATURES.join(', ')})`);
  }
  return guard(async (req, res) => {
    enrichResponse(res);
    try {
      await enrichRequest(req, maxBodyBytes);
      if (req.path === '/favicon.ico' || req.path === '/robots.txt') {
        res.status(404).send('Not Found');
        return;
      }
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
        if (status === 413) res.set('connection', 'close');
        res.status(status).set('content-type', 'text/plain; charset=utf-8').send(status >= 500 ? 'Internal Server Error' : String(err.message));
      } else if (!res.writableEnded) {
        res.end();
      }
    }
  });
}

/**
 * Creates a node:http server for handler with the limits (KILN_MAX_BODY_BYTES
 * and KILN_READ_HEADER_TIMEOUT from env by default), listens on port and
 * resolves with the server once it accepts connections. SIGTERM/SIGINT (or
 * server.stop()) stops accepting, closes idle connections and drains
 * in-flight requests, waiting at most graceMs; server.closed resolves when it
 * is done.
 */
function listen(handler, limits, { port, host, graceMs = 10000, classes }) {
  // classes: { IncomingMessage, ServerResponse } for the compatibility layer's
  // Express-style request and response (lib/compat/express.js).
  const server = http.createServer({ ...serverOptions(limits), ...classes }, handler);
  server.closed = new Promise((resolve) => server.once('close', resolve));
  server.stop = () => {
    server.close();
    server.closeIdleConnections();
    // A kept-alive connection whose response finishes during the drain turns
    // idle; close those as they come rather than after keepAliveTimeout.
    const idle = setInterval(() => server.closeIdleConnections(), 100).unref();
    server.once('close', () => clearInterval(idle));
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

/**
 * Serves fn (http or cloudevent). With compat (a framework kind: "google",
 * "openfunction") the function gets what that framework gives it (see
 * lib/compat/server.js).
 */
function serve(fn, { port = 8080, signature = 'http', graceMs = 10000, host, env = process.env, compat } = {}) {
  const limits = limitsFromEnv(env);
  if (compat) {
    const { makeCompatHandler, classes } = require('./compat/server');
    return listen(makeCompatHandler(fn, signature, { ...limits, kind: compat }), limits, { port, host, graceMs, classes });
  }
  return listen(makeHandler(fn, signature, limits), limits, { port, host, graceMs });
}

module.exports = { makeHandler, serve, listen, guard, errorStatus, SIGNATURES };
