"""A CloudEvent function: kiln build samples/python/cloudevent --target on_order --signature cloudevent"""


def on_order(event):
    order = event.data or {}
    if not order.get("id"):
        raise ValueError(f"event {event['id']}: order has no id")
    print(f"received {event['type']} event {event['id']} from {event['source']}: "
          f"order {order['id']} with {order['items']} items", flush=True)
