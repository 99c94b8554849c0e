// An async function: Dapr delivers each MQTT message from the input binding
// "in"; the function sends {"echo": "<MESSAGE>"} to the output "out".
//   kiln build samples/nodejs/async-mqtt --target echo --signature openfunction
exports.echo = async (ctx, data) => {
  const reply = { echo: String(typeof data === 'string' ? data : JSON.stringify(data)).toUpperCase() };
  await ctx.send(reply, 'out');
  return ctx.returnOnSuccess();
};
