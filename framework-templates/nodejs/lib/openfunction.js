'use strict';
// The OpenFunction signature for Node.js: async (ctx, data) => result.
//
// FUNC_CONTEXT (OpenFunction's v1beta1 or v1beta2 shape) names the function's
// Dapr inputs and outputs. Runtime "Async": daprd delivers binding events and
// pub/sub messages over Dapr's HTTP app protocol (APP_PROTOCOL=http).
// Otherwise the function is served over HTTP and may still send to outputs
// (a sync -> async bridge). Outputs go through daprd's HTTP API at
// DAPR_HOST:DAPR_HTTP_PORT; a late daprd is waited for, within
// DAPR_WAIT_TIMEOUT (seconds, default 60).

const http = require('node:http');
const { readBody } = require('./request');
const cloudevents = require('./cloudevents');
const { listen, guard } = require('./server');
const { limitsFromEnv } = require('./limits');
const { stateOperations } = require('./state');

const ENV = 'FUNC_CONTEXT';

function fail(msg) {
  return new Error(`${ENV}: ${msg}`);
}

/** Parses FUNC_CONTEXT in either OpenFunction shape into one form. */
function parseContext(text) {
  let raw;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw fail(`not valid JSON (${e.message}); it is the object the Kiln controller sets, e.g. {"name":"fn","runtime":"Async","inputs":{...}}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw fail('must be a JSON object');
  const v2 = 'triggers' in raw || 'preHooks' in raw || 'postHooks' in raw || 'tracing' in raw;
  const ctx = { name: raw.name || '', version: raw.version || '', runtime: 'Knative', port: 8080, inputs: {}, outputs: {}, states: {} };
  if (v2) {
    const dapr = (raw.triggers && raw.triggers.dapr) || [];
    ctx.runtime = dapr.length > 0 ? 'Async' : 'Knative';
    const port = raw.triggers && raw.triggers.http && raw.triggers.http.port;
    if (port !== undefined) ctx.port = Number(port);
  } else {
    if (raw.runtime !== undefined && raw.runtime !== 'Knative' && raw.runtime !== 'Async') {
      throw fail(`runtime: "${raw.runtime}" is not Knative or Async`);
    }
    ctx.runtime = raw.runtime || 'Knative';
    if (raw.port !== undefined && raw.port !== '') ctx.port = Number(raw.port);
  }
  if (!Number.isInteger(ctx.port) || ctx.port < 1 || ctx.port > 65535) throw fail(`port: ${JSON.stringify(raw.port)} is not a port number (1-65535)`);
  for (const kind of ['inputs', 'outputs']) {
    const m = raw[kind] || {};
    if (typeof m !== 'object' || Array.isArray(m)) throw fail(`${kind}: must be an object keyed by name`);
    for (const [key, io] of Object.entries(m)) {
      if (!io || typeof io !== 'object') throw fail(`${kind}.${key}: null; give componentName and componentType`);
      const type = io.componentType || '';
      if (!io.componentName) throw fail(`${kind}.${key}.componentName is empty: name the Dapr component`);
      if (!type.startsWith('bindings.') && !type.startsWith('pubsub.')) {
        throw fail(`${kind}.${key}.componentType: "${type}" must start with bindings. or pubsub.`);
      }
      const pubsub = type.startsWith('pubsub.');
      const topic = v2 ? io.topic : pubsub ? io.uri : undefined;
      if (pubsub && !topic) throw fail(`${kind}.${key}: a pub/sub ${kind === 'inputs' ? 'input' : 'output'} needs a topic (${v2 ? 'topic' : 'uri'})`);
      ctx[kind][key] = { componentName: io.componentName, componentType: type, pubsub, topic, operation: io.operation || 'create', metadata: io.metadata || {} };
    }
  }
  const states = raw.states || {};
  if (typeof states !== 'object' || Array.isArray(states)) throw fail('states: must be an object keyed by name');
  ctx.states = {};
  for (const [key, st] of Object.entries(states)) {
    if (!st || typeof st !== 'object' || !st.componentName) throw fail(`states.${key}.componentName is empty: name the Dapr state store component`);
    const type = st.componentType || '';
    if (type && !type.startsWith('state.')) throw fail(`states.${key}.componentType: "${type}" must start with state.`);
    ctx.states[key] = { componentName: st.componentName, componentType: type };
  }
  if (ctx.runtime === 'Async' && Object.keys(ctx.inputs).length === 0) {
    throw fail('runtime Async but no inputs: an async function needs at least one Dapr binding or pub/sub input');
  }
  return ctx;
}

/** An Out: the code and data a function answers with. */
class Out {
  constructor(code, data, metadata) {
    this.code = code;
    this.data = data;
    this.metadata = metadata || {};
  }
}

function toBuffer(data) {
  if (data === undefined || data === null) return Buffer.alloc(0);
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof Uint8Array) return Buffer.from(data);
  if (typeof data === 'string') return Buffer.from(data);
  return Buffer.from(JSON.stringify(data));
}

function isJSON(buf) {
  try {
    JSON.parse(buf.toString());
    return buf.length > 0;
  } catch {
    return false;
  }
}

/** The function's input: parsed JSON when it is JSON, else a string. */
function decodeInput(buf) {
  if (buf.length === 0) return undefined;
  const s = buf.toString();
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

/** A client for daprd's HTTP output API, waiting a bounded time for a late daprd. */
class DaprClient {
  constructor(env = process.env) {
    this.host = env.DAPR_HOST || '127.0.0.1';
    this.port = Number(env.DAPR_HTTP_PORT || 3500);
    this.waitMs = 1000 * Number(env.DAPR_WAIT_TIMEOUT || 60);
    if (!Number.isInteger(this.port) || this.port < 1 || this.port > 65535) {
      throw new Error(`env DAPR_HTTP_PORT=${env.DAPR_HTTP_PORT} is not a TCP port; set it to daprd's --dapr-http-port`);
    }
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  }

  request(method, path, body, headers) {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: this.host, port: this.port, path, method, headers, agent: this.agent }, (res) => {
        readBody(res).then((b) => resolve({ status: res.statusCode, body: b }), reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /** POSTs, retrying while daprd is not listening, up to waitMs. */
  post(path, body, headers) {
    return this.call('POST', path, body, headers);
  }

  /** Sends a request to daprd, retrying while it is not listening, up to waitMs. */
  async call(method, path, body, headers) {
    const deadline = Date.now() + this.waitMs;
    let delay = 50;
    for (;;) {
      try {
        return await this.request(method, path, body, headers);
      } catch (err) {
        if (err.code !== 'ECONNREFUSED' || Date.now() > deadline) {
          throw new Error(`daprd is not reachable at ${this.host}:${this.port} (DAPR_HOST/DAPR_HTTP_PORT) after ${this.waitMs / 1000}s: ${err.message}; start daprd with --dapr-http-port, or kiln run --dapr <components dir>; DAPR_WAIT_TIMEOUT sets how long to wait`);
        }
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 1000);
      }
    }
  }

  /** Sends to an output binding; resolves with the binding's response. */
  async invokeBinding(name, operation, data, metadata, traceparent) {
    // daprd's HTTP API re-encodes "data" as JSON: JSON payloads pass as they
    // are, other bytes go as a JSON string.
    const payload = isJSON(data) ? JSON.parse(data.toString()) : data.toString();
    const body = JSON.stringify({ data: payload, metadata, operation });
    const headers = { 'content-type': 'application/json' };
    if (traceparent) headers.traceparent = traceparent;
    const res = await this.post(`/v1.0/bindings/${encodeURIComponent(name)}`, body, headers);
    if (res.status >= 300) throw new Error(`dapr output binding "${name}" (operation ${operation}): HTTP ${res.status} ${res.body.toString()}`);
    return res.body;
  }

  /** Publishes to a pub/sub topic. */
  async publish(pubsub, topic, data, traceparent) {
    const headers = { 'content-type': isJSON(data) ? 'application/json' : 'application/octet-stream' };
    if (traceparent) headers.traceparent = traceparent;
    const res = await this.post(`/v1.0/publish/${encodeURIComponent(pubsub)}/${encodeURIComponent(topic)}`, data, headers);
    if (res.status >= 300) throw new Error(`dapr publish to ${pubsub}/${topic}: HTTP ${res.status} ${res.body.toString()}`);
  }
}

