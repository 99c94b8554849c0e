// Command eventhandler is the workload of every EventSource and Trigger
// (the image controller/render/events puts in their handler Functions). It
// reads its role from $EVENTS_CONFIG (controller/api/events/handlerconfig)
// and talks HTTP to its daprd sidecar:
//
//   - as an EventSource, it receives each source's payloads from daprd
//     (input bindings POST to /sources/<kind>/<event>; Redis Streams arrive
//     through a pub/sub subscription), wraps each in a CloudEvent and
//     publishes it to the EventBus topic through daprd's publish API and/or
//     POSTs it to the sink;
//   - as a Trigger, it subscribes to its inputs' bus topics
//     (GET /dapr/subscribe), evaluates each subscriber's condition
//     (controller/api/events/condition) over the event and the inputs seen
//     within the window, and delivers matches to the subscriber's sink or
//     topic, falling back to the dead-letter sink or topic.
//
// Standard library only, so the image is small.
package main
