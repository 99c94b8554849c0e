"""The OpenFunction signature for Python: fn(ctx, data) -> result.

FUNC_CONTEXT (OpenFunction's v1beta1 or v1beta2 shape) names the function's
Dapr inputs and outputs. Runtime "Async": daprd delivers binding events and
pub/sub messages over Dapr's HTTP app protocol (APP_PROTOCOL=http). Otherwise
the function is served over HTTP and may still send to outputs (a sync ->
async bridge). Outputs go through daprd's HTTP API at DAPR_HOST:DAPR_HTTP_PORT;
a late daprd is waited for, within DAPR_WAIT_TIMEOUT seconds (default 60).
"""

import base64
import errno
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from . import _cloudevents

ENV = "FUNC_CONTEXT"


class ContextError(ValueError):
    pass


def _fail(msg):
    return ContextError(f"{ENV}: {msg}")


def parse_context(text):
    """Parses FUNC_CONTEXT in either OpenFunction shape into one dict."""
    try:
        raw = json.loads(text)
    except ValueError as e:
        raise _fail(f'not valid JSON ({e}); it is the object the Kiln controller sets, e.g. {{"name":"fn","runtime":"Async","inputs":{{...}}}}')
    if not isinstance(raw, dict):
        raise _fail("must be a JSON object")
    v2 = any(k in raw for k in ("triggers", "preHooks", "postHooks", "tracing"))
    ctx = {"name": raw.get("name", ""), "runtime": "Knative", "port": 8080, "inputs": {}, "outputs": {}}
    port = None
    if v2:
        triggers = raw.get("triggers") or {}
        ctx["runtime"] = "Async" if triggers.get("dapr") else "Knative"
        port = (triggers.get("http") or {}).get("port")
    else:
        rt = raw.get("runtime", "Knative")
        if rt not in ("Knative", "Async"):
            raise _fail(f'runtime: "{rt}" is not Knative or Async')
        ctx["runtime"] = rt
        port = raw.get("port") or None
    if port is not None:
        try:
            ctx["port"] = int(port)
        except (TypeError, ValueError):
            ctx["port"] = -1
        if not 1 <= ctx["port"] <= 65535:
            raise _fail(f"port: {json.dumps(port)} is not a port number (1-65535)")
    for kind in ("inputs", "outputs"):
        m = raw.get(kind) or {}
        if not isinstance(m, dict):
            raise _fail(f"{kind}: must be an object keyed by name")
        for key, io in m.items():
            if not isinstance(io, dict):
                raise _fail(f"{kind}.{key}: null; give componentName and componentType")
            typ = io.get("componentType", "")
            if not io.get("componentName"):
                raise _fail(f"{kind}.{key}.componentName is empty: name the Dapr component")
            if not (typ.startswith("bindings.") or typ.startswith("pubsub.")):
                raise _fail(f'{kind}.{key}.componentType: "{typ}" must start with bindings. or pubsub.')
            pubsub = typ.startswith("pubsub.")
            topic = io.get("topic") if v2 else (io.get("uri") if pubsub else None)
            if pubsub and not topic:
                raise _fail(f"{kind}.{key}: a pub/sub {kind[:-1]} needs a topic ({'topic' if v2 else 'uri'})")
            ctx[kind][key] = {"componentName": io["componentName"], "componentType": typ, "pubsub": pubsub,
                              "topic": topic, "operation": io.get("operation") or "create", "metadata": io.get("metadata") or {}}
    if ctx["runtime"] == "Async" and not ctx["inputs"]:
        raise _fail("runtime Async but no inputs: an async function needs at least one Dapr binding or pub/sub input")
    return ctx


class Out:
    """The code and data a function answers with."""

    def __init__(self, code=200, data=None, metadata=None):
        self.code = code
        self.data = data
        self.metadata = metadata or {}


def _to_bytes(data):
    if data is None:
        return b""
    if isinstance(data, (bytes, bytearray)):
        return bytes(data)
    if isinstance(data, str):
        return data.encode()
    return json.dumps(data, separators=(",", ":")).encode()


def _is_json(b):
    if not b:
        return False
    try:
        json.loads(b)
        return True
    except ValueError:
        return False


def _decode_input(b):
    """The function's input: parsed JSON when it is JSON, else text (bytes if not UTF-8)."""
    if not b:
        return None
    try:
        return json.loads(b)
    except ValueError:
        try:
            return b.decode()
        except UnicodeDecodeError:
            return b


