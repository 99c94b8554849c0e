// A CloudEvent function: kiln build samples/nodejs/cloudevent --target onOrder --signature cloudevent
exports.onOrder = async (event) => {
  const order = event.data || {};
  if (!order.id) throw new Error(`event ${event.id}: order has no id`);
  console.log(`received ${event.type} event ${event.id} from ${event.source}: order ${order.id} with ${order.items} items`);
};
