'use strict';
const test = require('node:test');
const assert = require('node:assert');
const http = require('node:http');
const { parseContext, serveOpenFunction } = require('../lib');

test('parseContext reads both OpenFunction shapes and names the bad field', () => {
  const v1 = parseContext(JSON.stringify({
    name: 'f', runtime: 'Async', port: '8081',
    inputs: { in: { uri: 'orders', componentName: 'ps', componentType: 'pubsub.redis' } },
    outputs: { out: { componentName: 'mq', componentType: 'bindings.mqtt3', operation: 'create' } },
  }));
  assert.deepStrictEqual([v1.runtime, v1.port, v1.inputs.in.topic, v1.outputs.out.pubsub], ['Async', 8081, 'orders', false]);
  const v2 = parseContext(JSON.stringify({
    name: 'f', triggers: { dapr: [{ name: 'ps' }] },
    inputs: { in: { componentName: 'ps', componentType: 'pubsub.redis', topic: 't' } },
  }));
  assert.deepStrictEqual([v2.runtime, v2.port, v2.inputs.in.topic], ['Async', 8080, 't']);
  for (const [ctx, want] of [
    ['{', /not valid JSON/],
    ['{"runtime":"OpenFuncAsync"}', /runtime: "OpenFuncAsync" is not Knative or Async/],
    ['{"port":"http"}', /port: "http" is not a port number/],
    ['{"runtime":"Async"}', /no inputs/],
    ['{"outputs":{"o":{"componentName":"x","componentType":"state.redis"}}}', /outputs\.o\.componentType: "state.redis"/],
    ['{"inputs":{"i":{"componentType":"bindings.cron"}}}', /inputs\.i\.componentName is empty/],
    ['{"inputs":{"i":{"componentName":"p","componentType":"pubsub.redis"}}}', /inputs\.i: a pub\/sub input needs a topic \(uri\)/],
  ]) {
    assert.throws(() => parseContext(ctx), (err) => want.test(err.message) && err.message.startsWith('FUNC_CONTEXT'), ctx);
  }
});

/** A stand-in for daprd's HTTP API that records what the function sends. */
async function fakeDapr() {
  const calls = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      calls.push({ path: req.url, body: Buffer.concat(chunks).toString(), traceparent: req.headers.traceparent });
      res.writeHead(req.url.startsWith('/v1.0/publish') ? 204 : 200).end(req.url.startsWith('/v1.0/bindings') ? 'ok' : undefined);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { calls, port: server.address().port, close: () => server.close() };
}

const asyncContext = JSON.stringify({
  name: 'echo', runtime: 'Async', port: '8080',
  inputs: { in: { componentName: 'mqtt-in', componentType: 'bindings.mqtt3' }, orders: { uri: 'orders', componentName: 'ps', componentType: 'pubsub.redis' } },
  outputs: { out: { componentName: 'mqtt-out', componentType: 'bindings.mqtt3', operation: 'create' } },
});

