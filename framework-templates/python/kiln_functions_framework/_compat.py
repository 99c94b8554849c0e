"""Serving functions written against Google's functions_framework or
OpenFunction's ofn-functions-framework on Kiln's server: the compatibility
layer. The server is Kiln's (limits, keep-alive, draining); what a function
sees is what those frameworks give it:

  http        fn(request) with a Flask-style request; the return value by Flask's rules
  cloudevent  fn(event), event a CloudEvent (cloudevents.http.CloudEvent's surface); "OK"
  typed       fn(input) with input_type.from_dict(request JSON); result.to_dict() as JSON
  ofn         OpenFunction's fn(context: UserContext), over HTTP (Knative) or Dapr (Async)

A decorator's registration (@functions_framework.http, …) picks the
signature, as in Google's framework. Errors: errorhandler registrations,
abort()'s HTTPExceptions, else a 500 with X-Google-Status (or
X-OpenFunction-Status): crash.
"""

import inspect
import json
import os
import sys
import traceback

from . import _cloudevents, _config, _registry
from ._flask import InvalidResponse, Request, Response, _dumps, error_response, make_response, set_current, to_wire
from ._http import Aborted, BaseHandler
from ._httpserver import Server
from ._ofn import BindingRequest, TopicEvent, UserContext, is_ofn_style
from ._werkzeug import BadRequest, HTTPException, MethodNotAllowed

KINDS = ("google", "openfunction")
ENV = "KILN_FUNCTION_COMPAT"
_STATUS_HEADER = {"google": "X-Google-Status", "openfunction": "X-OpenFunction-Status"}


def parse_kinds(value):
    """KILN_FUNCTION_COMPAT ("google,openfunction") as a list; a ValueError names the variable."""
    kinds = [k.strip() for k in (value or "").split(",") if k.strip()]
    for k in kinds:
        if k not in KINDS:
            raise ValueError(f"env {ENV}={value}: {k!r} is not a framework Kiln stands in for (known: {', '.join(KINDS)})")
    return kinds


def shims_dir():
    """Where the stand-in modules (functions_framework, flask, markupsafe, cloudevents) are."""
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "kiln_compat")


def enable(kinds):
    """Makes the stand-in modules importable, after everything already on sys.path
    (a real Flask or cloudevents the app installed wins)."""
    if kinds and shims_dir() not in sys.path:
        sys.path.append(shims_dir())


def signature_for(fn, target, requested, kinds):
    """The signature to serve fn with: its registration, OpenFunction's
    fn(context) style (under the openfunction layer), else requested (http)."""
    registered = _registry.signature_of(target)
    if registered:
        return registered
    if "openfunction" in kinds and is_ofn_style(fn) and requested in ("", "http", "openfunction"):
        return "ofn"
    return requested or "http"


def _crash(kind, exc):
    print(f"function error: {exc!r}", file=sys.stderr)
    traceback.print_exception(type(exc), exc, exc.__traceback__)
    resp = Response("500 Internal Server Error: The server encountered an internal error and was unable to complete your request.", status=500)
    resp.headers.set(_STATUS_HEADER[kind], "crash")
    return resp


_HTML = {"Content-Type": "text/html; charset=utf-8"}
_JSON = {"Content-Type": "application/json"}


def respond(view, req, kind):
    """Runs view(req); what it returned or raised, as (status, headers, body)
    to send. The common answers (a str, bytes, a dict or list, (str, int)) skip
    the Response object: same bytes, less work per request."""
    try:
        rv = view(req)
        t = type(rv)
        if t is str:
            return 200, _HTML, rv.encode()
        if t is dict or t is list:
            return 200, _JSON, _dumps(rv).encode()
        if t is bytes:
            return 200, _HTML, rv
        if t is tuple and len(rv) == 2 and type(rv[0]) is str and type(rv[1]) is int:
            return rv[1], _HTML, rv[0].encode()
        return to_wire(make_response(rv))
    except InvalidResponse as e:
        return to_wire(_crash(kind, e))
    except Exception as e:
        handler = _registry.error_handler_for(e)
        if handler is not None:
            try:
                return to_wire(make_response(handler(e)))
            except Exception as e2:
                return to_wire(_crash(kind, e2))
        if isinstance(e, HTTPException):
            return to_wire(error_response(e))
        return to_wire(_crash(kind, e))


