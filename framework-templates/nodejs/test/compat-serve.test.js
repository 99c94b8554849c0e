'use strict';
// Functions written against Google's and OpenFunction's frameworks, served by
// Kiln's server with the compatibility layer (what they get and what their
// answers become).
const test = require('node:test');
const assert = require('node:assert');
const { serve } = require('../lib');
const { parseForm } = require('../lib/compat/form');

async function start(fn, signature = 'http', compat = 'google') {
  const server = await serve(fn, { port: 0, signature, host: '127.0.0.1', graceMs: 2000, compat, env: {} });
  const url = `http://127.0.0.1:${server.address().port}`;
  return { url, stop: async () => { server.stop(); await server.closed; } };
}

test('req.body by Content-Type as body-parser gives it, with req.rawBody kept', async () => {
  const { url, stop } = await start((req, res) => {
    const b = req.body;
    res.json({ kind: Buffer.isBuffer(b) ? 'buffer' : typeof b, body: Buffer.isBuffer(b) ? b.toString('hex') : b, raw: req.rawBody.toString('base64') });
  });
  const post = async (type, body) => (await fetch(url, { method: 'POST', headers: type ? { 'content-type': type } : {}, body })).json();
  try {
    for (const [type, body, want] of [
      ['application/json', '{"a":[1,"x"]}', { kind: 'object', body: { a: [1, 'x'] } }],
      ['application/json; charset=utf-8', '"str"', { kind: 'string', body: 'str' }],
      ['application/cloudevents+json', '{"id":"1"}', { kind: 'object', body: { id: '1' } }],
      ['text/plain', 'héllo', { kind: 'string', body: 'héllo' }],
      ['text/csv; charset=latin1', Buffer.from([0x63, 0xe9]), { kind: 'string', body: 'cé' }],
      ['application/x-www-form-urlencoded', 'name=Ada+L&tag=a&tag=b&user[age]=36', { kind: 'object', body: { name: 'Ada L', tag: ['a', 'b'], user: { age: '36' } } }],
      ['application/octet-stream', Buffer.from([0, 1, 255]), { kind: 'buffer', body: '0001ff' }],
      ['application/vnd.custom+json', '{"a":1}', { kind: 'buffer', body: Buffer.from('{"a":1}').toString('hex') }],
      [undefined, Buffer.from('xyz'), { kind: 'buffer', body: Buffer.from('xyz').toString('hex') }],
    ]) {
      const got = await post(type, body);
      assert.deepStrictEqual({ kind: got.kind, body: got.body }, want, String(type));
      assert.strictEqual(got.raw, Buffer.from(body).toString('base64'), `rawBody for ${type}`);
    }
    const none = await (await fetch(url)).json();
    assert.deepStrictEqual([none.kind, none.body], ['object', {}], 'an empty body is {}, as body-parser 1.x gives it');
    const bad = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":' });
    assert.deepStrictEqual([bad.status, (await bad.text()).startsWith('request body is not valid JSON')], [400, true]);
  } finally {
    await stop();
  }
});

test('Express helpers on req and res', async () => {
  const { url, stop } = await start(async (req, res) => {
    switch (req.path) {
      case '/query': return res.json({ query: req.query, get: req.get('X-Thing'), header: req.header('x-thing'), is: req.is('json'), ip: req.ip, host: req.hostname, proto: req.protocol, url: req.originalUrl });
      case '/status': return res.status(201).set({ 'X-A': '1', 'X-B': ['2', '3'] }).append('X-B', '4').type('json').send('{"ok":true}');
      case '/send-status': return res.sendStatus(418);
      case '/redirect': return res.redirect(301, '/elsewhere?x=a b');
      case '/buffer': return res.send(Buffer.from('bin'));
      case '/object': return res.send({ a: 1 });
      case '/string': return res.send('<p>hi</p>');
      case '/get': res.set('X-Y', 'z'); return res.send(String(res.get('x-y')));
      case '/locals': res.locals.n = 1; return res.json(res.locals);
      case '/throw': throw new Error('boom');
      case '/reject': return Promise.reject(Object.assign(new Error('teapot'), { status: 418 }));
      default: return res.status(404).end();
    }
  });
  try {
    const q = await (await fetch(`${url}/query?a=1&a=2&b=x&c[d]=e`, { method: 'POST', headers: { 'x-thing': 'T', 'content-type': 'application/json', 'x-forwarded-for': '10.0.0.9, 10.0.0.1', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'fn.example.com:8443' }, body: '{}' })).json();
    assert.deepStrictEqual(q, { query: { a: ['1', '2'], b: 'x', c: { d: 'e' } }, get: 'T', header: 'T', is: 'json', ip: '10.0.0.9', host: 'fn.example.com', proto: 'https', url: '/query?a=1&a=2&b=x&c[d]=e' });
    const st = await fetch(`${url}/status`);
    assert.deepStrictEqual([st.status, st.headers.get('x-a'), st.headers.get('x-b'), st.headers.get('content-type'), await st.text()], [201, '1', '2, 3, 4', 'application/json', '{"ok":true}']);
    const ss = await fetch(`${url}/send-status`);
    assert.deepStrictEqual([ss.status, await ss.text()], [418, "I'm a Teapot"]);
    const rd = await fetch(`${url}/redirect`, { redirect: 'manual' });
    assert.deepStrictEqual([rd.status, rd.headers.get('location')], [301, '/elsewhere?x=a%20b']);
    const buf = await fetch(`${url}/buffer`);
    assert.deepStrictEqual([buf.headers.get('content-type'), await buf.text()], ['application/octet-stream', 'bin']);
    const obj = await fetch(`${url}/object`);
    assert.deepStrictEqual([obj.headers.get('content-type'), await obj.json()], ['application/json; charset=utf-8', { a: 1 }]);
    const s = await fetch(`${url}/string`);
    assert.deepStrictEqual([s.headers.get('content-type'), await s.text()], ['text/html; charset=utf-8', '<p>hi</p>']);
    assert.strictEqual(await (await fetch(`${url}/get`)).text(), 'z');
    assert.deepStrictEqual(await (await fetch(`${url}/locals`)).json(), { n: 1 });
    const boom = await fetch(`${url}/throw`);
    assert.deepStrictEqual([boom.status, boom.headers.get('x-google-status'), await boom.text()], [500, 'crash', 'Internal Server Error']);
    const teapot = await fetch(`${url}/reject`);
    assert.deepStrictEqual([teapot.status, await teapot.text()], [418, 'teapot']);
    assert.strictEqual((await fetch(`${url}/favicon.ico`)).status, 404);
    assert.strictEqual((await fetch(`${url}/after`)).status, 404, 'the server lives on');
  } finally {
    await stop();
  }
});

