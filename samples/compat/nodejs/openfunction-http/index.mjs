// Written the way OpenFunction's samples write Node.js functions: an HTTP
// function and an OpenFunction (ctx, data) function that sends what it
// receives to its outputs, keeps state, and answers through ctx.res.
import { http, openfunction } from '@openfunction/functions-framework';

http('tryKnative', (req, res) => {
  res.send(`Hello, ${req.query.u || 'World'}!`);
});

openfunction('tryKnativeAsync', async (ctx, data) => {
  console.log('Data received: %o', data);
  await ctx.send(data);
  await ctx.state.save({ dataObjects: [{ key: 'last', value: data }] });
  const last = await ctx.state.get({ key: 'last' });
  ctx.res.send({ received: data, last, outputs: Object.keys(ctx.outputs).sort(), query: ctx.req.query });
});
