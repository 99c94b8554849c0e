'use strict';
// OpenFunction's Node.js context names on Kiln's OpenFunction runtime: req/res
// with Express's helpers (compatibility layer), locals, inputs/outputs/states,
// send to every output, and the state API through daprd's HTTP API.
const test = require('node:test');
const assert = require('node:assert');
const http = require('node:http');
const { serveOpenFunction } = require('../lib');

/** A stand-in for daprd's HTTP API: records calls, answers the state API. */
async function fakeDapr() {
  const calls = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      calls.push({ method: req.method, path: req.url, body });
      if (req.url.includes('/missing')) return res.writeHead(500).end('{"errorCode":"ERR_STATE_GET"}');
      if (req.method === 'GET' && req.url.startsWith('/v1.0/state/')) return res.writeHead(200, { 'content-type': 'application/json' }).end('{"city":"Seattle"}');
      if (req.url.endsWith('/bulk')) return res.writeHead(200).end('[{"key":"1","data":{"n":1}}]');
      if (req.url.endsWith('/query')) return res.writeHead(200).end('{"results":[],"token":"t"}');
      if (req.url.startsWith('/v1.0/bindings')) return res.writeHead(200).end('bound');
      return res.writeHead(204).end();
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { calls, port: server.address().port, close: () => server.close() };
}

const context = (extra = {}) => JSON.stringify({
  name: 'sync-fn', version: 'v1', runtime: 'Knative', port: '8080',
  outputs: {
    mqtt: { componentName: 'mqtt-out', componentType: 'bindings.mqtt3', operation: 'create', metadata: { topic: 'out' } },
    events: { uri: 'events', componentName: 'ps', componentType: 'pubsub.redis' },
  },
  states: { orders: { componentName: 'orders-store', componentType: 'state.redis' }, cache: { componentName: 'cache-store', componentType: 'state.in-memory' } },
  ...extra,
});

async function start(fn, env) {
  const server = await serveOpenFunction(fn, { port: 0, env, graceMs: 1000, compat: 'openfunction' });
  return { url: `http://127.0.0.1:${server.address().port}`, stop: async () => { server.stop(); await server.closed; } };
}

test('ctx: OpenFunction names, Express req/res, send to every output', async () => {
  const dapr = await fakeDapr();
  const { url, stop } = await start(async (ctx, data) => {
    ctx.locals.seen = true;
    const answers = await ctx.send({ got: data });
    ctx.res.status(202).json({
      body: ctx.req.body, query: ctx.req.query, data, locals: ctx.locals, answers: answers.map((a) => (a === undefined ? null : String(a))),
      outputs: ctx.outputs, states: Object.keys(ctx.states), runtime: ctx.runtime, version: ctx.version, name: ctx.name,
      sidecar: ctx.sidecarPort, plugin: ctx.getPlugin('x') === undefined,
    });
  }, { FUNC_CONTEXT: context(), DAPR_HTTP_PORT: String(dapr.port), DAPR_GRPC_PORT: '50002' });
  try {
    const r = await fetch(`${url}/?who=ada`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"n":1}' });
    assert.strictEqual(r.status, 202);
    const got = await r.json();
    assert.deepStrictEqual(got.body, { n: 1 });
    assert.deepStrictEqual(got.query, { who: 'ada' });
    assert.deepStrictEqual(got.data, { n: 1 });
    assert.deepStrictEqual(got.locals, { seen: true });
    assert.deepStrictEqual(got.answers, [null, 'bound'], 'events (pub/sub) then mqtt (binding), sorted by name');
    assert.deepStrictEqual(got.outputs.mqtt, { componentName: 'mqtt-out', componentType: 'bindings.mqtt3', uri: 'mqtt-out', operation: 'create', metadata: { topic: 'out' } });
    assert.strictEqual(got.outputs.events.uri, 'events');
    assert.deepStrictEqual([got.states, got.runtime, got.version, got.name, got.sidecar, got.plugin], [['orders', 'cache'], 'Knative', 'v1', 'sync-fn', { HTTP: String(dapr.port), GRPC: '50002' }, true]);
    assert.deepStrictEqual(dapr.calls.map((c) => c.path).sort(), ['/v1.0/bindings/mqtt-out', '/v1.0/publish/ps/events']);
  } finally {
    await stop();
    dapr.close();
  }
});