/** FUNC_CONTEXT components as OpenFunction's ctx.inputs / ctx.outputs show them (frozen). */
function publicComponents(map) {
  const out = {};
  for (const [k, io] of Object.entries(map)) {
    out[k] = Object.freeze({ componentName: io.componentName, componentType: io.componentType, uri: io.pubsub ? io.topic : io.componentName,
      topic: io.topic, operation: io.operation, metadata: Object.freeze({ ...io.metadata }) });
  }
  return Object.freeze(out);
}

/**
 * Makes the per-invocation context a function gets. Its names are
 * OpenFunction's (functions-framework-nodejs): send, state, req, res, locals,
 * inputs, outputs, states, name, version, runtime, port, sidecarPort,
 * getPlugin; plus Kiln's inputName, bindingEvent, topicEvent, out,
 * returnOnSuccess, returnOnInternalError.
 */
function makeContext(rt, { inputName = '', bindingEvent = null, topicEvent = null, req = null, res = null, traceparent = '' }) {
  const sendTo = (name, data) => {
    const o = rt.ctx.outputs[name];
    const buf = toBuffer(data);
    if (o.pubsub) return rt.dapr.publish(o.componentName, o.topic, buf, traceparent);
    return rt.dapr.invokeBinding(o.componentName, o.operation, buf, o.metadata, traceparent);
  };
  return {
    name: rt.ctx.name,
    version: rt.ctx.version,
    runtime: rt.ctx.runtime,
    port: String(rt.ctx.port),
    inputName,
    bindingEvent,
    topicEvent,
    req,
    res,
    inputs: rt.view.inputs,
    outputs: rt.view.outputs,
    states: rt.view.states,
    state: rt.state,
    sidecarPort: rt.sidecarPort,
    locals: {},
    getPlugin: () => undefined,
    /**
     * Sends data to the named output; without a name, to the only output, or
     * (as OpenFunction does) to every output, resolving with their answers.
     */
    async send(data, outputName) {
      const names = Object.keys(rt.ctx.outputs).sort();
      if ((outputName === undefined || outputName === null) && names.length > 1) return Promise.all(names.map((n) => sendTo(n, data)));
      const name = (outputName === undefined || outputName === null) && names.length === 1 ? names[0] : outputName;
      if (!rt.ctx.outputs[name]) throw new Error(`ctx.send(data, ${JSON.stringify(outputName)}): no such output in FUNC_CONTEXT outputs (declared: ${names.join(', ') || 'none'})`);
      return sendTo(name, data);
    },
    out: (code, data, metadata) => new Out(code, data, metadata),
    returnOnSuccess: () => new Out(200),
    returnOnInternalError: () => new Out(500),
  };
}

