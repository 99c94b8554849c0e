"""A sync -> async bridge: an HTTP function that forwards the request body to
an MQTT topic through Dapr and still answers the caller (202, or 400 for an
empty body)."""
import json


def forward(ctx, data):
    if data is None:
        return ctx.out(400, "send a body to forward\n")
    body = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    ctx.send(data, "mqtt")
    return ctx.out(202, f"forwarded {len(body.encode())} bytes to mqtt\n")
