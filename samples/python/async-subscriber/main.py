"""Subscribes to the pub/sub topic "orders" (Redis Streams through Dapr) and
reports each order on the MQTT output "receipts". A message that is not an
order is dropped (400); an order it cannot report is retried."""


def receive(ctx, order):
    if not isinstance(order, dict) or not order.get("id"):
        return ctx.out(400, f"not an order: {order!r}")
    try:
        ctx.send({"order": order["id"], "items": order.get("items"), "topic": ctx.topic_event.get("topic") or "orders"}, "receipts")
    except Exception as e:
        return ctx.out(500, str(e), {"retry": "true"})
    return ctx.return_on_success()
