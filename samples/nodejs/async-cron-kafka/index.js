// Triggered by a Dapr cron binding; writes {"tick": N, "at": "<time>"} to a
// Kafka topic through the Dapr Kafka output binding "kafka".
let ticks = 0;

exports.tick = async (ctx) => {
  ticks += 1;
  await ctx.send({ tick: ticks, at: new Date().toISOString() }, 'kafka');
};
