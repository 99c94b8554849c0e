'use strict';
// Kiln's Node.js functions framework.
const { makeHandler, serve, SIGNATURES } = require('./server');
const { limitsFromEnv } = require('./limits');
const { loadFunction, loadTarget, loadModule, exportedFunctions } = require('./loader');
const cloudevents = require('./cloudevents');
const { parseContext, serveOpenFunction, Out, DaprClient } = require('./openfunction');
const { http, cloudEvent, openfunction, registrations } = require('./registry');

module.exports = {
  makeHandler, serve, SIGNATURES, limitsFromEnv, loadFunction, loadTarget, loadModule, exportedFunctions, cloudevents,
  parseContext, serveOpenFunction, Out, DaprClient, http, cloudEvent, openfunction, registrations, version: '0.1.0',
};
