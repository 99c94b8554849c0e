'use strict';
// Kiln's Node.js functions framework.
const { makeHandler, serve, SIGNATURES } = require('./server');
const { limitsFromEnv } = require('./limits');
const { loadFunction, loadModule, exportedFunctions } = require('./loader');
const cloudevents = require('./cloudevents');
const { parseContext, serveOpenFunction, Out, DaprClient } = require('./openfunction');

module.exports = { makeHandler, serve, SIGNATURES, limitsFromEnv, loadFunction, loadModule, exportedFunctions, cloudevents, parseContext, serveOpenFunction, Out, DaprClient, version: '0.1.0' };
