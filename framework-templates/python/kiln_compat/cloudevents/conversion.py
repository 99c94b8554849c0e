"""cloudevents.conversion: an event to HTTP (binary or structured), to a dict or JSON."""

import base64
import json

from kiln_functions_framework._cloudevents import CloudEvent


def _data_bytes(data):
    if data is None:
        return b""
    if isinstance(data, (bytes, bytearray)):
        return bytes(data)
    if isinstance(data, str):
        return data.encode()
    return json.dumps(data).encode()


def to_binary(event, data_marshaller=None):
    """(headers, body): attributes as ce-* headers, data as the body."""
    headers = {}
    for k, v in event.items():
        if k == "datacontenttype":
            headers["content-type"] = v
        else:
            headers["ce-" + k] = str(v)
    body = data_marshaller(event.data) if data_marshaller else _data_bytes(event.data)
    return headers, body


def to_dict(event):
    out = dict(event)
    if isinstance(event.data, (bytes, bytearray)):
        out["data_base64"] = base64.b64encode(event.data).decode()
    elif event.data is not None:
        out["data"] = event.data
    return out


def to_json(event, data_marshaller=None):
    out = to_dict(event)
    if data_marshaller and "data" in out:
        out["data"] = data_marshaller(out["data"])
    return json.dumps(out).encode()


def to_structured(event, data_marshaller=None):
    """(headers, body): the whole event as application/cloudevents+json."""
    return {"content-type": "application/cloudevents+json"}, to_json(event, data_marshaller)


__all__ = ["CloudEvent", "to_binary", "to_structured", "to_dict", "to_json"]