class DaprClient:
    """daprd's HTTP output API, waiting a bounded time for a late daprd."""

    def __init__(self, env):
        self.host = env.get("DAPR_HOST") or "127.0.0.1"
        port = env.get("DAPR_HTTP_PORT") or "3500"
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"env DAPR_HTTP_PORT={port!r} is not a TCP port; set it to daprd's --dapr-http-port")
        self.port = int(port)
        self.wait = float(env.get("DAPR_WAIT_TIMEOUT") or 60)

    def _post(self, path, body, headers):
        url = f"http://{self.host}:{self.port}{path}"
        deadline = time.monotonic() + self.wait
        delay = 0.05
        while True:
            req = urllib.request.Request(url, data=body, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(req, timeout=30) as resp:
                    return resp.status, resp.read()
            except urllib.error.HTTPError as e:
                return e.code, e.read()
            except urllib.error.URLError as e:
                refused = isinstance(e.reason, OSError) and e.reason.errno == errno.ECONNREFUSED
                if not refused or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"daprd is not reachable at {self.host}:{self.port} (DAPR_HOST/DAPR_HTTP_PORT) after {self.wait:g}s: {e.reason}; "
                        "start daprd with --dapr-http-port, or kiln run --dapr <components dir>; DAPR_WAIT_TIMEOUT sets how long to wait")
                time.sleep(delay)
                delay = min(delay * 2, 1.0)

    def invoke_binding(self, name, operation, data, metadata, traceparent=None):
        # daprd re-encodes "data" as JSON: JSON payloads pass as they are,
        # other bytes go as a JSON string.
        payload = json.loads(data) if _is_json(data) else data.decode("utf-8", "replace")
        body = json.dumps({"data": payload, "metadata": metadata, "operation": operation}).encode()
        headers = {"Content-Type": "application/json"}
        if traceparent:
            headers["traceparent"] = traceparent
        status, resp = self._post(f"/v1.0/bindings/{urllib.parse.quote(name)}", body, headers)
        if status >= 300:
            raise RuntimeError(f'dapr output binding "{name}" (operation {operation}): HTTP {status} {resp.decode("utf-8", "replace")}')
        return resp

    def publish(self, pubsub, topic, data, traceparent=None):
        headers = {"Content-Type": "application/json" if _is_json(data) else "application/octet-stream"}
        if traceparent:
            headers["traceparent"] = traceparent
        status, resp = self._post(f"/v1.0/publish/{urllib.parse.quote(pubsub)}/{urllib.parse.quote(topic)}", data, headers)
        if status >= 300:
            raise RuntimeError(f"dapr publish to {pubsub}/{topic}: HTTP {status} {resp.decode('utf-8', 'replace')}")


class Context:
    """What a function gets for one invocation."""

    def __init__(self, rt, input_name="", binding_event=None, topic_event=None, request=None, traceparent=None):
        self._rt = rt
        self.name = rt.ctx["name"]
        self.input_name = input_name
        self.binding_event = binding_event
        self.topic_event = topic_event
        self.request = request
        self.outputs = sorted(rt.ctx["outputs"])
        self._traceparent = traceparent

    def send(self, data, output_name=None):
        """Sends data to the named output (the only one when there is one)."""
        outs = self._rt.ctx["outputs"]
        name = output_name if output_name is not None or len(outs) != 1 else next(iter(outs))
        o = outs.get(name)
        if o is None:
            raise ValueError(f"ctx.send(data, {name!r}): no such output in FUNC_CONTEXT outputs (declared: {', '.join(sorted(outs)) or 'none'})")
        b = _to_bytes(data)
        if o["pubsub"]:
            return self._rt.dapr.publish(o["componentName"], o["topic"], b, self._traceparent)
        return self._rt.dapr.invoke_binding(o["componentName"], o["operation"], b, o["metadata"], self._traceparent)

    def out(self, code, data=None, metadata=None):
        return Out(code, data, metadata)

    def return_on_success(self):
        return Out(200)

    def return_on_internal_error(self):
        return Out(500)


class Runtime:
    def __init__(self, fn, ctx, env):
        self.fn = fn
        self.ctx = ctx
        self.dapr = DaprClient(env) if ctx["outputs"] else None

    def invoke(self, context, data):
        """Runs fn once; what it returned or raised becomes an Out."""
        try:
            result = self.fn(context, _decode_input(data))
        except Exception as e:
            code = getattr(e, "status", 500)
            print(f"function {context.name} failed ({code}): {e}", file=sys.stderr, flush=True)
            return Out(code, str(e))
        return result if isinstance(result, Out) else Out(200, result)