test('async: binding and pub/sub inputs over Dapr HTTP, outputs through the Dapr API, status mapping', async () => {
  const dapr = await fakeDapr();
  const fn = async (ctx, data) => {
    if (data && data.fail === 'drop') return ctx.out(400, 'bad order');
    if (data && data.fail === 'retry') throw new Error('try later');
    await ctx.send({ echo: typeof data === 'string' ? data.toUpperCase() : data, input: ctx.inputName });
    return ctx.returnOnSuccess();
  };
  const env = { FUNC_CONTEXT: asyncContext, APP_PROTOCOL: 'http', DAPR_HTTP_PORT: String(dapr.port) };
  const server = await serveOpenFunction(fn, { port: 0, env, graceMs: 1000 });
  const url = `http://127.0.0.1:${server.address().port}`;
  try {
    assert.strictEqual((await fetch(`${url}/mqtt-in`, { method: 'OPTIONS' })).status, 200);
    assert.strictEqual((await fetch(`${url}/mqtt-out`, { method: 'OPTIONS' })).status, 404);
    assert.deepStrictEqual(await (await fetch(`${url}/dapr/subscribe`)).json(), [{ pubsubname: 'ps', topic: 'orders', route: '/dapr/topics/ps/orders' }]);
    const r = await fetch(`${url}/mqtt-in`, { method: 'POST', body: 'hi', headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } });
    assert.strictEqual(r.status, 200);
    assert.deepStrictEqual(dapr.calls.map((c) => c.path), ['/v1.0/bindings/mqtt-out']);
    assert.deepStrictEqual(JSON.parse(dapr.calls[0].body), { data: { echo: 'HI', input: 'in' }, metadata: {}, operation: 'create' });
    assert.strictEqual(dapr.calls[0].traceparent, '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    const topic = async (data) => (await (await fetch(`${url}/dapr/topics/ps/orders`, {
      method: 'POST', headers: { 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify({ specversion: '1.0', id: '1', source: 's', type: 't', datacontenttype: 'application/json', data }),
    })).json()).status;
    assert.strictEqual(await topic({ id: 'o-1' }), 'SUCCESS');
    assert.strictEqual(await topic({ fail: 'drop' }), 'DROP');
    assert.strictEqual(await topic({ fail: 'retry' }), 'RETRY');
    assert.deepStrictEqual(JSON.parse(dapr.calls[1].body).data, { echo: { id: 'o-1' }, input: 'orders' });
  } finally {
    server.stop();
    await server.closed;
    dapr.close();
  }
});

test('sync: every status the function returns reaches the caller with its body; send to a pub/sub output', async () => {
  const dapr = await fakeDapr();
  const env = { DAPR_HTTP_PORT: String(dapr.port), FUNC_CONTEXT: JSON.stringify({ name: 'bridge', runtime: 'Knative',
    outputs: { events: { uri: 'events', componentName: 'ps', componentType: 'pubsub.redis' } } }) };
  const fn = async (ctx, data) => {
    if (!data) return ctx.out(422, 'need a body');
    await ctx.send(data, 'events');
    return ctx.out(202, { forwarded: true });
  };
  const server = await serveOpenFunction(fn, { port: 0, env });
  const url = `http://127.0.0.1:${server.address().port}`;
  try {
    const empty = await fetch(url, { method: 'POST' });
    assert.deepStrictEqual([empty.status, await empty.text()], [422, 'need a body']);
    const ok = await fetch(url, { method: 'POST', body: '{"n":1}' });
    assert.deepStrictEqual([ok.status, await ok.json()], [202, { forwarded: true }]);
    assert.deepStrictEqual(dapr.calls.map((c) => [c.path, c.body]), [['/v1.0/publish/ps/events', '{"n":1}']]);
    assert.strictEqual((await fetch(`${url}/dapr/config`)).status, 404);
    // Browser noise never reaches the function (which would answer 422 here).
    for (const noise of ['/favicon.ico', '/robots.txt', '/favicon.ico?v=2']) {
      const r = await fetch(`${url}${noise}`);
      assert.deepStrictEqual([r.status, await r.text()], [404, ''], noise);
    }
    assert.strictEqual(dapr.calls.length, 1);
  } finally {
    server.stop();
    await server.closed;
    dapr.close();
  }
});

test('async over gRPC is refused with the flag to set', async () => {
  await assert.rejects(() => serveOpenFunction(() => {}, { port: 0, env: { FUNC_CONTEXT: asyncContext } }), /--app-protocol http/);
});

test('a late daprd is waited for, then a clear error', async () => {
  const env = { DAPR_HTTP_PORT: '1', DAPR_WAIT_TIMEOUT: '0.3', FUNC_CONTEXT: JSON.stringify({ outputs: { o: { componentName: 'b', componentType: 'bindings.http' } } }) };
  const server = await serveOpenFunction(async (ctx) => ctx.send('x'), { port: 0, env });
  try {
    const r = await fetch(`http://127.0.0.1:${server.address().port}/`, { method: 'POST', body: 'x' });
    assert.strictEqual(r.status, 500);
    assert.match(await r.text(), /daprd is not reachable at 127\.0\.0\.1:1 \(DAPR_HOST\/DAPR_HTTP_PORT\) after 0\.3s/);
  } finally {
    server.stop();
    await server.closed;
  }
});