const binary = (body, extra = {}) => ({ method: 'POST', body, headers: { 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-id': 'b1', 'ce-source': '/s', 'ce-type': 't', ...extra } });
const structured = (event) => ({ method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(event) });

test('cloudEvent: one object with attributes and data; the result is the answer; callbacks; traceparent', async () => {
  const seen = [];
  const { url, stop } = await start(async (event) => {
    seen.push(event);
    if (event.type === 'fail') throw new Error('nope');
    if (event.type === 'number') return 7;
    if (event.data && event.data.echo) return { echoed: event.data.echo };
    return undefined;
  }, 'cloudevent');
  try {
    const r = await fetch(url, binary('{"echo":"x"}', { traceparent: '00-abc' }));
    assert.deepStrictEqual([r.status, await r.json()], [200, { echoed: 'x' }]);
    assert.deepStrictEqual(seen[0], { specversion: '1.0', id: 'b1', source: '/s', type: 't', datacontenttype: 'application/json', data: { echo: 'x' }, traceparent: '00-abc' });
    const st = await fetch(url, structured({ specversion: '1.0', id: 's1', source: '/s', type: 't', datacontenttype: 'text/plain', data: 'hi' }));
    assert.deepStrictEqual([st.status, await st.text()], [200, '']);
    assert.strictEqual(seen[1].data, 'hi');
    const n = await fetch(url, structured({ specversion: '1.0', id: 'n', source: '/s', type: 'number' }));
    assert.deepStrictEqual([n.status, await n.text()], [200, '7']);
    const f = await fetch(url, structured({ specversion: '1.0', id: 'f', source: '/s', type: 'fail' }));
    assert.deepStrictEqual([f.status, f.headers.get('x-google-status')], [500, 'crash']);
    assert.strictEqual((await fetch(url)).status, 405);
    const notEvent = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.strictEqual(notEvent.status, 400);
  } finally {
    await stop();
  }
  const cb = await start((event, callback) => {
    setImmediate(() => (event.type === 'bad' ? callback(new Error('cb error')) : callback(null, `done ${event.id}`)));
  }, 'cloudevent', 'openfunction');
  try {
    const ok = await fetch(cb.url, structured({ specversion: '1.0', id: 'c1', source: '/s', type: 't' }));
    assert.deepStrictEqual([ok.status, await ok.text()], [200, 'done c1']);
    const bad = await fetch(cb.url, structured({ specversion: '1.0', id: 'c2', source: '/s', type: 'bad' }));
    assert.deepStrictEqual([bad.status, bad.headers.get('x-openfunction-status')], [500, 'crash']);
  } finally {
    await cb.stop();
  }
});

test('urlencoded bodies parse as qs does, and stay bounded', () => {
  for (const [text, want] of [
    ['a=1', { a: '1' }],
    ['a=1&a=2&a=3', { a: ['1', '2', '3'] }],
    ['a[]=1&a[]=2', { a: ['1', '2'] }],
    ['a[0]=x&a[1]=y', { a: ['x', 'y'] }],
    ['a[3]=x', { a: ['x'] }],
    ['a[99]=x', { a: { 99: 'x' } }],
    ['a[b]=1&a[c][d]=2', { a: { b: '1', c: { d: '2' } } }],
    ['a[b][c][d][e][f][g]=deep', { a: { b: { c: { d: { e: { f: { '[g]': 'deep' } } } } } } }],
    ['sp=a+b%20c&empty=&flag', { sp: 'a b c', empty: '', flag: '' }],
    ['bad=%E0%A4%A&ok=1', { bad: '%E0%A4%A', ok: '1' }],
    ['__proto__[polluted]=1&constructor[x]=1&a[__proto__]=1', { a: {} }],
    ['=x&&b=2', { b: '2' }],
  ]) {
    assert.deepStrictEqual(parseForm(text), want, text);
  }
  assert.strictEqual({}.polluted, undefined);
  const many = Array.from({ length: 1500 }, (_, i) => `k${i}=v`).join('&');
  assert.strictEqual(Object.keys(parseForm(many)).length, 1000);
});