/** Runs fn once and turns what it returned or threw into an Out. */
async function invoke(fn, context, input) {
  try {
    const result = await fn(context, decodeInput(input));
    if (result instanceof Out) return result;
    return new Out(200, result);
  } catch (err) {
    const code = Number.isInteger(err && err.status) ? err.status : 500;
    console.error(`function ${context.name} failed (${code}):`, err && err.message);
    return new Out(code, String((err && err.message) || err));
  }
}

/** Answers a request whose body could not be read (413 too large, 400 gone or malformed). */
function bodyError(res, err) {
  const status = Number.isInteger(err && err.status) ? err.status : 400;
  const headers = { 'content-type': 'text/plain; charset=utf-8' };
  if (status === 413) headers.connection = 'close';
  if (!res.headersSent) res.writeHead(status, headers).end(String(err.message));
}

class Runtime {
  constructor(fn, ctx, env = process.env, limits = limitsFromEnv(env), { compat = false } = {}) {
    this.fn = fn;
    this.ctx = ctx;
    this.compat = compat;
    this.maxBodyBytes = limits.maxBodyBytes;
    const states = ctx.states || {};
    this.dapr = Object.keys(ctx.outputs).length > 0 || Object.keys(states).length > 0 ? new DaprClient(env) : null;
    this.view = { inputs: publicComponents(ctx.inputs), outputs: publicComponents(ctx.outputs), states: Object.freeze({ ...states }) };
    this.state = stateOperations({ states }, this.dapr);
    this.sidecarPort = Object.freeze({ HTTP: env.DAPR_HTTP_PORT || '3500', GRPC: env.DAPR_GRPC_PORT || '50001' });
  }

  /** The HTTP handler of a sync function (Knative runtime, or a bridge). */
  httpHandler() {
    return guard(async (req, res) => {
      const path = req.url.split('?')[0];
      if (path === '/favicon.ico' || path === '/robots.txt' || path.startsWith('/dapr/')) {
        res.writeHead(404).end();
        return;
      }
      let input;
      try {
        const body = await readBody(req, this.maxBodyBytes);
        input = body;
        req.rawBody = body; // the compatibility layer's req.body parses it when asked
        if (req.headers['ce-specversion'] || String(req.headers['content-type'] || '').startsWith(cloudevents.STRUCTURED)) {
          input = toBuffer(cloudevents.fromRequest(req).data);
        }
      } catch (err) {
        bodyError(res, err);
        return;
      }
      const ctx = makeContext(this, { req, res, traceparent: req.headers.traceparent });
      const out = await invoke(this.fn, ctx, input);
      if (res.headersSent || res.writableEnded) return; // the function answered through ctx.res
      const body = toBuffer(out.data);
      const headers = {};
      if (body.length > 0) headers['content-type'] = Buffer.isBuffer(out.data) || typeof out.data === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
      res.writeHead(out.code, headers).end(body);
    });
  }

