// Written the way Google's Cloud Functions documentation writes a CloudEvent
// function: functions.cloudEvent, the event's attributes and data on one object.
const fs = require('fs');
const functions = require('@google-cloud/functions-framework');

functions.cloudEvent('helloCloudEvent', (cloudEvent) => {
  const order = cloudEvent.data || {};
  if (!order.id) {
    throw new Error(`event ${cloudEvent.id} carries no order id`);
  }
  console.log(`received ${cloudEvent.type} event ${cloudEvent.id} from ${cloudEvent.source}: order ${order.id} with ${order.items} items`);
});

// The conformance protocol's CloudEvent function: the event, as JSON, goes to
// function_output.json.
functions.cloudEvent('conformanceCloudEvent', (cloudEvent) => {
  fs.writeFileSync('function_output.json', JSON.stringify(cloudEvent));
});
