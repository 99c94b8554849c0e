'use strict';
// ctx.state: Dapr state stores named in FUNC_CONTEXT "states", through
// daprd's HTTP state API, with OpenFunction's Node.js names and argument
// shapes: each operation takes one object whose (first) value is what Dapr
// needs, and an optional store name (default: the first store declared).
//
//   await ctx.state.save({ dataObjects: [{ key: '1', value: {...} }] })
//   await ctx.state.get({ key: '1' })                    -> the value
//   await ctx.state.getBulk({ keys: ['1', '2'], parallelism: 10 })
//   await ctx.state.delete({ key: '1' })
//   await ctx.state.transaction({ operations: [{ operation: 'upsert', request: { key, value } }] })
//   await ctx.state.query({ query: { filter: {...} } })   -> { results, token }
//
// Unlike OpenFunction's, an operation names the store it was given (theirs
// always took the first one) and a failure rejects with daprd's answer.

function values(data) {
  return data && typeof data === 'object' && !Array.isArray(data) ? Object.values(data) : [data];
}

/** The one value of a single-key object ({ key: '1' } -> '1'); a string passes. */
function single(op, data) {
  if (typeof data === 'string') return data;
  const v = values(data);
  if (v.length !== 1 || typeof v[0] !== 'string' || v[0] === '') {
    throw new Error(`ctx.state.${op}(${JSON.stringify(data)}): give one key, e.g. ctx.state.${op}({ key: 'order-1' })`);
  }
  return v[0];
}

function decode(buf) {
  if (!buf || buf.length === 0) return '';
  const s = buf.toString();
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

/** The state operations of a runtime context (parsed FUNC_CONTEXT) over a DaprClient. */
function stateOperations(context, dapr) {
  const store = (op, db) => {
    const names = Object.keys(context.states || {});
    if (names.length === 0) {
      throw new Error(`ctx.state.${op}: FUNC_CONTEXT declares no state stores; add one under "states" (spec.serving.states of the Function)`);
    }
    if (db === undefined || db === null || db === '') return context.states[names[0]].componentName;
    const st = context.states[db];
    if (!st) throw new Error(`ctx.state.${op}(…, ${JSON.stringify(db)}): no such state store in FUNC_CONTEXT states (declared: ${names.sort().join(', ')})`);
    return st.componentName;
  };
  const call = async (op, method, path, body) => {
    if (!dapr) throw new Error(`ctx.state.${op}: no Dapr client (FUNC_CONTEXT declares no state stores)`);
    const headers = body === undefined ? {} : { 'content-type': 'application/json' };
    const res = await dapr.call(method, path, body === undefined ? undefined : JSON.stringify(body), headers);
    if (res.status >= 300) throw new Error(`ctx.state.${op}: daprd answered HTTP ${res.status}: ${res.body.toString()}`);
    return res.body;
  };
  const at = (name) => `/v1.0/state/${encodeURIComponent(name)}`;
  return {
    async save(data, db) {
      const items = Array.isArray(data) ? data : values(data)[0];
      if (!Array.isArray(items)) throw new Error('ctx.state.save: give the key/value pairs, e.g. ctx.state.save({ dataObjects: [{ key: "k", value: 1 }] })');
      await call('save', 'POST', at(store('save', db)), items);
    },
    async get(data, db) {
      const key = single('get', data);
      return decode(await call('get', 'GET', `${at(store('get', db))}/${encodeURIComponent(key)}`));
    },
    async getBulk(data, db) {
      const [keys, parallelism, metadata] = Array.isArray(data) ? [data] : values(data);
      if (!Array.isArray(keys)) throw new Error('ctx.state.getBulk: give the keys, e.g. ctx.state.getBulk({ keys: ["a", "b"] })');
      const body = { keys };
      if (parallelism !== undefined) body.parallelism = parallelism;
      const q = metadata && typeof metadata === 'object' ? `?${new URLSearchParams(Object.entries(metadata).map(([k, v]) => [`metadata.${k}`, String(v)]))}` : '';
      return decode(await call('getBulk', 'POST', `${at(store('getBulk', db))}/bulk${q}`, body));
    },
    async delete(data, db) {
      const key = single('delete', data);
      await call('delete', 'DELETE', `${at(store('delete', db))}/${encodeURIComponent(key)}`);
    },
    async transaction(data, db) {
      const [operations, metadata] = Array.isArray(data) ? [data] : values(data);
      if (!Array.isArray(operations)) throw new Error('ctx.state.transaction: give the operations, e.g. ctx.state.transaction({ operations: [{ operation: "upsert", request: { key: "k", value: 1 } }] })');
      const body = { operations };
      if (metadata) body.metadata = metadata;
      await call('transaction', 'POST', `${at(store('transaction', db))}/transaction`, body);
    },
    async query(data, db) {
      const query = data && data.query !== undefined && Object.keys(data).length === 1 ? data.query : values(data)[0];
      return decode(await call('query', 'POST', `/v1.0-alpha1/state/${encodeURIComponent(store('query', db))}/query`, query));
    },
  };
}

module.exports = { stateOperations };
