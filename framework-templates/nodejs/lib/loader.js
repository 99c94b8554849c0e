'use strict';
// Loads the user's module, CommonJS or ESM, and picks the target function.

const path = require('node:path');
const { pathToFileURL } = require('node:url');

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
 * Returns the function called target. A module whose only export is a
 * function (module.exports = fn / export default fn) serves it for any target.
 */
async function loadFunction(source, target) {
  const mod = await loadModule(source);
  if (target && typeof mod[target] === 'function') return mod[target];
  if (typeof mod.default === 'function' && exportedFunctions(mod).length === 0) return mod.default;
  const names = exportedFunctions(mod);
  const listing = names.length ? `it exports: ${names.join(', ')}` : 'it exports no functions';
  throw new Error(`FUNCTION_TARGET=${target || '(unset)'}: ${source} has no exported function "${target}"; ${listing}`);
}

module.exports = { loadModule, loadFunction, exportedFunctions };
