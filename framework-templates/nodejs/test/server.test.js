'use strict';
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { serve, loadFunction } = require('../lib');

async function start(fn, signature = 'http') {
  const server = await serve(fn, { port: 0, signature, host: '127.0.0.1', graceMs: 2000 });
  const url = `http://127.0.0.1:${server.address().port}`;
  return { url, stop: async () => { server.stop(); await server.closed; } };
}

test('http: query, JSON body, send/json/status, 404 noise, errors are 500 and the server lives on', async () => {
  const { url, stop } = await start(async (req, res) => {
    if (req.query.throw) throw new Error('boom');
    if (req.method === 'POST') return res.status(201).json({ got: req.body });
    res.send(`Hello, ${req.query.name || 'World'}!`);
  });
  try {
    assert.strictEqual(await (await fetch(`${url}/?name=Kiln`)).text(), 'Hello, Kiln!');
    const posted = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    assert.strictEqual(posted.status, 201);
    assert.deepStrictEqual(await posted.json(), { got: { a: 1 } });
    assert.strictEqual((await fetch(`${url}/favicon.ico`)).status, 404);
    assert.strictEqual((await fetch(`${url}/robots.txt`)).status, 404);
    assert.strictEqual((await fetch(`${url}/?throw=1`)).status, 500);
    assert.strictEqual((await fetch(`${url}/after`)).status, 200);
    const bad = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    assert.strictEqual(bad.status, 400);
  } finally {
    await stop();
  }
});

test('cloudevent: binary and structured mode; a rejection is a 500; a non-event is a 400', async () => {
  const seen = [];
  const { url, stop } = await start(async (event) => {
    if (event.type === 'fail') throw new Error('nope');
    seen.push(event);
  }, 'cloudevent');
  try {
    const bin = await fetch(url, { method: 'POST', body: '{"n":1}', headers: {
      'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-id': 'b1', 'ce-source': '/s', 'ce-type': 't', 'ce-traceparent': '00-x' } });
    assert.strictEqual(bin.status, 200);
    const st = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify({ specversion: '1.0', id: 's1', source: '/s', type: 't', datacontenttype: 'text/plain', data: 'hi' }) });
    assert.strictEqual(st.status, 200);
    assert.deepStrictEqual(seen[0], { specversion: '1.0', id: 'b1', source: '/s', type: 't', traceparent: '00-x', datacontenttype: 'application/json', data: { n: 1 } });
    assert.strictEqual(seen[1].data, 'hi');
    const fail = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify({ specversion: '1.0', id: 'f', source: '/s', type: 'fail' }) });
    assert.strictEqual(fail.status, 500);
    const none = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.strictEqual(none.status, 400);
    assert.match(await none.text(), /neither binary mode/);
  } finally {
    await stop();
  }
});

test('concurrent calls run in parallel', async () => {
  // Each call waits until all ten have arrived: served one at a time, the
  // first would give up after 30 s with a 500.
  let arrived = 0;
  let all;
  const together = new Promise((r) => { all = r; });
  const { url, stop } = await start(async (req, res) => {
    if (++arrived === 10) all();
    let timer;
    await Promise.race([together, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`only ${arrived} calls arrived`)), 30000); })]);
    clearTimeout(timer);
    res.send('ok');
  });
  try {
    const statuses = await Promise.all(Array.from({ length: 10 }, () => fetch(url).then((r) => r.status)));
    assert.deepStrictEqual(statuses, Array(10).fill(200));
  } finally {
    await stop();
  }
});

test('keep-alive: no delayed-ACK stall (a response in pieces costs 40 ms per request)', async () => {
  const { url, stop } = await start((req, res) => res.send('Hello, World!'));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = () => new Promise((resolve, reject) => {
    http.get(url, { agent }, (res) => { res.resume(); res.on('end', resolve); }).on('error', reject);
  });
  try {
    await get();
    const took = [];
    for (let i = 0; i < 20; i++) {
      const t0 = process.hrtime.bigint();
      await get();
      took.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    const median = [...took].sort((a, b) => a - b)[10];
    assert.ok(median < 20, `median ${median} ms on one connection: ${took.join(', ')}`);
  } finally {
    agent.destroy();
    await stop();
  }
});

test('graceful stop finishes in-flight requests', async () => {
  let release;
  const entered = new Promise((r) => { release = r; });
  const { url, stop } = await start(async (req, res) => { release(); await new Promise((r) => setTimeout(r, 200)); res.send('finished'); });
  const inflight = fetch(url).then((r) => r.text());
  await entered;
  const stopped = stop();
  assert.strictEqual(await inflight, 'finished');
  await stopped;
});

test('stop closes a kept-alive connection once its in-flight response is done', { timeout: 20000 }, async () => {
  let release;
  const entered = new Promise((r) => { release = r; });
  const server = await serve(async (req, res) => { release(); await new Promise((r) => setTimeout(r, 100)); res.send('finished'); },
    { port: 0, host: '127.0.0.1', graceMs: 60000 });
  // Neither the keep-alive timeout nor the grace can close the connection
  // within the test's 20 s: only the drain can, and server.closed waits for it.
  server.keepAliveTimeout = 60000;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const body = new Promise((resolve, reject) => {
    http.get(`http://127.0.0.1:${server.address().port}/`, { agent }, (res) => {
      let b = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { b += d; });
      res.on('end', () => resolve(b));
    }).on('error', reject);
  });
  await entered;
  server.stop();
  assert.strictEqual(await body, 'finished');
  await server.closed;
  agent.destroy();
});

test('loader: CommonJS and ESM, target picks an export, unknown names list the exports', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-node-'));
  fs.writeFileSync(path.join(dir, 'cjs.js'), 'exports.a = () => 1; exports.b = () => 2; exports.notFn = 3;');
  fs.writeFileSync(path.join(dir, 'esm.mjs'), 'export function hello() { return "esm"; }\nexport const other = () => 1;');
  fs.writeFileSync(path.join(dir, 'single.js'), 'module.exports = () => "single";');
  assert.strictEqual((await loadFunction(path.join(dir, 'cjs.js'), 'b'))(), 2);
  assert.strictEqual((await loadFunction(path.join(dir, 'esm.mjs'), 'hello'))(), 'esm');
  assert.strictEqual((await loadFunction(path.join(dir, 'single.js'), 'anything'))(), 'single');
  await assert.rejects(loadFunction(path.join(dir, 'cjs.js'), 'c'), /has no exported function "c"; it exports: a, b/);
});
