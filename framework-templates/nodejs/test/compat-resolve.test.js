'use strict';
// The compatibility modules are wired in per process: these tests run
// bin/check.js and bin/serve.js as child processes against apps that require
// Google's and OpenFunction's frameworks, which are not installed anywhere.
const test = require('node:test');
const assert = require('node:assert');
const { execFile, spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const BIN = path.join(__dirname, '..', 'bin');

function app(files) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-compat-'));
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  return dir;
}

function check(file, env) {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(BIN, 'check.js'), file], { env: { PATH: process.env.PATH, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? err.code : 0, stdout, stderr });
    });
  });
}

const googleCJS = `const functions = require('@google-cloud/functions-framework');
functions.http('helloHttp', (req, res) => res.send('hi'));
functions.cloudEvent('onEvent', (ev) => {});
exports.plain = (req, res) => res.send('plain');
`;
const googleESM = `import * as functions from '@google-cloud/functions-framework';
import { cloudEvent } from '@google-cloud/functions-framework';
import ff from '@google-cloud/functions-framework';
functions.http('esmHttp', (req, res) => res.send('esm'));
cloudEvent('esmEvent', () => {});
ff.http('viaDefault', () => {});
`;
const openfunctionCJS = `const { openfunction, http, ContextUtils, Plugin } = require('@openfunction/functions-framework');
class Ticker extends Plugin { constructor() { super('ticker', 'v1'); } }
openfunction('tryKnative', async (ctx, data) => ctx.res.send(data));
http('plainHttp', (req, res) => res.end());
exports.isAsync = () => ContextUtils.IsAsyncRuntime({ runtime: 'async' }) && new Ticker().get('version') === 'v1';
`;

test('check.js: CommonJS and ES modules register through Kiln\'s modules for Google\'s framework', async () => {
  const dir = app({ 'index.js': googleCJS, 'esm.mjs': googleESM });
  const cjs = await check(path.join(dir, 'index.js'), { KILN_FUNCTION_COMPAT: 'google' });
  assert.strictEqual(cjs.code, 0, cjs.stderr);
  assert.deepStrictEqual(JSON.parse(cjs.stdout), { exports: ['plain'], single: false, registered: { helloHttp: 'http', onEvent: 'cloudevent' } });
  const esm = await check(path.join(dir, 'esm.mjs'), { KILN_FUNCTION_COMPAT: 'google' });
  assert.strictEqual(esm.code, 0, esm.stderr);
  assert.deepStrictEqual(JSON.parse(esm.stdout).registered, { esmEvent: 'cloudevent', esmHttp: 'http', viaDefault: 'http' });
});

test('check.js: OpenFunction\'s framework, and both at once', async () => {
  const dir = app({ 'index.js': openfunctionCJS, 'both.js': `${googleCJS}\nrequire('@openfunction/functions-framework').openfunction('of', () => {});\n` });
  const of = await check(path.join(dir, 'index.js'), { KILN_FUNCTION_COMPAT: 'openfunction' });
  assert.strictEqual(of.code, 0, of.stderr);
  assert.deepStrictEqual(JSON.parse(of.stdout).registered, { plainHttp: 'http', tryKnative: 'openfunction' });
  const both = await check(path.join(dir, 'both.js'), { KILN_FUNCTION_COMPAT: 'google,openfunction' });
  assert.strictEqual(both.code, 0, both.stderr);
  assert.deepStrictEqual(Object.keys(JSON.parse(both.stdout).registered), ['helloHttp', 'of', 'onEvent']);
});

test('without KILN_FUNCTION_COMPAT nothing is wired in: the package is simply missing', async () => {
  const dir = app({ 'index.js': googleCJS });
  const r = await check(path.join(dir, 'index.js'), {});
  assert.strictEqual(r.code, 2);
  assert.match(r.stderr, /Cannot find module '@google-cloud\/functions-framework'/);
  const wrongKind = await check(path.join(dir, 'index.js'), { KILN_FUNCTION_COMPAT: 'openfunction' });
  assert.match(wrongKind.stderr, /Cannot find module '@google-cloud\/functions-framework'/);
});

test('a bad KILN_FUNCTION_COMPAT or registration is named', async () => {
  const dir = app({ 'index.js': googleCJS, 'bad.js': "require('@google-cloud/functions-framework').http('1bad', () => {});" });
  const kind = await check(path.join(dir, 'index.js'), { KILN_FUNCTION_COMPAT: 'aws' });
  assert.strictEqual(kind.code, 2);
  assert.match(kind.stderr, /env KILN_FUNCTION_COMPAT=aws: "aws" is not a framework Kiln stands in for \(known: google, openfunction\)/);
  const name = await check(path.join(dir, 'bad.js'), { KILN_FUNCTION_COMPAT: 'google' });
  assert.match(name.stderr, /functions\.http\("1bad", …\): invalid function name/);
});

/** Starts bin/serve.js; resolves with its URL and a stop function once it listens. */
function serveProcess(env) {
  const child = spawn(process.execPath, [path.join(BIN, 'serve.js')], { env: { PATH: process.env.PATH, PORT: '0', ...env } });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (d) => {
      out += d;
      const m = /on port (\d+)/.exec(out);
      if (m) {
        child.stdout.off('data', onData);
        resolve({ url: `http://127.0.0.1:${m[1]}`, banner: out, stop: () => new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); }) });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d) => { out += d; });
    child.once('exit', (code) => reject(new Error(`serve.js exited ${code}:\n${out}`)));
  });
}

test('serve.js: a registration picks the signature over FUNCTION_SIGNATURE_TYPE, and says which layer serves it', async () => {
  const dir = app({ 'index.js': `${googleCJS}\nrequire('@google-cloud/functions-framework').cloudEvent('echoEvent', (ev) => ({ got: ev.data }));\n` });
  const srv = await serveProcess({ KILN_FUNCTION_COMPAT: 'google', FUNCTION_SOURCE: path.join(dir, 'index.js'), FUNCTION_TARGET: 'echoEvent', FUNCTION_SIGNATURE_TYPE: 'http' });
  try {
    assert.match(srv.banner, /serving cloudevent function "echoEvent" .* \(google compatibility\)/);
    const r = await fetch(srv.url, { method: 'POST', headers: { 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-id': '1', 'ce-source': '/s', 'ce-type': 't' }, body: '{"n":1}' });
    assert.deepStrictEqual([r.status, await r.json()], [200, { got: { n: 1 } }]);
  } finally {
    await srv.stop();
  }
  const plain = await serveProcess({ KILN_FUNCTION_COMPAT: 'google', FUNCTION_SOURCE: path.join(dir, 'index.js'), FUNCTION_TARGET: 'plain' });
  try {
    assert.match(plain.banner, /serving http function "plain"/);
    assert.strictEqual(await (await fetch(plain.url)).text(), 'plain');
  } finally {
    await plain.stop();
  }
});
