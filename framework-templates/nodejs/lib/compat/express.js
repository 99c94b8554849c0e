'use strict';
// Express-style request and response classes for functions written against
// Google's or OpenFunction's framework (both serve functions with Express).
// node:http builds every request and response from these classes
// (createServer's IncomingMessage/ServerResponse options), so the helpers
// live on prototypes: nothing is allocated per request until used.
//
// req: get/header, is, path, query (qs's syntax, as Express 4), body
//      (by Content-Type, as body-parser: JSON, text/* a string, urlencoded an
//      object, anything else a Buffer), rawBody, protocol, secure, ip, ips,
//      hostname, originalUrl, params.
// res: status, set/header, get, append, type, send, json, sendStatus,
//      redirect, location, locals.

const http = require('node:http');
const { parseForm } = require('./form');

const BODY = Symbol('kiln.body');
const QUERY = Symbol('kiln.query');
const LOCALS = Symbol('kiln.locals');

function badRequest(msg) {
  return Object.assign(new Error(msg), { status: 400 });
}

/** The media type of a Content-Type header value, lower-cased, without parameters. */
function mediaType(value) {
  return String(value || '').split(';')[0].trim().toLowerCase();
}

function charset(value) {
  const m = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(String(value || ''));
  const cs = m ? m[1].toLowerCase() : 'utf-8';
  return cs === 'iso-8859-1' || cs === 'latin1' ? 'latin1' : 'utf8';
}

/**
 * The body as body-parser gives it to a Google/OpenFunction function:
 * application/json and application/cloudevents+json parsed (a 400 error when
 * malformed), text/* a string, application/x-www-form-urlencoded an object
 * (qs's extended syntax: a[b]=1, a[]=1), anything else the Buffer itself;
 * {} for an empty body (as body-parser 1.x, which Google's documented samples
 * rely on: req.query.name || req.body.name).
 */
function parseBody(contentType, raw) {
  if (!raw || raw.length === 0) return {};
  const type = mediaType(contentType);
  if (type === 'application/json' || type === 'application/cloudevents+json') {
    try {
      return JSON.parse(raw.toString(charset(contentType)));
    } catch (e) {
      throw badRequest(`request body is not valid JSON: ${e.message}`);
    }
  }
  if (type.startsWith('text/')) return raw.toString(charset(contentType));
  if (type === 'application/x-www-form-urlencoded') return parseForm(raw.toString(charset(contentType)));
  return raw;
}

// Short names res.type() and req.is() accept.
const TYPES = {
  json: 'application/json', html: 'text/html', text: 'text/plain', txt: 'text/plain', xml: 'application/xml',
  bin: 'application/octet-stream', octet: 'application/octet-stream', js: 'text/javascript', css: 'text/css',
  csv: 'text/csv', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', svg: 'image/svg+xml',
  pdf: 'application/pdf', urlencoded: 'application/x-www-form-urlencoded', form: 'application/x-www-form-urlencoded',
  multipart: 'multipart/*',
};

function fullType(t) {
  const s = String(t).replace(/^\./, '').toLowerCase();
  return s.includes('/') ? s : TYPES[s] || 'application/octet-stream';
}

function firstForwarded(value) {
  return String(value || '').split(',')[0].trim();
}

class Request extends http.IncomingMessage {
  /** A request header (case-insensitive); Referer and Referrer are one. */
  get(name) {
    const n = String(name).toLowerCase();
    if (n === 'referer' || n === 'referrer') return this.headers.referer || this.headers.referrer;
    return this.headers[n];
  }

  header(name) {
    return this.get(name);
  }

  /** The first of types the body's Content-Type matches (json, text/*, …), false if none, null without a body. */
  is(...types) {
    const list = types.flat();
    if (!this.headers['content-type'] && !this.headers['transfer-encoding'] && !Number(this.headers['content-length'])) return null;
    const actual = mediaType(this.headers['content-type']);
    if (list.length === 0) return actual || false;
    for (const t of list) {
      const want = fullType(t);
      const [wType, wSub] = want.split('/');
      const [aType, aSub] = actual.split('/');
      if ((wType === '*' || wType === aType) && (wSub === '*' || wSub === aSub || (wSub.startsWith('*+') && aSub && aSub.endsWith(wSub.slice(1))))) return t;
    }
    return false;
  }

  get path() {
    const q = this.url.indexOf('?');
    return q < 0 ? this.url : this.url.slice(0, q);
  }

