// Package events renders Kiln's Events kinds the way OpenFunction does:
// each EventSource and each Trigger becomes an async core.kiln.dev Function
// running Kiln's event handler image (controller/cmd/eventhandler), whose
// Dapr components are the sources' input bindings (Redis Streams through
// pubsub.redis, since Dapr has no Redis input binding) and the EventBus's
// pub/sub, with every password in the handler's Secret (referenced by
// secretKeyRef, never a Component value) and topics in the namespace's
// topic space (v1alpha1.TopicName). The Function reconciler then renders
// that Function into a Deployment with a daprd sidecar and its Components,
// as for any async function.
//
// Everything here is a pure function of its arguments (golden tested); the
// reconciler (controller/reconciler/events) looks the bus up and applies.
package events
