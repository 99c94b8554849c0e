"""An async function: Dapr delivers each MQTT message from the input binding
"in"; the function sends {"echo": "<MESSAGE>"} to the output "out".

    kiln build samples/python/async-mqtt --target echo --signature openfunction
"""
import json


def echo(ctx, data):
    text = data if isinstance(data, str) else json.dumps(data)
    ctx.send({"echo": text.upper()}, "out")
    return ctx.return_on_success()
