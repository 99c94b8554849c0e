'use strict';
// @openfunction/functions-framework as Kiln serves it: http, cloudEvent and
// openfunction register into Kiln's registry; the OpenFunction signature
// (ctx, data) runs on Kiln's OpenFunction runtime (lib/openfunction.js),
// whose ctx carries OpenFunction's names (send, state, req, res, locals,
// inputs, outputs, …). Written for Kiln; the API is OpenFunction's.
const registry = require('../registry');

exports.http = (name, handler) => registry.register(name, 'http', handler, 'http');
exports.cloudEvent = (name, handler) => registry.register(name, 'cloudevent', handler, 'cloudEvent');
exports.openfunction = (name, handler) => registry.register(name, 'openfunction', handler, 'openfunction');

exports.ComponentType = Object.freeze({ Binding: 'bindings', PubSub: 'pubsub', State: 'state' });
exports.RuntimeType = Object.freeze({ Async: 'async', Knative: 'knative' });

const typeOf = (c) => String((c && c.componentType) || '');

/** OpenFunction's helpers over a FUNC_CONTEXT object and its components. */
class ContextUtils {
  static IsAsyncRuntime(context) {
    return String((context && context.runtime) || '').toLowerCase() === 'async';
  }

  static IsKnativeRuntime(context) {
    return String((context && context.runtime) || '').toLowerCase() === 'knative';
  }

  static IsBindingComponent(component) {
    return typeOf(component).startsWith('bindings.');
  }

  static IsPubSubComponent(component) {
    return typeOf(component).startsWith('pubsub.');
  }

  static IsStateComponent(component) {
    return typeOf(component).startsWith('state.');
  }
}
exports.ContextUtils = ContextUtils;

/**
 * OpenFunction's plugin base class, so a module that defines plugins loads.
 * Kiln's Node.js framework does not run plugins (hooks run in Go functions);
 * ctx.getPlugin returns undefined.
 */
class Plugin {
  constructor(name, version = 'unknown') {
    this.name = name;
    this.version = version;
  }

  async execPreHook() {}

  async execPostHook() {}

  get(prop) {
    return this[prop];
  }
}
exports.Plugin = Plugin;
