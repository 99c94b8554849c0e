'use strict';
// The servers under clients that do not behave: bodies, timeouts, rejections.
const test = require('node:test');
const assert = require('node:assert');
const net = require('node:net');
const { serve, serveOpenFunction, limitsFromEnv } = require('../lib');

/** Sends raw bytes on a new connection; resolves with all it answers until the server closes it. */
function exchange(port, raw) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    const c = net.connect(port, '127.0.0.1', () => c.write(raw));
    c.setTimeout(10000, () => reject(new Error(`no close within 10 s; got ${Buffer.concat(chunks)}`)));
    c.on('data', (d) => chunks.push(d));
    c.on('error', () => {}); // a reset after the answer is fine
    c.on('close', () => resolve(Buffer.concat(chunks).toString()));
  });
}

const status = (resp) => Number((/^HTTP\/1\.1 (\d{3})/.exec(resp) || [])[1]);

async function echoServer(env) {
  const server = await serve((req, res) => res.send(req.rawBody), { port: 0, host: '127.0.0.1', env, graceMs: 1000 });
  return { port: server.address().port, stop: async () => { server.stop(); await server.closed; } };
}

test('bodies: Content-Length and chunked up to KILN_MAX_BODY_BYTES, 413 beyond, bad lengths are 400', async () => {
  const { port, stop } = await echoServer({ KILN_MAX_BODY_BYTES: '16' });
  const head = 'POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n';
  try {
    for (const [name, raw, want, body] of [
      ['at the limit', `${head}Content-Length: 16\r\n\r\n${'x'.repeat(16)}`, 200, 'x'.repeat(16)],
      ['declared over the limit', `${head}Content-Length: 17\r\n\r\n${'x'.repeat(17)}`, 413],
      ['chunked', `${head}Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n`, 200, 'abcde'],
      ['chunked over the limit', `${head}Transfer-Encoding: chunked\r\n\r\n9\r\n123456789\r\n9\r\n123456789\r\n0\r\n\r\n`, 413],
      ['negative length', `${head}Content-Length: -1\r\n\r\n`, 400],
    ]) {
      const resp = await exchange(port, raw);
      assert.strictEqual(status(resp), want, `${name}: ${resp}`);
      if (body !== undefined) assert.ok(resp.endsWith(`\r\n\r\n${body}`), `${name}: ${resp}`);
    }
  } finally {
    await stop();
  }
});

test('a read-header timeout closes connections whose headers never finish', async () => {
  const { port, stop } = await echoServer({ KILN_READ_HEADER_TIMEOUT: '0.3' });
  try {
    const resp = await exchange(port, 'GET / HTTP/1.1\r\nHost: x\r\n');
    assert.ok(resp === '' || status(resp) === 408, resp);
  } finally {
    await stop();
  }
});

test('openfunction: a body over the limit is a 413 on both runtimes, and the process lives on', async () => {
  const env = { KILN_MAX_BODY_BYTES: '16', APP_PROTOCOL: 'http', FUNC_CONTEXT: JSON.stringify({
    name: 'f', runtime: 'Async', inputs: { in: { componentName: 'in', componentType: 'bindings.mqtt3' } } }) };
  for (const e of [env, { KILN_MAX_BODY_BYTES: '16' }]) {
    const server = await serveOpenFunction(async () => 'ok', { port: 0, env: e, graceMs: 1000 });
    const { port } = server.address();
    try {
      const path = e.FUNC_CONTEXT ? '/in' : '/';
      for (const te of [`Content-Length: 64\r\n\r\n${'x'.repeat(64)}`, 'Transfer-Encoding: chunked\r\n\r\n40\r\n' + 'x'.repeat(64) + '\r\n0\r\n\r\n']) {
        const resp = await exchange(port, `POST ${path} HTTP/1.1\r\nHost: x\r\n${te}`);
        assert.strictEqual(status(resp), 413, resp);
      }
      assert.strictEqual(status(await exchange(port, `POST ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi`)), 200);
    } finally {
      server.stop();
      await server.closed;
    }
  }
});

test('limits: env values, defaults, and bad values named', () => {
  assert.deepStrictEqual(limitsFromEnv({}), { maxBodyBytes: 33554432, headersTimeoutMs: 10000 });
  assert.deepStrictEqual(limitsFromEnv({ KILN_MAX_BODY_BYTES: '1024', KILN_READ_HEADER_TIMEOUT: '2.5' }), { maxBodyBytes: 1024, headersTimeoutMs: 2500 });
  for (const [k, v] of [['KILN_MAX_BODY_BYTES', '-1'], ['KILN_MAX_BODY_BYTES', '1e3'], ['KILN_READ_HEADER_TIMEOUT', '0'], ['KILN_READ_HEADER_TIMEOUT', 'soon']]) {
    assert.throws(() => limitsFromEnv({ [k]: v }), new RegExp(`^Error: env ${k}=${v} is not a positive number`));
  }
});
