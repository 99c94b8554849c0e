'use strict';
// Kiln's Node.js functions framework.
const { makeHandler, serve, SIGNATURES } = require('./server');
const { loadFunction, loadModule, exportedFunctions } = require('./loader');
const cloudevents = require('./cloudevents');

module.exports = { makeHandler, serve, SIGNATURES, loadFunction, loadModule, exportedFunctions, cloudevents, version: '0.1.0' };
