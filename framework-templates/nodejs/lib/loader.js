'use strict';
// Loads the user's module, CommonJS or ESM, and picks the target function:
// a declaratively registered one (lib/registry.js) first, as Google's
// framework does, else an export.

const path = require('node:path');
const { pathToFileURL } = require('node:url');
const registry = require('./registry');

/** Imports source (a file path) and returns its module namespace/exports. */
async function loadModule(source) {
  const abs = path.resolve(source);
  const mod = await import(pathToFileURL(abs).href);
  // CommonJS modules arrive as { default: module.exports, ...named }.
  const cjs = mod.default && typeof mod.default === 'object' ? mod.default : {};
  return { ...cjs, ...mod };
}

/** Lists exported function names (sorted). */
function exportedFunctions(mod) {
  return Object.keys(mod).filter((k) => typeof mod[k] === 'function' && k !== 'default').sort();
}

/**
 * Returns { fn, signature } for target: a function registered under that
 * name (signature: the registration's), else the export of that name
 * (signature undefined: the caller's choice). A module whose only export is
 * a function (module.exports = fn / export default fn) and that registers
 * nothing serves it for any target.
 */
async function loadTarget(source, target) {
  const mod = await loadModule(source);
  const reg = target ? registry.registered(target) : undefined;
  if (reg) return { fn: reg.fn, signature: reg.signature };
  if (target && typeof mod[target] === 'function') return { fn: mod[target] };
  const names = exportedFunctions(mod);
  const registered = Object.keys(registry.registrations());
  if (typeof mod.default === 'function' && names.length === 0 && registered.length === 0) return { fn: mod.default };
  const listing = [];
  if (names.length) listing.push(`it exports: ${names.join(', ')}`);
  if (registered.length) listing.push(`it registers: ${registered.join(', ')}`);
  const what = registered.length ? 'exported or registered' : 'exported';
  throw new Error(`FUNCTION_TARGET=${target || '(unset)'}: ${source} has no ${what} function "${target}"; ${listing.join('; ') || 'it exports no functions'}`);
}

/** Returns the function called target (see loadTarget). */
async function loadFunction(source, target) {
  return (await loadTarget(source, target)).fn;
}

module.exports = { loadModule, loadFunction, loadTarget, exportedFunctions };
