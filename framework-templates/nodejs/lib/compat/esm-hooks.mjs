// ES module resolution for Kiln's compatibility modules on Node.js without
// module.registerHooks (see resolve.js): module.register runs this in the
// loader thread with the package -> file URL table as data.
let table = {};

export function initialize(data) {
  table = data || {};
}

export function resolve(specifier, context, next) {
  const url = Object.prototype.hasOwnProperty.call(table, specifier) ? table[specifier] : undefined;
  if (url) return { url, format: 'commonjs', shortCircuit: true };
  return next(specifier, context);
}