def _content_type(data):
    if isinstance(data, (str, bytes, bytearray)):
        return "text/plain; charset=utf-8"
    return "application/json"


def _topic_event(headers, body):
    if "cloudevents" not in (headers.get("Content-Type") or ""):
        return {"data": body}
    ce = json.loads(body)
    if "data_base64" in ce:
        data = base64.b64decode(ce["data_base64"])
    elif isinstance(ce.get("data"), str) and "json" not in (ce.get("datacontenttype") or ""):
        data = ce["data"].encode()
    else:
        data = _to_bytes(ce.get("data"))
    return {"id": ce.get("id"), "source": ce.get("source"), "type": ce.get("type"), "topic": ce.get("topic"),
            "pubsubname": ce.get("pubsubname"), "traceparent": ce.get("traceparent"), "data": data}


def make_openfunction_handler(fn, env):
    """The request handler class: Dapr's HTTP app protocol for runtime Async, else plain HTTP."""
    ctx = parse_context(env[ENV]) if env.get(ENV) else {"name": "", "runtime": "Knative", "port": 8080, "inputs": {}, "outputs": {}}
    rt = Runtime(fn, ctx, env)
    is_async = ctx["runtime"] == "Async"
    if is_async and (env.get("APP_PROTOCOL") or "grpc").lower() != "http":
        raise ValueError(f"APP_PROTOCOL={env.get('APP_PROTOCOL') or 'grpc'}: the Python framework speaks Dapr's HTTP app protocol; "
                         "run daprd with --app-protocol http (kiln run --app-protocol http; on Kubernetes the annotation dapr.io/app-protocol: http)")
    bindings, topics, subs = {}, {}, []
    for name, io in ctx["inputs"].items():
        if io["pubsub"]:
            route = f"/dapr/topics/{io['componentName']}/{io['topic']}"
            topics[route] = name
            subs.append({"pubsubname": io["componentName"], "topic": io["topic"], "route": route})
        else:
            bindings["/" + io["componentName"]] = name

    from ._http import Aborted, BaseHandler

    class Handler(BaseHandler):
        def _serve(self):
            path = self.path.split("?", 1)[0]
            try:
                body = self.read_body()
            except Aborted:
                return
            if is_async:
                return self._dapr(path, body)
            if path in ("/favicon.ico", "/robots.txt") or path.startswith("/dapr/"):
                return self._send(404, {}, b"")
            data = body
            if self.headers.get("ce-specversion") or (self.headers.get("Content-Type") or "").startswith(_cloudevents.STRUCTURED):
                try:
                    data = _to_bytes(_cloudevents.from_request(self.headers, body).data)
                except Exception as e:
                    return self._send(400, {"Content-Type": "text/plain"}, str(e).encode())
            c = Context(rt, request=self, traceparent=self.headers.get("traceparent"))
            out = rt.invoke(c, data)
            b = _to_bytes(out.data)
            return self._send(out.code, {"Content-Type": _content_type(out.data)} if b else {}, b)

        def _dapr(self, path, body):
            if path == "/dapr/subscribe":
                return self._send(200, {"Content-Type": "application/json"}, json.dumps(subs).encode())
            if path not in bindings and path not in topics:
                return self._send(404, {}, b"")
            if self.command == "OPTIONS":  # daprd probes each input binding
                return self._send(200, {}, b"")
            if path in bindings:
                name = bindings[path]
                ev = {"name": ctx["inputs"][name]["componentName"], "data": body, "metadata": dict(self.headers)}
                out = rt.invoke(Context(rt, name, binding_event=ev, traceparent=self.headers.get("traceparent")), body)
                return self._send(out.code if out.code >= 400 else 200, {}, _to_bytes(out.data))
            try:
                ev = _topic_event(self.headers, body)
            except ValueError as e:
                print(f"dropping a malformed message on {path}: {e}", file=sys.stderr, flush=True)
                return self._send(200, {"Content-Type": "application/json"}, b'{"status":"DROP"}')
            out = rt.invoke(Context(rt, topics[path], topic_event=ev, traceparent=ev.get("traceparent") or self.headers.get("traceparent")), ev["data"])
            status = "SUCCESS"
            if out.metadata.get("retry") == "true" or out.code >= 500:
                status = "RETRY"
            elif out.code >= 400:
                status = "DROP"
            return self._send(200, {"Content-Type": "application/json"}, json.dumps({"status": status}).encode())

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _serve

    Handler.runtime = rt
    return Handler
