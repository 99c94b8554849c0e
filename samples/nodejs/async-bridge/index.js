// A sync -> async bridge: an HTTP function that forwards the request body to
// an MQTT topic through Dapr and still answers the caller (202, or 400 for an
// empty body).
exports.forward = async (ctx, data) => {
  if (data === undefined) return ctx.out(400, 'send a body to forward\n');
  const body = typeof data === 'string' ? data : JSON.stringify(data);
  await ctx.send(data, 'mqtt');
  return ctx.out(202, `forwarded ${Buffer.byteLength(body)} bytes to mqtt\n`);
};
