"""cloudevents.http: CloudEvent and HTTP conversions (Kiln's stand-in)."""

from cloudevents.conversion import to_binary, to_structured  # noqa: F401
from cloudevents.exceptions import MissingRequiredFields
from kiln_functions_framework import _cloudevents
from kiln_functions_framework._cloudevents import CloudEvent  # noqa: F401


class _Headers(dict):
    """Case-insensitive header lookup over a dict (what from_request reads)."""

    def __init__(self, headers):
        super().__init__((str(k).lower(), v) for k, v in dict(headers).items())

    def get(self, key, default=None):
        return super().get(key.lower(), default)

    def items(self):
        return super().items()


def from_http(headers, data, data_unmarshaller=None):
    """The event of an HTTP request in binary or structured mode."""
    h = _Headers(headers if hasattr(headers, "items") else dict(headers))
    body = data.encode() if isinstance(data, str) else (data or b"")
    try:
        event = _cloudevents.from_request(h, body)
    except _cloudevents.BadRequest as e:
        raise MissingRequiredFields(str(e)) from None
    if data_unmarshaller is not None and body and h.get("ce-specversion"):
        event.data = data_unmarshaller(body)
    return event


def is_binary(headers):
    return bool(_Headers(headers).get("ce-specversion"))


def is_structured(headers):
    return (_Headers(headers).get("content-type") or "").split(";")[0].strip().lower() == _cloudevents.STRUCTURED


__all__ = ["CloudEvent", "from_http", "to_binary", "to_structured", "is_binary", "is_structured"]
