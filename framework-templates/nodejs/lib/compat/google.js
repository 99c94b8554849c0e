'use strict';
// @google-cloud/functions-framework as Kiln serves it: what a function calls
// at load time (functions.http, functions.cloudEvent) registers into Kiln's
// registry, and Kiln's server runs the function (see resolve.js for how a
// require of that package arrives here). Written for Kiln; the API is
// Google's documented one.
const registry = require('../registry');

/** functions.http(name, (req, res) => …): an HTTP function (Express-style req/res). */
exports.http = (name, handler) => registry.register(name, 'http', handler, 'functions.http');

/** functions.cloudEvent(name, (cloudEvent) => …): a CloudEvent function. */
exports.cloudEvent = (name, handler) => registry.register(name, 'cloudevent', handler, 'functions.cloudEvent');
