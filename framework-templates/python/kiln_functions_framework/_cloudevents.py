"""CloudEvents v1.0 over HTTP: binary mode and structured mode."""

import base64
import datetime
import json
import uuid

STRUCTURED = "application/cloudevents+json"
REQUIRED = ("specversion", "id", "source", "type")


class BadRequest(Exception):
    status = 400


class CloudEvent(dict):
    """An event: its attributes as dict items, its payload as .data. Also
    cloudevents.http.CloudEvent's surface (get_attributes(), get_data(),
    event["id"]); made by a function without specversion, it gets the SDK's
    defaults (specversion 1.0, a random id, the time now)."""

    def __init__(self, attributes, data=None):
        super().__init__(attributes)
        if "specversion" not in self:
            self["specversion"] = "1.0"
            self.setdefault("id", str(uuid.uuid4()))
            self.setdefault("time", datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z"))
        self.data = data

    @classmethod
    def create(cls, attributes, data=None):
        return cls(attributes, data)

    def get_attributes(self):
        return dict(self)

    def get_data(self):
        return self.data

    def __eq__(self, other):
        return isinstance(other, CloudEvent) and dict.__eq__(self, other) and self.data == other.data

    __hash__ = None

    def to_structured(self):
        out = dict(self)
        if isinstance(self.data, (bytes, bytearray)):
            out["data_base64"] = base64.b64encode(self.data).decode()
        elif self.data is not None:
            out["data"] = self.data
        return out


def _is_json(content_type):
    media = (content_type or "").split(";")[0].strip().lower()
    return media in ("", "application/json", "text/json") or media.endswith("+json")


def from_request(headers, body):
    """Builds the event from request headers (case-insensitive mapping) and body bytes."""
    media = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if media == STRUCTURED:
        try:
            attrs = json.loads(body)
        except ValueError as e:
            raise BadRequest(f"structured CloudEvent is not JSON: {e}")
        if not isinstance(attrs, dict):
            raise BadRequest("structured CloudEvent is not a JSON object")
        data = attrs.pop("data", None)
        if "data_base64" in attrs:
            data = base64.b64decode(attrs.pop("data_base64"))
    else:
        if not headers.get("ce-specversion"):
            raise BadRequest(
                f'request is neither binary mode (no ce-specversion header) nor structured mode '
                f'(Content-Type is "{media}", want {STRUCTURED})')
        attrs = {k.lower()[3:]: v for k, v in headers.items() if k.lower().startswith("ce-")}
        if headers.get("Content-Type"):
            attrs["datacontenttype"] = headers.get("Content-Type")
        data = None
        if body:
            if _is_json(attrs.get("datacontenttype")):
                try:
                    data = json.loads(body)
                except ValueError:
                    data = body.decode("utf-8", "replace")
            elif str(attrs.get("datacontenttype", "")).startswith("text/"):
                data = body.decode("utf-8", "replace")
            else:
                data = body
    missing = [a for a in REQUIRED if not attrs.get(a)]
    if missing:
        raise BadRequest(f"CloudEvent is missing required attribute(s): {', '.join(missing)}")
    if attrs["specversion"] != "1.0":
        raise BadRequest(f'CloudEvent specversion "{attrs["specversion"]}" is not supported (want 1.0)')
    return CloudEvent(attrs, data)
