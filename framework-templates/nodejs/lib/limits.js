'use strict';
// What the server allows a client, from the environment:
//   KILN_MAX_BODY_BYTES       largest request body in bytes (default 33554432); larger is a 413
//   KILN_READ_HEADER_TIMEOUT  seconds a client has to send a request's headers (default 10)

const MAX_BODY_ENV = 'KILN_MAX_BODY_BYTES';
const HEADER_TIMEOUT_ENV = 'KILN_READ_HEADER_TIMEOUT';
const DEFAULT_MAX_BODY = 32 * 1024 * 1024;
const DEFAULT_HEADER_TIMEOUT = 10;

/** Reads the limits from env; a bad value throws an error naming the variable. */
function limitsFromEnv(env = process.env) {
  const limits = { maxBodyBytes: DEFAULT_MAX_BODY, headersTimeoutMs: DEFAULT_HEADER_TIMEOUT * 1000 };
  const body = String(env[MAX_BODY_ENV] || '').trim();
  if (body) {
    if (!/^[0-9]{1,15}$/.test(body) || Number(body) === 0) {
      throw new Error(`env ${MAX_BODY_ENV}=${body} is not a positive number of bytes; unset it for the default (${DEFAULT_MAX_BODY})`);
    }
    limits.maxBodyBytes = Number(body);
  }
  const timeout = String(env[HEADER_TIMEOUT_ENV] || '').trim();
  if (timeout) {
    const s = /^[0-9]*\.?[0-9]+$/.test(timeout) ? Number(timeout) : NaN;
    if (!(s > 0 && s < 1e6)) {
      throw new Error(`env ${HEADER_TIMEOUT_ENV}=${timeout} is not a positive number of seconds; unset it for the default (${DEFAULT_HEADER_TIMEOUT})`);
    }
    limits.headersTimeoutMs = Math.ceil(s * 1000);
  }
  return limits;
}

/**
 * node:http server options for the limits: headersTimeout is checked every
 * connectionsCheckingInterval (30 s by default, far too coarse for it).
 */
function serverOptions(limits) {
  const ms = limits.headersTimeoutMs;
  return {
    headersTimeout: ms,
    requestTimeout: Math.max(300000, ms),
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(ms / 4))),
  };
}

module.exports = { limitsFromEnv, serverOptions, DEFAULT_MAX_BODY, MAX_BODY_ENV, HEADER_TIMEOUT_ENV };
