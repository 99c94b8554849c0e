'use strict';
// CloudEvents v1.0 over HTTP: binary mode (ce-* headers, body is data) and
// structured mode (application/cloudevents+json).

const STRUCTURED = 'application/cloudevents+json';
const REQUIRED = ['specversion', 'id', 'source', 'type'];

function isJSONType(t) {
  const m = String(t || '').split(';')[0].trim().toLowerCase();
  return m === '' || m === 'application/json' || m === 'text/json' || m.endsWith('+json');
}

/** Builds the event from a request enriched by request.js (rawBody set). */
function fromRequest(req) {
  const type = String(req.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
  let event;
  if (type === STRUCTURED) {
    try {
      event = JSON.parse(req.rawBody.toString('utf8'));
    } catch (e) {
      throw badRequest(`structured CloudEvent is not JSON: ${e.message}`);
    }
    if (event.data_base64 !== undefined) {
      event.data = Buffer.from(event.data_base64, 'base64');
      delete event.data_base64;
    }
  } else {
    if (!req.headers['ce-specversion']) {
      throw badRequest(`request is neither binary mode (no ce-specversion header) nor structured mode (Content-Type is "${type}", want ${STRUCTURED})`);
    }
    event = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (k.startsWith('ce-')) event[k.slice(3)] = v;
    }
    if (req.headers['content-type']) event.datacontenttype = req.headers['content-type'];
    if (req.rawBody.length > 0) {
      if (isJSONType(event.datacontenttype)) {
        try {
          event.data = JSON.parse(req.rawBody.toString('utf8'));
        } catch {
          event.data = req.rawBody.toString('utf8');
        }
      } else if (String(event.datacontenttype).startsWith('text/')) {
        event.data = req.rawBody.toString('utf8');
      } else {
        event.data = req.rawBody;
      }
    }
  }
  const missing = REQUIRED.filter((a) => !event[a]);
  if (missing.length) throw badRequest(`CloudEvent is missing required attribute(s): ${missing.join(', ')}`);
  if (event.specversion !== '1.0') throw badRequest(`CloudEvent specversion "${event.specversion}" is not supported (want 1.0)`);
  return event;
}

/** The structured JSON form of an event (Buffers become data_base64). */
function toJSON(event) {
  const out = { ...event };
  if (Buffer.isBuffer(out.data)) {
    out.data_base64 = out.data.toString('base64');
    delete out.data;
  }
  return out;
}

function badRequest(msg) {
  return Object.assign(new Error(msg), { status: 400 });
}

module.exports = { fromRequest, toJSON, STRUCTURED };
