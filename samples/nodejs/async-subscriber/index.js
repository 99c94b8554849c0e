// Subscribes to the pub/sub topic "orders" (Redis Streams through Dapr) and
// reports each order on the MQTT output "receipts". A message that is not an
// order is dropped (400); an order it cannot report is retried.
exports.receive = async (ctx, order) => {
  if (!order || typeof order !== 'object' || !order.id) return ctx.out(400, `not an order: ${JSON.stringify(order)}`);
  try {
    await ctx.send({ order: order.id, items: order.items, topic: ctx.topicEvent.topic || 'orders' }, 'receipts');
  } catch (err) {
    return ctx.out(500, err.message, { retry: 'true' });
  }
  return ctx.returnOnSuccess();
};
