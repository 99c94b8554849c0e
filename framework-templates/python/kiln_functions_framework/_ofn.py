"""OpenFunction's Python context (functions_framework.context.user_context
.UserContext of ofn-functions-framework) over Kiln's OpenFunction runtime: a
function `def f(context: UserContext)` reads its trigger with
get_http_request() (a Flask-style request), get_binding_request() or
get_topic_event(), and sends with send(output_name, data)."""

import json
import logging

from ._openfunction import _to_bytes


class BindingRequest:
    """A binding event as Dapr's Python SDK gives it: data (bytes), metadata, text(), json()."""

    def __init__(self, data, metadata):
        self.data = data or b""
        self.metadata = dict(metadata or {})

    def text(self):
        return self.data.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.data) if self.data else None


class BindingResponse:
    """What an output binding answered: data (bytes), text(), json()."""

    def __init__(self, data, metadata=None):
        self.data = data or b""
        self.binding_metadata = dict(metadata or {})

    def text(self):
        return self.data.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.data) if self.data else None


class TopicEvent:
    """A pub/sub message as the CloudEvents v1 event Dapr's Python SDK gives:
    Data(), EventID(), Source(), EventType(), ContentType(), … and the same as attributes."""

    def __init__(self, ev):
        self._ev = dict(ev)
        self.data = self._ev.get("data", b"")
        self.id = self._ev.get("id")
        self.source = self._ev.get("source")
        self.type = self._ev.get("type")
        self.topic = self._ev.get("topic")
        self.pubsub_name = self._ev.get("pubsubname")
        self.content_type = self._ev.get("datacontenttype")

    def Data(self):
        return self.data

    def EventID(self):
        return self.id

    def Source(self):
        return self.source

    def EventType(self):
        return self.type

    def ContentType(self):
        return self.content_type

    def Subject(self):
        return self._ev.get("subject")

    def SpecVersion(self):
        return "1.0"

    def Extensions(self):
        return {k: v for k, v in self._ev.items() if k in ("topic", "pubsubname", "traceparent")}


class FunctionOut:
    """OpenFunction's FunctionOut (kept for code that builds one)."""

    def __init__(self, code, error, data, metadata):
        self._code, self._error, self._data, self._metadata = code, error, data, metadata

    def set_code(self, code):
        self._code = code

    def get_code(self):
        return self._code

    def set_error(self, error):
        self._error = error

    def get_error(self):
        return self._error

    def set_data(self, data):
        self._data = data

    def get_data(self):
        return self._data

    def set_metadata(self, metadata):
        self._metadata = metadata

    def get_metadata(self):
        return self._metadata


class Output:
    """An output of FUNC_CONTEXT as OpenFunction's runtime context lists it."""

    def __init__(self, io):
        self.component_name = io["componentName"]
        self.component_type = io["componentType"]
        self.topic = io.get("topic")
        self.operation = io.get("operation")
        self.metadata = dict(io.get("metadata") or {})


class RuntimeContext:
    """The part of OpenFunction's RuntimeContext a function reaches: its outputs and inputs."""

    def __init__(self, ctx):
        self._ctx = ctx

    def get_outputs(self):
        return {k: Output(v) for k, v in self._ctx["outputs"].items()}

    def get_inputs(self):
        return {k: Output(v) for k, v in self._ctx["inputs"].items()}

    def get_name(self):
        return self._ctx["name"]


class UserContext:
    """OpenFunction's context for `def f(context)` functions."""

    def __init__(self, kiln_ctx=None, http_request=None, binding_request=None, topic_event=None, logger=None):
        self._kiln = kiln_ctx
        self.runtime_context = RuntimeContext(kiln_ctx._rt.ctx) if kiln_ctx is not None else None
        self.logger = logger or logging.getLogger("functions_framework")
        self.out = FunctionOut(0, None, "", {})
        # OpenFunction exposes Dapr's Python SDK client here; Kiln has no SDK: use send().
        self.dapr_client = None
        self.__http_request = http_request
        self.__binding_request = binding_request
        self.__topic_event = topic_event

    def get_http_request(self):
        return self.__http_request

    def get_binding_request(self):
        return self.__binding_request

    def get_topic_event(self):
        return self.__topic_event

    def send(self, output_name, data):
        """Sends data to the output named output_name (OpenFunction's argument order):
        a binding gets the data (a str, bytes, or JSON for other values) and its
        answer comes back as a BindingResponse; a pub/sub topic gets the data as JSON."""
        if self._kiln is None:
            raise RuntimeError("UserContext.send: no runtime (this context was made outside a served function)")
        rt = self._kiln._rt
        outs = rt.ctx["outputs"]
        if not outs:
            raise ValueError("UserContext.send: no outputs found in FUNC_CONTEXT")
        o = outs.get(output_name)
        if o is None:
            raise ValueError(f"UserContext.send({output_name!r}, …): no output named {output_name!r} in FUNC_CONTEXT outputs (declared: {', '.join(sorted(outs))})")
        tp = self._kiln._traceparent
        if o["pubsub"]:
            rt.dapr.publish(o["componentName"], o["topic"], json.dumps(data).encode(), tp)
            return None
        return BindingResponse(rt.dapr.invoke_binding(o["componentName"], o["operation"], _to_bytes(data), o["metadata"], tp))


def is_ofn_style(fn):
    """True for OpenFunction's Python signature: one parameter, named context."""
    import inspect

    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return False
    return len(params) == 1 and params[0].name == "context" and params[0].kind in (params[0].POSITIONAL_ONLY, params[0].POSITIONAL_OR_KEYWORD)