def _cloudevent_view(fn):
    def view(req):
        if req.method != "POST":
            raise MethodNotAllowed()
        try:
            event = _cloudevents.from_request(req._message, req.get_data())
        except _cloudevents.BadRequest as e:
            raise BadRequest(str(e))
        fn(event)
        return "OK"
    return view


def _typed_view(fn):
    input_type = _registry.INPUT_TYPES.get(fn.__name__)
    if input_type is None:
        params = list(inspect.signature(fn).parameters.values())
        if params and params[0].annotation is not inspect.Parameter.empty:
            input_type = params[0].annotation

    def view(req):
        if req.method != "POST":
            raise MethodNotAllowed()
        data = req.get_json(force=True)
        value = input_type.from_dict(data) if input_type is not None and hasattr(input_type, "from_dict") else data
        result = fn(value)
        if result is None:
            return "", 200
        if type(result).__module__ == "builtins":
            return result
        if not hasattr(result, "to_dict"):
            raise TypeError(f"typed function {fn.__name__} returned a {type(result).__name__} without to_dict()")
        return json.dumps(result.to_dict())
    return view


def _ofn_http_view(fn, rt):
    from ._openfunction import Context

    def view(req):
        kctx = Context(rt, request=req, traceparent=req.headers.get("traceparent"))
        return fn(UserContext(kctx, http_request=req))
    return view


def _ofn_dapr_adapter(fn):
    """OpenFunction's fn(context) as the (ctx, data) function Kiln's Dapr handler calls."""
    def adapter(kctx, data):
        binding = topic = None
        if kctx.binding_event is not None:
            binding = BindingRequest(kctx.binding_event.get("data"), kctx.binding_event.get("metadata"))
        if kctx.topic_event is not None:
            topic = TopicEvent(kctx.topic_event)
        fn(UserContext(kctx, binding_request=binding, topic_event=topic))
        return None
    return adapter


def make_compat_handler(fn, signature, env, kind):
    """The request handler class for fn under the compatibility layer."""
    from ._openfunction import ENV as CONTEXT_ENV, Runtime, make_openfunction_handler, parse_context

    if signature == "openfunction":  # Kiln's own (ctx, data) signature
        return make_openfunction_handler(fn, env)
    if signature == "ofn":
        ctx = parse_context(env[CONTEXT_ENV]) if env.get(CONTEXT_ENV) else {"name": "", "runtime": "Knative", "port": 8080, "inputs": {}, "outputs": {}}
        if ctx["runtime"] == "Async":
            return make_openfunction_handler(_ofn_dapr_adapter(fn), env)
        view = _ofn_http_view(fn, Runtime(fn, ctx, env))
    elif signature == "http":
        view = fn
    elif signature == "cloudevent":
        view = _cloudevent_view(fn)
    elif signature == "typed":
        view = _typed_view(fn)
    else:
        raise ValueError(f"FUNCTION_SIGNATURE_TYPE={signature} is not supported (want one of: http, cloudevent, typed, openfunction)")
    browser_noise = signature in ("http", "ofn")

    class Handler(BaseHandler):
        def _serve(self):
            try:
                body = self.read_body()
            except Aborted:
                return
            req = Request(self.command, self.path, self.headers, body, self.client_address[0] if self.client_address else None,
                          self.server.server_address)
            if browser_noise and req.path in ("/favicon.ico", "/robots.txt"):
                return self._send(*to_wire(Response("Not Found", status=404)))
            set_current(req)
            try:
                answer = respond(view, req, kind)
            finally:
                set_current(None)
            self._send(*answer)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _serve

    return Handler


def make_compat_server(fn, port, signature, kind, host="", env=None, max_threads=256):
    """A server for fn under the compatibility layer (see make_server)."""
    env = os.environ if env is None else env
    handler = make_compat_handler(fn, signature, env, kind)
    return Server((host, port), handler, max_body_bytes=_config.max_body_bytes(env),
                  read_header_timeout=_config.read_header_timeout(env), max_threads=max_threads)
