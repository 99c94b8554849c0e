'use strict';
// Declarative registration: a module registers its functions by name
// (http('name', fn), cloudEvent('name', fn), openfunction('name', fn)) and
// FUNCTION_TARGET picks one. Google's and OpenFunction's Node.js frameworks
// register the same way; Kiln's compatibility modules for them
// (lib/compat/google.js, lib/compat/openfunction.js) register here.

// The names Google's and OpenFunction's frameworks accept.
const NAME = /^[A-Za-z](?:[-_A-Za-z0-9]{0,61}[A-Za-z0-9])?$/;

const functions = new Map();

/** Registers fn under name with its signature; api names the call for errors. */
function register(name, signature, fn, api) {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new Error(`${api}(${JSON.stringify(name)}, …): invalid function name: use letters, digits, - and _, start with a letter, end with a letter or digit, at most 63 characters`);
  }
  if (typeof fn !== 'function') {
    throw new TypeError(`${api}("${name}", …): the handler must be a function, not ${fn === null ? 'null' : typeof fn}`);
  }
  // As in Google's framework, registering a name again replaces it.
  functions.set(name, { signature, fn });
}

/** The registration of name: { signature, fn }, or undefined. */
function registered(name) {
  return functions.get(name);
}

/** Every registered name with its signature, as an object (names sorted). */
function registrations() {
  const out = {};
  for (const name of [...functions.keys()].sort()) out[name] = functions.get(name).signature;
  return out;
}

/** Forgets every registration (tests). */
function clear() {
  functions.clear();
}

const http = (name, fn) => register(name, 'http', fn, 'http');
const cloudEvent = (name, fn) => register(name, 'cloudevent', fn, 'cloudEvent');
const openfunction = (name, fn) => register(name, 'openfunction', fn, 'openfunction');

module.exports = { register, registered, registrations, clear, http, cloudEvent, openfunction, NAME };
