'use strict';
// application/x-www-form-urlencoded bodies as body-parser's extended mode
// (the qs package) gives them to Express functions: repeated keys become
// arrays, brackets nest (a[b]=1 -> {a:{b:'1'}}, a[]=1 -> {a:['1']},
// a[0]=x -> {a:['x']}). Bounded like qs: at most 1000 parameters, 5 levels,
// array indexes up to 20 (a larger index makes an object key); keys that
// would reach Object.prototype are dropped.

const MAX_PARAMS = 1000;
const MAX_DEPTH = 5;
const MAX_INDEX = 20;
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

function decode(s) {
  const plus = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(plus);
  } catch {
    return plus;
  }
}

/** Splits "a[b][]" into ["a", "b", ""]; past MAX_DEPTH the rest is one literal segment. */
function segments(key) {
  const open = key.indexOf('[');
  if (open <= 0) return [key];
  const segs = [key.slice(0, open)];
  let rest = key.slice(open);
  const bracket = /^\[([^[\]]*)\]/;
  while (rest && segs.length <= MAX_DEPTH) {
    const m = bracket.exec(rest);
    if (!m) break;
    segs.push(m[1]);
    rest = rest.slice(m[0].length);
  }
  if (rest) segs.push(rest);
  return segs;
}

function isIndex(seg) {
  return /^[0-9]+$/.test(seg) && Number(seg) <= MAX_INDEX;
}

function put(container, seg, value) {
  if (Array.isArray(container)) {
    if (seg === '') container.push(value);
    else container[Number(seg)] = value;
    return;
  }
  const prev = container[seg];
  if (prev === undefined) container[seg] = value;
  else if (Array.isArray(prev)) prev.push(value);
  else container[seg] = [prev, value];
}

function assign(container, segs, value) {
  const [seg, ...rest] = segs;
  if (FORBIDDEN.has(seg)) return;
  if (Array.isArray(container) && seg !== '' && !isIndex(seg)) return; // a[x] after a[0]: dropped
  if (rest.length === 0) {
    put(container, seg, value);
    return;
  }
  let child = Array.isArray(container) && seg === '' ? undefined : container[seg];
  if (child === undefined || child === null || typeof child !== 'object') {
    child = rest[0] === '' || isIndex(rest[0]) ? [] : {};
    if (Array.isArray(container) && seg === '') container.push(child);
    else container[seg] = child;
  }
  assign(child, rest, value);
}

/** Compacts sparse arrays (a[3]=x alone gives ['x'], as qs). */
function compact(v) {
  if (Array.isArray(v)) return v.filter((x) => x !== undefined).map(compact);
  if (v && typeof v === 'object') {
    for (const k of Object.keys(v)) v[k] = compact(v[k]);
  }
  return v;
}

/** Parses a urlencoded string into an object. */
function parseForm(text) {
  const out = {};
  const pairs = String(text).split('&');
  for (let i = 0; i < pairs.length && i < MAX_PARAMS; i++) {
    const pair = pairs[i];
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const key = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    if (!key) continue;
    assign(out, segments(key), value);
  }
  return compact(out);
}

module.exports = { parseForm };
