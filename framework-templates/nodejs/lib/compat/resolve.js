'use strict';
// Wires Kiln's compatibility modules in place of the functions frameworks a
// function was written against: once installCompat(['google']) ran, a
// require() or import of '@google-cloud/functions-framework' in this process
// gets lib/compat/google.js, whatever node_modules holds (the buildpack does
// not install the real package). The buildpack asks for it with
// KILN_FUNCTION_COMPAT only when the app depends on such a framework, so a
// Kiln-native function never loads any of this.
//
// Node >= 22.15 / 23.5: module.registerHooks (in-thread, both loaders).
// Older: Module._resolveFilename for require() and module.register (a loader
// thread) for import.

const Module = require('node:module');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const ENV = 'KILN_FUNCTION_COMPAT';

// Framework kind -> [npm package name, compatibility module].
const FRAMEWORKS = {
  google: ['@google-cloud/functions-framework', 'google.js'],
  openfunction: ['@openfunction/functions-framework', 'openfunction.js'],
};

/** Parses KILN_FUNCTION_COMPAT ("google,openfunction") into kinds; throws naming the variable. */
function parseKinds(value) {
  const kinds = String(value || '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const k of kinds) {
    if (!FRAMEWORKS[k]) throw new Error(`env ${ENV}=${value}: "${k}" is not a framework Kiln stands in for (known: ${Object.keys(FRAMEWORKS).join(', ')})`);
  }
  return kinds;
}

/** Package name -> absolute path of its compatibility module, for kinds. */
function compatTable(kinds) {
  const table = {};
  for (const k of kinds) {
    const [pkg, file] = FRAMEWORKS[k];
    table[pkg] = path.join(__dirname, file);
  }
  return table;
}

let installed = null;

/**
 * Makes the packages of kinds resolve to Kiln's compatibility modules in this
 * process. Returns the table; calling it again with other kinds throws.
 */
function installCompat(kinds) {
  const table = compatTable(kinds);
  if (installed) {
    if (JSON.stringify(installed) !== JSON.stringify(table)) throw new Error('installCompat: already installed for other frameworks');
    return installed;
  }
  installed = table;
  if (kinds.length === 0) return table;
  if (typeof Module.registerHooks === 'function') {
    Module.registerHooks({
      resolve(specifier, context, next) {
        const file = table[specifier];
        if (file) return { url: pathToFileURL(file).href, format: 'commonjs', shortCircuit: true };
        return next(specifier, context);
      },
    });
    return table;
  }
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function resolveCompat(request, ...rest) {
    return Object.prototype.hasOwnProperty.call(table, request) ? table[request] : resolveFilename.call(this, request, ...rest);
  };
  if (typeof Module.register === 'function') {
    const urls = Object.fromEntries(Object.entries(table).map(([k, v]) => [k, pathToFileURL(v).href]));
    Module.register(pathToFileURL(path.join(__dirname, 'esm-hooks.mjs')).href, { data: urls });
  }
  return table;
}

/** Installs what KILN_FUNCTION_COMPAT asks for; the kinds installed. */
function installFromEnv(env = process.env) {
  const kinds = parseKinds(env[ENV]);
  installCompat(kinds);
  return kinds;
}

module.exports = { installCompat, installFromEnv, parseKinds, compatTable, FRAMEWORKS, ENV };
