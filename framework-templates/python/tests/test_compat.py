"""The compatibility layer: functions written against Google's functions_framework
and OpenFunction's ofn-functions-framework, served by Kiln's server, with the
stand-in modules (functions_framework, flask, markupsafe, cloudevents) in
kiln_compat. The stand-ins go before site-packages here: this machine may
have the real Flask, the run image does not."""

import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
SHIMS = os.path.join(ROOT, "kiln_compat")
sys.path.insert(0, ROOT)
sys.path.insert(1, SHIMS)
for _m in [m for m in sys.modules if m.split(".")[0] in ("flask", "markupsafe", "cloudevents", "functions_framework", "werkzeug")]:
    del sys.modules[_m]

import cloudevents.http  # noqa: E402
import flask  # noqa: E402
import functions_framework  # noqa: E402
from markupsafe import escape  # noqa: E402

from kiln_functions_framework import _registry  # noqa: E402
from kiln_functions_framework._compat import make_compat_server, parse_kinds, respond, signature_for  # noqa: E402
from kiln_functions_framework._flask import Request, make_response, to_wire  # noqa: E402
from kiln_functions_framework._werkzeug import HTTPException  # noqa: E402

from test_openfunction import FakeDapr  # noqa: E402


class Running:
    def __init__(self, fn, signature="http", kind="google", env=None):
        self.server = make_compat_server(fn, 0, signature, kind, host="127.0.0.1", env=env or {})
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever)
        self.thread.start()

    def call(self, method="GET", path="/", body=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return r.status, r.headers, r.read()
        finally:
            c.close()

    def stop(self):
        self.server.stop(5)
        self.thread.join()


class Msg(dict):
    """Headers for Request(): case-insensitive get, like the server's HTTPMessage."""

    def __init__(self, **kw):
        import http.client as hc
        super().__init__()
        self.m = hc.HTTPMessage()
        for k, v in kw.items():
            self.m[k.replace("_", "-")] = v

    def get(self, k, d=None):
        return self.m.get(k, d)

    def items(self):
        return self.m.items()


MULTIPART = (b"--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nhello\r\n"
             b"--XyZ\r\nContent-Disposition: form-data; name=\"doc\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nfile body\r\n"
             b"--XyZ--\r\n")


class RequestSurface(unittest.TestCase):
    """The werkzeug request surface GCF/OpenFunction functions touch."""

    def test_body_access(self):
        r = Request("POST", "/p/q?name=Ada&tag=a&tag=b&n=3&empty=", Msg(Content_Type="application/json; charset=utf-8", Cookie="sid=abc; x=1",
                                                                           User_Agent="curl/8", X_Forwarded_Proto="https", Host="fn.example.com"),
                    b'{"name": "J\xc3\xa9"}', "10.0.0.5", ("0.0.0.0", 8080))
        self.assertEqual(r.get_data(as_text=True), '{"name": "Jé"}')
        self.assertEqual(r.get_data(cache=False), b'{"name": "J\xc3\xa9"}')
        self.assertEqual(r.data, b'{"name": "J\xc3\xa9"}')
        self.assertEqual(r.get_json(), {"name": "Jé"})
        self.assertEqual(r.json, {"name": "Jé"})
        self.assertTrue(r.is_json)
        self.assertEqual((r.method, r.path, r.full_path), ("POST", "/p/q", "/p/q?name=Ada&tag=a&tag=b&n=3&empty="))
        self.assertEqual(r.url, "https://fn.example.com/p/q?name=Ada&tag=a&tag=b&n=3&empty=")
        self.assertEqual((r.base_url, r.host_url, r.scheme, r.host), ("https://fn.example.com/p/q", "https://fn.example.com/", "https", "fn.example.com"))
        self.assertEqual((r.args["tag"], r.args.get("tag"), r.args.getlist("tag"), r.args.get("n", type=int), r.args.get("name", type=int), r.args.get("empty")),
                         ("a", "a", ["a", "b"], 3, None, ""))
        self.assertEqual(r.args.to_dict(), {"name": "Ada", "tag": "a", "n": "3", "empty": ""})
        self.assertIn("name", r.args)
        with self.assertRaises(KeyError) as cm:
            r.args["missing"]
        self.assertIsInstance(cm.exception, HTTPException)
        self.assertEqual(cm.exception.code, 400)
        self.assertEqual((r.headers["content-type"], r.headers.get("X-Missing", "d"), r.headers.get("user-agent")), ("application/json; charset=utf-8", "d", "curl/8"))
        self.assertIn(("User-Agent", "curl/8"), list(r.headers))
        self.assertEqual(r.cookies.to_dict(), {"sid": "abc", "x": "1"})
        self.assertEqual((r.mimetype, r.mimetype_params, r.content_type, str(r.user_agent), r.remote_addr, r.access_route), (
            "application/json", {"charset": "utf-8"}, "application/json; charset=utf-8", "curl/8", "10.0.0.5", ["10.0.0.5"]))
        self.assertEqual((r.environ["PATH_INFO"], r.environ["QUERY_STRING"][:8], r.environ["HTTP_USER_AGENT"], r.environ["CONTENT_TYPE"], r.environ["SERVER_PORT"]),
                         ("/p/q", "name=Ada", "curl/8", "application/json; charset=utf-8", "8080"))

    def test_json_rules(self):
        text = Request("POST", "/", Msg(Content_Type="text/plain"), b'{"a":1}')
        self.assertIsNone(text.get_json(silent=True))
        self.assertEqual(text.get_json(force=True), {"a": 1})
        with self.assertRaises(HTTPException) as cm:
            text.get_json()
        self.assertEqual(cm.exception.code, 415)
        bad = Request("POST", "/", Msg(Content_Type="application/json"), b"{")
        self.assertIsNone(bad.get_json(silent=True))
        with self.assertRaises(HTTPException) as cm:
            bad.json
        self.assertEqual(cm.exception.code, 400)
        empty = Request("GET", "/", Msg(), b"")
        self.assertIsNone(empty.get_json(silent=True))
        self.assertEqual((empty.data, empty.form.to_dict(), empty.files.to_dict(), empty.content_length), (b"", {}, {}, None))
        vendor = Request("POST", "/", Msg(Content_Type="application/vnd.api+json"), b"[1]")
        self.assertEqual(vendor.get_json(), [1])

    def test_forms_and_files(self):
        url = Request("POST", "/?q=1", Msg(Content_Type="application/x-www-form-urlencoded"), b"name=Ada+L&tag=a&tag=b")
        self.assertEqual((url.form["name"], url.form.getlist("tag"), url.data, url.get_data()), ("Ada L", ["a", "b"], b"", b"name=Ada+L&tag=a&tag=b"))
        self.assertEqual(url.values.to_dict(flat=False), {"q": ["1"], "name": ["Ada L"], "tag": ["a", "b"]})
        mp = Request("POST", "/", Msg(Content_Type="multipart/form-data; boundary=XyZ"), MULTIPART)
        self.assertEqual(mp.form.to_dict(), {"title": "hello"})
        f = mp.files["doc"]
        self.assertEqual((f.filename, f.name, f.mimetype, bool(f)), ("a.txt", "doc", "text/plain", True))
        with tempfile.TemporaryDirectory() as d:
            f.save(os.path.join(d, "out"))
            with open(os.path.join(d, "out"), "rb") as fh:
                self.assertEqual(fh.read(), b"file body")
        self.assertEqual(mp.get_data(parse_form_data=True), b"")


class QueryParsing(unittest.TestCase):
    def test_parse_query_decodes_as_parse_qsl(self):
        from urllib.parse import parse_qsl

        from kiln_functions_framework._werkzeug import parse_query

        for qs in ("a=1", "a=1&a=2&b=", "flag&x=%20y+z", "n=J%C3%A9", "bad=%E0%A4%A&ok=1", "=v&&k=", "a=b=c", "k%5B%5D=1", ""):
            want = {}
            for k, v in parse_qsl(qs, keep_blank_values=True):
                want.setdefault(k, []).append(v)
            self.assertEqual(parse_query(qs).to_dict(flat=False), want, qs)


class ReturnRules(unittest.TestCase):
    """What a view returns becomes the response by Flask's rules."""

    def test_values(self):
        resp = flask.Response("x", status=202, headers={"X-A": "1"})
        resp.set_cookie("sid", "abc", max_age=60, httponly=True)
        for rv, want_status, want_type, want_body, extra in [
            ("héllo", 200, "text/html; charset=utf-8", "héllo".encode(), {}),
            (b"\x00\x01", 200, "text/html; charset=utf-8", b"\x00\x01", {}),
            ({"b": 1, "a": [1, "x"]}, 200, "application/json", b'{"a":[1,"x"],"b":1}\n', {}),
            ([1, 2], 200, "application/json", b"[1,2]\n", {}),
            (("made", 201), 201, "text/html; charset=utf-8", b"made", {}),
            (("made", "202 ACCEPTED"), 202, "text/html; charset=utf-8", b"made", {}),
            (("h", {"X-B": "2"}), 200, "text/html; charset=utf-8", b"h", {"X-B": "2"}),
            (("", 204, [("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Methods", "GET")]), 204, "text/html; charset=utf-8", b"", {"Access-Control-Allow-Origin": "*"}),
            (({"ok": True}, 400, {"Content-Type": "application/problem+json"}), 400, "application/problem+json", b'{"ok":true}\n', {}),
            (resp, 202, "text/html; charset=utf-8", b"x", {"X-A": "1", "Set-Cookie": "sid=abc; HttpOnly; Max-Age=60; Path=/"}),
            (flask.make_response("mr", 201, {"X-C": "3"}), 201, "text/html; charset=utf-8", b"mr", {"X-C": "3"}),
            (flask.jsonify(a=1), 200, "application/json", b'{"a":1}\n', {}),
            (flask.jsonify(1, 2), 200, "application/json", b"[1,2]\n", {}),
            ((x for x in ["a", b"b"]), 200, "text/html; charset=utf-8", b"ab", {}),
            (flask.redirect("/next"), 302, "text/html; charset=utf-8", None, {"Location": "/next"}),
            ((escape("<b>"), 200), 200, "text/html; charset=utf-8", b"&lt;b&gt;", {}),
        ]:
            r = make_response(rv)
            self.assertEqual((r.status_code, r.headers.get("Content-Type")), (want_status, want_type), repr(rv))
            if want_body is not None:
                self.assertEqual(r.get_data(), want_body, repr(rv))
            for k, v in extra.items():
                self.assertEqual(r.headers.get(k), v, repr(rv))
        for rv in ("héllo", b"\x00", {"b": 1, "a": [2]}, [1, "x"], ("made", 201)):
            fast = respond(lambda req: rv, None, "google")
            slow = to_wire(make_response(rv))
            self.assertEqual((fast[0], dict(fast[1].items()), fast[2]), (slow[0], dict(slow[1].items()), slow[2]), f"the fast path answers {rv!r} as Flask's rules do")
        status, headers, body = to_wire(flask.Response("abc", headers={"Content-Length": "99", "X-K": "v"}))
        self.assertEqual((status, headers.get("Content-Length"), headers.get("X-K"), body), (200, None, "v", b"abc"), "the server sets Content-Length")
        for bad in (None, ("only",), 3.5):
            with self.assertRaises(TypeError, msg=repr(bad)):
                make_response(bad)


class Served(unittest.TestCase):
    def setUp(self):
        _registry.clear()

    def test_http_function_google_style(self):
        @functions_framework.errorhandler(ZeroDivisionError)
        def div(e):
            return "no division by zero", 422

        @functions_framework.errorhandler(404)
        def nf(e):
            return {"missing": True}, 404

        @functions_framework.http
        def hello_http(request):
            if request.path == "/text":
                return f"Hello {escape(request.get_data(as_text=True))}!"
            if request.path == "/json":
                j = request.get_json(silent=True)
                return {"json": j, "args": request.args.to_dict(), "form": request.form.to_dict(), "same": flask.request.path == request.path}
            if request.path == "/div":
                return 1 / 0
            if request.path == "/abort":
                flask.abort(404)
            if request.path == "/abort-response":
                flask.abort(flask.make_response("custom", 418))
            if request.path == "/boom":
                raise RuntimeError("boom")
            if request.path == "/none":
                return None
            return "?"

        self.assertEqual(_registry.signature_of("hello_http"), "http")
        self.assertEqual(hello_http.__name__, "hello_http")
        r = Running(hello_http)
        try:
            self.assertEqual(r.call("POST", "/text", b"<Kiln>")[2], b"Hello &lt;Kiln&gt;!")
            s, h, b = r.call("POST", "/json?x=1", b"a=1", {"Content-Type": "application/x-www-form-urlencoded"})
            self.assertEqual((s, json.loads(b)), (200, {"json": None, "args": {"x": "1"}, "form": {"a": "1"}, "same": True}))
            s, h, b = r.call("POST", "/json", b'{"n": 1}', {"Content-Type": "application/json"})
            self.assertEqual(json.loads(b)["json"], {"n": 1})
            self.assertEqual(r.call("GET", "/div")[:3:2], (422, b"no division by zero"))
            self.assertEqual(r.call("GET", "/abort")[:3:2], (404, b'{"missing":true}\n'))
            self.assertEqual(r.call("GET", "/abort-response")[:3:2], (418, b"custom"))
            for path in ("/boom", "/none"):
                s, h, b = r.call("GET", path)
                self.assertEqual((s, h.get("X-Google-Status")), (500, "crash"), path)
            self.assertEqual(r.call("GET", "/favicon.ico")[0], 404)
            self.assertEqual(r.call("HEAD", "/text")[2], b"")
            self.assertEqual(r.call("GET", "/after")[:3:2], (200, b"?"))
        finally:
            r.stop()
        with self.assertRaises(RuntimeError):
            flask.request.path

    def test_cloud_event_function(self):
        seen = []

        @functions_framework.cloud_event
        def on_event(cloud_event: cloudevents.http.CloudEvent) -> None:
            if cloud_event["type"] == "fail":
                raise ValueError("nope")
            seen.append((cloud_event["id"], cloud_event.get_attributes().get("source"), cloud_event.data, isinstance(cloud_event, cloudevents.http.CloudEvent)))

        self.assertEqual(signature_for(on_event, "on_event", "http", ["google"]), "cloudevent")
        r = Running(on_event, "cloudevent")
        try:
            s, h, b = r.call("POST", "/", b'{"n":1}', {"Content-Type": "application/json", "ce-specversion": "1.0", "ce-id": "b1", "ce-source": "/s", "ce-type": "t"})
            self.assertEqual((s, b), (200, b"OK"))
            st = json.dumps({"specversion": "1.0", "id": "s1", "source": "/s", "type": "t", "data": "hi"}).encode()
            self.assertEqual(r.call("POST", "/", st, {"Content-Type": "application/cloudevents+json"})[0], 200)
            self.assertEqual(seen, [("b1", "/s", {"n": 1}, True), ("s1", "/s", "hi", True)])
            self.assertEqual(r.call("GET", "/")[0], 405)
            self.assertEqual(r.call("POST", "/", b"{}", {"Content-Type": "application/json"})[0], 400)
            fail = json.dumps({"specversion": "1.0", "id": "f", "source": "/s", "type": "fail"}).encode()
            self.assertEqual(r.call("POST", "/", fail, {"Content-Type": "application/cloudevents+json"})[0], 500)
        finally:
            r.stop()

    def test_typed_function(self):
        class Greeting:
            def __init__(self, name):
                self.name = name

            @staticmethod
            def from_dict(d):
                return Greeting(d["name"])

            def to_dict(self):
                return {"greeting": f"Hello, {self.name}!"}

        @functions_framework.typed
        def greet(g: Greeting):
            return Greeting(g.name.upper())

        @functions_framework.typed(Greeting)
        def count(g):
            return str(len(g.name))

        for fn, want in ((greet, b'{"greeting": "Hello, ADA!"}'), (count, b"3")):
            r = Running(fn, signature_for(fn, fn.__name__, "http", ["google"]))
            try:
                s, h, b = r.call("POST", "/", b'{"name":"ada"}', {"Content-Type": "application/json"})
                self.assertEqual((s, b.strip()), (200, want), fn.__name__)
            finally:
                r.stop()

    def test_create_app_and_flask_app_are_named(self):
        with self.assertRaisesRegex(RuntimeError, "BP_FUNCTION_FRAMEWORK=native"):
            functions_framework.create_app("f")
        with self.assertRaisesRegex(RuntimeError, "list flask in requirements.txt"):
            flask.Flask(__name__)
        with self.assertRaisesRegex(ValueError, "KILN_FUNCTION_COMPAT=aws: 'aws' is not a framework Kiln stands in for"):
            parse_kinds("aws")


class OpenFunctionContext(unittest.TestCase):
    """OpenFunction's fn(context: UserContext) over HTTP and over Dapr."""

    def test_http_trigger(self):
        from functions_framework.context.user_context import UserContext

        dapr = FakeDapr()
        env = {"DAPR_HTTP_PORT": str(dapr.port), "FUNC_CONTEXT": json.dumps({
            "name": "f", "version": "v1", "triggers": {"http": {"port": 8080}},
            "outputs": {"mqtt": {"componentName": "mqtt-out", "componentType": "bindings.mqtt3", "operation": "create"},
                        "topic": {"componentName": "ps", "componentType": "pubsub.redis", "topic": "t"}}})}

        def user_function(context: UserContext):
            req = context.get_http_request()
            body = req.get_json(silent=True)
            resp = context.send("mqtt", body)
            context.send("topic", "plain")
            return {"got": body, "binding": resp.text(), "outputs": sorted(context.runtime_context.get_outputs())}, 202

        self.assertEqual(signature_for(user_function, "user_function", "http", ["openfunction"]), "ofn")
        self.assertEqual(signature_for(user_function, "user_function", "http", ["google"]), "http")
        r = Running(user_function, "ofn", "openfunction", env)
        try:
            s, h, b = r.call("POST", "/", b'{"n":1}', {"Content-Type": "application/json", "traceparent": "00-abc"})
            self.assertEqual((s, json.loads(b)), (202, {"got": {"n": 1}, "binding": "", "outputs": ["mqtt", "topic"]}))
            self.assertEqual([(p, json.loads(b)) for p, b, _ in dapr.calls], [
                ("/v1.0/bindings/mqtt-out", {"data": {"n": 1}, "metadata": {}, "operation": "create"}),
                ("/v1.0/publish/ps/t", "plain")])
            self.assertEqual({tp for _, _, tp in dapr.calls}, {"00-abc"})
        finally:
            r.stop()
            dapr.close()

    def test_dapr_triggers(self):
        dapr = FakeDapr()
        got = []
        env = {"DAPR_HTTP_PORT": str(dapr.port), "APP_PROTOCOL": "http", "FUNC_CONTEXT": json.dumps({
            "name": "f", "triggers": {"dapr": [{"name": "mqtt-in", "type": "bindings.mqtt3"}]},
            "inputs": {"in": {"componentName": "mqtt-in", "componentType": "bindings.mqtt3"},
                       "sub": {"componentName": "ps", "componentType": "pubsub.redis", "topic": "orders"}},
            "outputs": {"out": {"componentName": "mqtt-out", "componentType": "bindings.mqtt3"}}})}

        def user_function(context):
            b, t = context.get_binding_request(), context.get_topic_event()
            if b is not None:
                got.append(("binding", b.text(), b.metadata.get("X-Topic")))
                context.send("out", b.data.upper())
            if t is not None:
                got.append(("topic", t.Data(), t.EventID(), t.topic))

        r = Running(user_function, "ofn", "openfunction", env)
        try:
            self.assertEqual(r.call("POST", "/mqtt-in", b"hi", {"X-Topic": "in"})[0], 200)
            ce = json.dumps({"specversion": "1.0", "id": "o1", "source": "s", "type": "t", "topic": "orders", "datacontenttype": "application/json", "data": {"id": 7}}).encode()
            s, h, b = r.call("POST", "/dapr/topics/ps/orders", ce, {"Content-Type": "application/cloudevents+json"})
            self.assertEqual((s, json.loads(b)), (200, {"status": "SUCCESS"}))
            self.assertEqual(got, [("binding", "hi", "in"), ("topic", b'{"id":7}', "o1", "orders")])
            self.assertEqual([(p, json.loads(b)["data"]) for p, b, _ in dapr.calls], [("/v1.0/bindings/mqtt-out", "HI")])
        finally:
            r.stop()
            dapr.close()


def run_python(args, env, cwd):
    """python3 -S (no site-packages: as in the run image, no Flask) with the framework on PYTHONPATH."""
    full = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": ROOT, "PYTHONDONTWRITEBYTECODE": "1", **env}
    return subprocess.run([sys.executable, "-S", *args], env=full, cwd=cwd, capture_output=True, text=True, timeout=60)


GCF_MAIN = '''import functions_framework
from markupsafe import escape
from flask import make_response

@functions_framework.http
def hello_http(request):
    name = request.get_data(as_text=True) or request.args.get("name", "World")
    return make_response(f"Hello {escape(name)}!", 200)

@functions_framework.cloud_event
def on_event(cloud_event):
    print(cloud_event["id"])
'''


class Processes(unittest.TestCase):
    """check.py and the server as the buildpack runs them."""

    def test_check_reports_registrations_only_under_the_layer(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "main.py"), "w") as f:
                f.write(GCF_MAIN + "\ndef ofn_style(context):\n    return 'x'\n")
            p = run_python(["-m", "kiln_functions_framework.check", "main.py"], {"KILN_FUNCTION_COMPAT": "google,openfunction"}, d)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(json.loads(p.stdout.splitlines()[-1]), {"exports": ["hello_http", "ofn_style", "on_event"],
                                                                     "registered": {"hello_http": "http", "on_event": "cloudevent", "ofn_style": "openfunction"}})
            native = run_python(["-m", "kiln_functions_framework.check", "main.py"], {}, d)
            self.assertNotEqual(native.returncode, 0)
            self.assertIn("No module named 'functions_framework'", native.stderr)

    def test_server_serves_gcf_style(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "main.py"), "w") as f:
                f.write(GCF_MAIN)
            env = {"FUNCTION_SOURCE": "main.py", "FUNCTION_TARGET": "hello_http", "PORT": "0", "KILN_FUNCTION_COMPAT": "google"}
            p = subprocess.Popen([sys.executable, "-S", "-m", "kiln_functions_framework"], cwd=d, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                 env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": ROOT, "PYTHONDONTWRITEBYTECODE": "1", **env})
            try:
                line = p.stdout.readline()
                self.assertIn('serving http function "hello_http"', line)
                self.assertIn("(google compatibility)", line)
                port = int(line.split("on port ")[1].split()[0])
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                c.request("POST", "/", body=b"<Ada>")
                r = c.getresponse()
                self.assertEqual((r.status, r.read()), (200, b"Hello &lt;Ada&gt;!"))
                c.close()
            finally:
                p.terminate()
                p.wait(10)
                p.stdout.close()


if __name__ == "__main__":
    unittest.main()
