'use strict';
// Express-style helpers on node:http's request and response objects.

const { DEFAULT_MAX_BODY } = require('./limits');

function tooLarge(max) {
  return Object.assign(new Error(`request body larger than ${max} bytes (KILN_MAX_BODY_BYTES)`), { status: 413 });
}

/**
 * Reads the whole body into a Buffer, at most max bytes: beyond that it
 * rejects with a 413 error and drops the rest as it arrives (the client can
 * still read the answer). Rejects too when the client goes away mid-body.
 */
function readBody(req, max = DEFAULT_MAX_BODY) {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > max) {
      req.resume();
      reject(tooLarge(max));
      return;
    }
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      if (size > max) return;
      size += c.length;
      if (size > max) {
        chunks.length = 0;
        reject(tooLarge(max));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(Object.assign(new Error('the client went away mid-body'), { status: 400 }));
    });
  });
}

function mediaType(req) {
  return String(req.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
}

/** Adds query, path, rawBody and a parsed body to req. */
async function enrichRequest(req, maxBodyBytes) {
  const url = new URL(req.url, 'http://localhost');
  req.path = url.pathname;
  req.query = Object.fromEntries(url.searchParams);
  req.rawBody = await readBody(req, maxBodyBytes);
  const type = mediaType(req);
  req.body = req.rawBody;
  if (req.rawBody.length === 0) {
    req.body = undefined;
  } else if (type === 'application/json' || type.endsWith('+json')) {
    try {
      req.body = JSON.parse(req.rawBody.toString('utf8'));
    } catch (e) {
      throw Object.assign(new Error(`request body is not valid JSON: ${e.message}`), { status: 400 });
    }
  } else if (type.startsWith('text/') || type === 'application/x-www-form-urlencoded') {
    req.body = req.rawBody.toString('utf8');
  }
  req.get = (name) => req.headers[String(name).toLowerCase()];
  return req;
}

/** Adds status, set, send and json to res. */
function enrichResponse(res) {
  res.status = (code) => {
    res.statusCode = code;
    return res;
  };
  res.set = (name, value) => {
    res.setHeader(name, value);
    return res;
  };
  res.send = (body) => {
    if (body === undefined || body === null) {
      res.end();
    } else if (Buffer.isBuffer(body)) {
      if (!res.hasHeader('content-type')) res.setHeader('content-type', 'application/octet-stream');
      res.end(body);
    } else if (typeof body === 'object') {
      return res.json(body);
    } else {
      if (!res.hasHeader('content-type')) res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(String(body));
    }
    return res;
  };
  res.json = (obj) => {
    if (!res.hasHeader('content-type')) res.setHeader('content-type', 'application/json; charset=utf-8');
    res.end(JSON.stringify(obj));
    return res;
  };
  res.sendStatus = (code) => res.status(code).send(String(code));
  return res;
}

module.exports = { enrichRequest, enrichResponse, readBody, mediaType };
