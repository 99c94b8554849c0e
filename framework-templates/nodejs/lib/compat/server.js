'use strict';
// Serving HTTP and CloudEvent functions written against Google's or
// OpenFunction's framework, on Kiln's server: the request and response are
// Express-style (express.js), the body is parsed by Content-Type as
// body-parser does, and a CloudEvent function gets the event as those
// frameworks give it (attributes and data on one object; a callback as a
// second parameter when it declares one; what it returns is the response).
// Limits, draining and the 404 for browser noise are the native server's.

const { guard, errorStatus } = require('../server');
const { readBody } = require('../request');
const cloudevents = require('../cloudevents');
const { Request, Response, parseBody } = require('./express');

const classes = { IncomingMessage: Request, ServerResponse: Response };

// The header each framework sets on a crash response.
const STATUS_HEADER = { google: 'X-Google-Status', openfunction: 'X-OpenFunction-Status' };

/** Runs a callback-style CloudEvent function (event, callback) as a promise. */
function callbackStyle(fn, event) {
  return new Promise((resolve, reject) => {
    const done = (err, result) => (err ? reject(err) : resolve(result));
    Promise.resolve().then(() => fn(event, done)).catch(reject);
  });
}

/** Wraps fn (http or cloudevent) into a request listener for the classes above. */
function makeCompatHandler(fn, signature, { maxBodyBytes, kind } = {}) {
  if (signature !== 'http' && signature !== 'cloudevent') {
    throw new Error(`FUNCTION_SIGNATURE_TYPE=${signature}: the ${kind} compatibility layer serves http and cloudevent here (openfunction is served by serveOpenFunction)`);
  }
  const statusHeader = STATUS_HEADER[kind];
  return guard(async (req, res) => {
    try {
      req.rawBody = await readBody(req, maxBodyBytes);
      req.body = parseBody(req.headers['content-type'], req.rawBody);
      if (signature === 'http') {
        const path = req.path;
        if (path === '/favicon.ico' || path === '/robots.txt') {
          res.statusCode = 404;
          res.end();
          return;
        }
        await fn(req, res);
        return;
      }
      if (req.method !== 'POST') {
        res.status(405).set('Allow', 'POST').send('CloudEvents are delivered with POST');
        return;
      }
      const event = cloudevents.fromRequest(req);
      if (req.headers.traceparent) event.traceparent = req.headers.traceparent;
      const result = fn.length > 1 ? await callbackStyle(fn, event) : await fn(event);
      if (res.writableEnded) return;
      if (result === undefined || result === null) res.status(200).end();
      else if (typeof result === 'number') res.json(result);
      else res.send(result);
    } catch (err) {
      const status = errorStatus(err);
      if (status >= 500) console.error(`function error serving ${req.method} ${req.url}:`, err);
      if (!res.headersSent) {
        if (status === 413) res.setHeader('Connection', 'close');
        if (status >= 500 && statusHeader) res.setHeader(statusHeader, 'crash');
        res.status(status).set('Content-Type', 'text/plain; charset=utf-8').end(status >= 500 ? 'Internal Server Error' : String(err.message));
      } else if (!res.writableEnded) {
        res.end();
      }
    }
  });
}

module.exports = { makeCompatHandler, classes, callbackStyle };