  get query() {
    if (this[QUERY] === undefined) {
      const q = this.url.indexOf('?');
      // qs's extended syntax, as Express 4 (Google's framework through 3.x)
      // parses queries; also far cheaper than copying querystring's
      // null-prototype object.
      this[QUERY] = q < 0 ? {} : parseForm(this.url.slice(q + 1));
    }
    return this[QUERY];
  }

  set query(v) {
    this[QUERY] = v;
  }

  /** The parsed body (see parseBody); computed from rawBody on first use unless set. */
  get body() {
    if (this[BODY] === undefined && this.rawBody) this[BODY] = parseBody(this.headers['content-type'], this.rawBody);
    return this[BODY];
  }

  set body(v) {
    this[BODY] = v;
  }

  get originalUrl() {
    return this.url;
  }

  get params() {
    return {};
  }

  // As Express with "trust proxy" (Google's setting): forwarded headers first.
  get protocol() {
    return firstForwarded(this.headers['x-forwarded-proto']) || (this.socket && this.socket.encrypted ? 'https' : 'http');
  }

  get secure() {
    return this.protocol === 'https';
  }

  get ip() {
    return firstForwarded(this.headers['x-forwarded-for']) || (this.socket && this.socket.remoteAddress);
  }

  get ips() {
    return this.headers['x-forwarded-for'] ? String(this.headers['x-forwarded-for']).split(',').map((s) => s.trim()) : [];
  }

  get hostname() {
    const host = firstForwarded(this.headers['x-forwarded-host']) || this.headers.host || '';
    return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0];
  }

  get xhr() {
    return String(this.headers['x-requested-with'] || '').toLowerCase() === 'xmlhttprequest';
  }
}

class Response extends http.ServerResponse {
  status(code) {
    this.statusCode = code;
    return this;
  }

  /** Sets a header (or each of an object's); returns res. */
  set(field, value) {
    if (field && typeof field === 'object') {
      for (const [k, v] of Object.entries(field)) this.set(k, v);
      return this;
    }
    let v = Array.isArray(value) ? value.map(String) : String(value);
    if (String(field).toLowerCase() === 'content-type' && typeof v === 'string' && !v.includes('/')) v = fullType(v);
    this.setHeader(field, v);
    return this;
  }

  header(field, value) {
    return this.set(field, value);
  }

  get(field) {
    return this.getHeader(field);
  }

  append(field, value) {
    const prev = this.getHeader(field);
    const add = Array.isArray(value) ? value.map(String) : [String(value)];
    this.setHeader(field, prev === undefined ? add : [].concat(prev, add));
    return this;
  }

  type(t) {
    this.setHeader('Content-Type', fullType(t));
    return this;
  }

  contentType(t) {
    return this.type(t);
  }

  get locals() {
    if (!this[LOCALS]) this[LOCALS] = {};
    return this[LOCALS];
  }

  /** Express's res.send: a string (text/html), a Buffer (octet-stream), an object or array (JSON), nothing. */
  send(body) {
    if (body === undefined || body === null) {
      this.end();
    } else if (typeof body === 'string') {
      if (!this.hasHeader('content-type')) this.setHeader('Content-Type', 'text/html; charset=utf-8');
      this.end(body);
    } else if (Buffer.isBuffer(body) || body instanceof Uint8Array) {
      if (!this.hasHeader('content-type')) this.setHeader('Content-Type', 'application/octet-stream');
      this.end(body);
    } else {
      return this.json(body);
    }
    return this;
  }

  json(obj) {
    const body = JSON.stringify(obj);
    if (!this.hasHeader('content-type')) this.setHeader('Content-Type', 'application/json; charset=utf-8');
    this.end(body === undefined ? '' : body);
    return this;
  }

  sendStatus(code) {
    this.statusCode = code;
    if (!this.hasHeader('content-type')) this.setHeader('Content-Type', 'text/plain; charset=utf-8');
    this.end(http.STATUS_CODES[code] || String(code));
    return this;
  }

  location(url) {
    this.setHeader('Location', encodeURI(String(url)).replace(/%25([0-9A-Fa-f]{2})/g, '%$1'));
    return this;
  }

  redirect(a, b) {
    const [code, url] = typeof a === 'number' ? [a, b] : [302, a];
    this.location(url);
    this.statusCode = code;
    if (!this.hasHeader('content-type')) this.setHeader('Content-Type', 'text/plain; charset=utf-8');
    this.end(`${http.STATUS_CODES[code] || code}. Redirecting to ${this.getHeader('location')}`);
    return this;
  }
}

module.exports = { Request, Response, parseBody, mediaType };