test('ctx.state: save, get, getBulk, delete, transaction, query against daprd; the store is chosen by name', async () => {
  const dapr = await fakeDapr();
  const results = {};
  const { url, stop } = await start(async (ctx) => {
    await ctx.state.save({ dataObjects: [{ key: '1', value: { city: 'Seattle' } }] });
    results.get = await ctx.state.get({ key: '1' });
    results.bulk = await ctx.state.getBulk({ keys: ['1', '2'], parallelism: 10 }, 'cache');
    await ctx.state.delete({ key: '1' });
    await ctx.state.transaction({ operations: [{ operation: 'delete', request: { key: '2' } }] });
    results.query = await ctx.state.query({ query: { filter: { EQ: { state: 'WA' } } } });
    await assert.rejects(ctx.state.get({ key: 'x' }, 'nope'), /no such state store in FUNC_CONTEXT states \(declared: cache, orders\)/);
    await assert.rejects(ctx.state.get({ a: '1', b: '2' }), /give one key/);
    await assert.rejects(ctx.state.get({ key: 'missing' }), /ctx\.state\.get: daprd answered HTTP 500: \{"errorCode":"ERR_STATE_GET"\}/);
    return ctx.returnOnSuccess();
  }, { FUNC_CONTEXT: context(), DAPR_HTTP_PORT: String(dapr.port) });
  try {
    assert.strictEqual((await fetch(url, { method: 'POST' })).status, 200);
    assert.deepStrictEqual(results, { get: { city: 'Seattle' }, bulk: [{ key: '1', data: { n: 1 } }], query: { results: [], token: 't' } });
    const calls = dapr.calls.filter((c) => !c.path.includes('missing')).map((c) => [c.method, c.path, c.body]);
    assert.deepStrictEqual(calls, [
      ['POST', '/v1.0/state/orders-store', '[{"key":"1","value":{"city":"Seattle"}}]'],
      ['GET', '/v1.0/state/orders-store/1', ''],
      ['POST', '/v1.0/state/cache-store/bulk', '{"keys":["1","2"],"parallelism":10}'],
      ['DELETE', '/v1.0/state/orders-store/1', ''],
      ['POST', '/v1.0/state/orders-store/transaction', '{"operations":[{"operation":"delete","request":{"key":"2"}}]}'],
      ['POST', '/v1.0-alpha1/state/orders-store/query', '{"filter":{"EQ":{"state":"WA"}}}'],
    ]);
  } finally {
    await stop();
    dapr.close();
  }
});

test('ctx.state without state stores, and a bad states entry, are named', async () => {
  const { url, stop } = await start(async (ctx) => ctx.state.get({ key: 'k' }), { FUNC_CONTEXT: JSON.stringify({ name: 'f' }) });
  try {
    const r = await fetch(url, { method: 'POST' });
    assert.deepStrictEqual([r.status, await r.text()], [500, 'ctx.state.get: FUNC_CONTEXT declares no state stores; add one under "states" (spec.serving.states of the Function)']);
  } finally {
    await stop();
  }
  await assert.rejects(serveOpenFunction(() => {}, { port: 0, env: { FUNC_CONTEXT: '{"states":{"s":{"componentType":"state.redis"}}}' } }), /FUNC_CONTEXT: states\.s\.componentName is empty/);
  await assert.rejects(serveOpenFunction(() => {}, { port: 0, env: { FUNC_CONTEXT: '{"states":{"s":{"componentName":"x","componentType":"bindings.redis"}}}' } }), /states\.s\.componentType: "bindings\.redis" must start with state\./);
});
