import json
import os
import sys
import threading
import unittest
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from kiln_functions_framework import make_server  # noqa: E402
from kiln_functions_framework._openfunction import ContextError, parse_context  # noqa: E402

TP = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def call(url, data=None, headers=None, method=None):
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


class FakeDapr:
    """A stand-in for daprd's HTTP API that records what the function sends."""

    def __init__(self):
        calls = self.calls = []

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                calls.append((self.path, body, self.headers.get("traceparent")))
                self.send_response(204 if self.path.startswith("/v1.0/publish") else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


class Running:
    def __init__(self, fn, env):
        self.server = make_server(fn, 0, "openfunction", host="127.0.0.1", env=env)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever)
        self.thread.start()

    def stop(self):
        self.server.stop(5)
        self.thread.join()


ASYNC_CONTEXT = json.dumps({
    "name": "echo", "runtime": "Async", "port": "8080",
    "inputs": {"in": {"componentName": "mqtt-in", "componentType": "bindings.mqtt3"},
               "orders": {"uri": "orders", "componentName": "ps", "componentType": "pubsub.redis"}},
    "outputs": {"out": {"componentName": "mqtt-out", "componentType": "bindings.mqtt3", "operation": "create"}},
})


class ParseContextTest(unittest.TestCase):
    def test_shapes(self):
        c = parse_context(ASYNC_CONTEXT)
        self.assertEqual((c["runtime"], c["port"], c["inputs"]["orders"]["topic"]), ("Async", 8080, "orders"))
        v2 = parse_context(json.dumps({"triggers": {"dapr": [{"name": "ps"}]},
                                       "inputs": {"i": {"componentName": "ps", "componentType": "pubsub.redis", "topic": "t"}}}))
        self.assertEqual((v2["runtime"], v2["inputs"]["i"]["topic"]), ("Async", "t"))

    def test_errors_name_the_field(self):
        for text, want in [
            ("{", "not valid JSON"),
            ('{"runtime":"OpenFuncAsync"}', 'runtime: "OpenFuncAsync" is not Knative or Async'),
            ('{"port":"http"}', 'port: "http" is not a port number'),
            ('{"runtime":"Async"}', "no inputs"),
            ('{"outputs":{"o":{"componentName":"x","componentType":"state.redis"}}}', 'outputs.o.componentType: "state.redis"'),
            ('{"inputs":{"i":{"componentName":"p","componentType":"pubsub.redis"}}}', "inputs.i: a pub/sub input needs a topic (uri)"),
        ]:
            with self.assertRaises(ContextError, msg=text) as cm:
                parse_context(text)
            self.assertIn(want, str(cm.exception))
            self.assertTrue(str(cm.exception).startswith("FUNC_CONTEXT"))


class AsyncTest(unittest.TestCase):
    def test_inputs_outputs_and_status_mapping(self):
        dapr = FakeDapr()

        def fn(ctx, data):
            if isinstance(data, dict) and data.get("fail") == "drop":
                return ctx.out(400, "bad order")
            if isinstance(data, dict) and data.get("fail") == "retry":
                raise RuntimeError("try later")
            ctx.send({"echo": data.upper() if isinstance(data, str) else data, "input": ctx.input_name})
            return ctx.return_on_success()

        r = Running(fn, {"FUNC_CONTEXT": ASYNC_CONTEXT, "APP_PROTOCOL": "http", "DAPR_HTTP_PORT": str(dapr.port)})
        try:
            self.assertEqual(call(r.url + "/mqtt-in", method="OPTIONS")[0], 200)
            self.assertEqual(call(r.url + "/mqtt-out", method="OPTIONS")[0], 404)
            self.assertEqual(json.loads(call(r.url + "/dapr/subscribe")[1]), [{"pubsubname": "ps", "topic": "orders", "route": "/dapr/topics/ps/orders"}])
            self.assertEqual(call(r.url + "/mqtt-in", b"hi", {"traceparent": TP})[0], 200)
            path, body, tp = dapr.calls[0]
            self.assertEqual((path, json.loads(body), tp), ("/v1.0/bindings/mqtt-out", {"data": {"echo": "HI", "input": "in"}, "metadata": {}, "operation": "create"}, TP))

            def topic(data):
                ce = {"specversion": "1.0", "id": "1", "source": "s", "type": "t", "datacontenttype": "application/json", "data": data}
                return json.loads(call(r.url + "/dapr/topics/ps/orders", json.dumps(ce).encode(), {"Content-Type": "application/cloudevents+json"})[1])["status"]

            self.assertEqual(topic({"id": "o-1"}), "SUCCESS")
            self.assertEqual(topic({"fail": "drop"}), "DROP")
            self.assertEqual(topic({"fail": "retry"}), "RETRY")
            self.assertEqual(json.loads(dapr.calls[1][1])["data"], {"echo": {"id": "o-1"}, "input": "orders"})
        finally:
            r.stop()
            dapr.close()

    def test_grpc_is_refused_with_the_flag_to_set(self):
        with self.assertRaises(ValueError) as cm:
            make_server(lambda c, d: None, 0, "openfunction", host="127.0.0.1", env={"FUNC_CONTEXT": ASYNC_CONTEXT})
        self.assertIn("--app-protocol http", str(cm.exception))


class SyncTest(unittest.TestCase):
    def test_every_status_reaches_the_caller_and_bridge_publishes(self):
        dapr = FakeDapr()
        ctx = json.dumps({"name": "bridge", "runtime": "Knative", "outputs": {"events": {"uri": "events", "componentName": "ps", "componentType": "pubsub.redis"}}})

        def fn(c, data):
            if data is None:
                return c.out(422, "need a body")
            c.send(data, "events")
            return c.out(202, {"forwarded": True})

        r = Running(fn, {"FUNC_CONTEXT": ctx, "DAPR_HTTP_PORT": str(dapr.port)})
        try:
            self.assertEqual(call(r.url, b"", method="POST"), (422, b"need a body"))
            code, body = call(r.url, b'{"n":1}', method="POST")
            self.assertEqual((code, json.loads(body)), (202, {"forwarded": True}))
            self.assertEqual([(p, b) for p, b, _ in dapr.calls], [("/v1.0/publish/ps/events", b'{"n":1}')])
            self.assertEqual(call(r.url + "/dapr/config")[0], 404)
            # Browser noise never reaches the function (which would answer 422 here).
            self.assertEqual(call(r.url + "/favicon.ico"), (404, b""))
            self.assertEqual(call(r.url + "/robots.txt"), (404, b""))
            self.assertEqual(len(dapr.calls), 1)
        finally:
            r.stop()
            dapr.close()

    def test_late_dapr_is_a_clear_error(self):
        ctx = json.dumps({"outputs": {"o": {"componentName": "b", "componentType": "bindings.http"}}})
        r = Running(lambda c, d: c.send("x"), {"FUNC_CONTEXT": ctx, "DAPR_HTTP_PORT": "1", "DAPR_WAIT_TIMEOUT": "0.3"})
        try:
            code, body = call(r.url, b"x", method="POST")
            self.assertEqual(code, 500)
            self.assertIn(b"daprd is not reachable at 127.0.0.1:1 (DAPR_HOST/DAPR_HTTP_PORT) after 0.3s", body)
        finally:
            r.stop()


if __name__ == "__main__":
    unittest.main()