  /** The handler for Dapr's HTTP app protocol. */
  daprHandler() {
    const bindings = {};
    const topics = {};
    const subs = [];
    for (const [name, io] of Object.entries(this.ctx.inputs)) {
      if (io.pubsub) {
        const route = `/dapr/topics/${io.componentName}/${io.topic}`;
        topics[route] = name;
        subs.push({ pubsubname: io.componentName, topic: io.topic, route });
      } else {
        bindings[`/${io.componentName}`] = name;
      }
    }
    return guard(async (req, res) => {
      const path = req.url.split('?')[0];
      if (path === '/dapr/subscribe') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(subs));
        return;
      }
      const bindingInput = bindings[path];
      const topicInput = topics[path];
      if (bindingInput === undefined && topicInput === undefined) {
        res.writeHead(404).end();
        return;
      }
      if (req.method === 'OPTIONS') { // daprd probes each input binding
        res.writeHead(200).end();
        return;
      }
      let body;
      try {
        body = await readBody(req, this.maxBodyBytes);
      } catch (err) {
        bodyError(res, err);
        return;
      }
      if (bindingInput !== undefined) {
        const ev = { name: this.ctx.inputs[bindingInput].componentName, data: body, metadata: req.headers };
        const out = await invoke(this.fn, makeContext(this, { inputName: bindingInput, bindingEvent: ev, traceparent: req.headers.traceparent }), body);
        res.writeHead(out.code >= 400 ? out.code : 200).end(toBuffer(out.data));
        return;
      }
      let ev;
      try {
        ev = parseTopicEvent(req, body);
      } catch (err) {
        console.error(`dropping a malformed message on ${path}: ${err.message}`);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"DROP"}');
        return;
      }
      const out = await invoke(this.fn, makeContext(this, { inputName: topicInput, topicEvent: ev, traceparent: ev.traceparent || req.headers.traceparent }), ev.data);
      let status = 'SUCCESS';
      if (out.metadata.retry === 'true' || out.code >= 500) status = 'RETRY';
      else if (out.code >= 400) status = 'DROP';
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status }));
    });
  }
}

/** Decodes the CloudEvent daprd posts for a subscription. */
function parseTopicEvent(req, body) {
  if (!String(req.headers['content-type'] || '').includes('cloudevents')) return { data: body };
  const ce = JSON.parse(body.toString());
  let data;
  if (ce.data_base64 !== undefined) data = Buffer.from(ce.data_base64, 'base64');
  else if (typeof ce.data === 'string' && !String(ce.datacontenttype || '').includes('json')) data = Buffer.from(ce.data);
  else data = toBuffer(ce.data);
  return { id: ce.id, source: ce.source, type: ce.type, topic: ce.topic, pubsubName: ce.pubsubname, dataContentType: ce.datacontenttype, traceparent: ce.traceparent, data };
}

/** Serves fn: Dapr inputs for runtime Async, else HTTP. Resolves with the server. */
async function serveOpenFunction(fn, { port, env = process.env, graceMs = 10000, compat } = {}) {
  const ctx = env[ENV] ? parseContext(env[ENV]) : { name: '', version: '', runtime: 'Knative', port: 8080, inputs: {}, outputs: {}, states: {} };
  const limits = limitsFromEnv(env);
  const rt = new Runtime(fn, ctx, env, limits, { compat: Boolean(compat) });
  const async = ctx.runtime === 'Async';
  if (async) {
    const protocol = (env.APP_PROTOCOL || 'grpc').toLowerCase();
    if (protocol !== 'http') {
      throw new Error(`APP_PROTOCOL=${protocol}: the Node.js framework speaks Dapr's HTTP app protocol; run daprd with --app-protocol http (kiln run --app-protocol http; on Kubernetes the annotation dapr.io/app-protocol: http)`);
    }
  }
  const listenPort = port !== undefined ? port : env.PORT ? Number(env.PORT) : ctx.port;
  // The compatibility layer gives ctx.req / ctx.res Express's helpers.
  const classes = compat ? require('./compat/server').classes : undefined;
  const server = await listen(async ? rt.daprHandler() : rt.httpHandler(), limits, { port: listenPort, graceMs, classes });
  server.runtime = rt;
  return server;
}

module.exports = { parseContext, serveOpenFunction, Out, DaprClient };
