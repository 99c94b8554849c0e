import http.client
import json
import os
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from kiln_functions_framework import load_function, make_server  # noqa: E402


class Running:
    def __init__(self, fn, signature="http"):
        self.server = make_server(fn, 0, signature, host="127.0.0.1")
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever)
        self.thread.start()

    def stop(self):
        self.server.stop(5)
        self.thread.join()


def keep_alive_timings(port, n):
    """Seconds each of n sequential GETs takes on one kept-alive connection."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    took = []
    try:
        for _ in range(n):
            t = time.perf_counter()
            c.request("GET", "/")
            resp = c.getresponse()
            resp.read()
            took.append(time.perf_counter() - t)
            if resp.status != 200 or resp.will_close:
                raise AssertionError(f"status {resp.status}, will_close {resp.will_close}: the connection was not kept alive")
    finally:
        c.close()
    return took


def call(url, data=None, headers=None, method=None):
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


class HTTPTest(unittest.TestCase):
    def test_contract(self):
        def fn(req):
            if "boom" in req.args:
                raise RuntimeError("boom")
            if req.method == "POST":
                return {"got": req.json}, 201
            return f"Hello, {req.args.get('name', 'World')}!"

        r = Running(fn)
        try:
            self.assertEqual(call(r.url + "/?name=Kiln"), (200, b"Hello, Kiln!"))
            status, body = call(r.url, b'{"a": 1}', {"Content-Type": "application/json"})
            self.assertEqual((status, json.loads(body)), (201, {"got": {"a": 1}}))
            self.assertEqual(call(r.url + "/favicon.ico")[0], 404)
            self.assertEqual(call(r.url + "/robots.txt")[0], 404)
            self.assertEqual(call(r.url + "/?boom=1")[0], 500)
            self.assertEqual(call(r.url + "/after")[0], 200)
            self.assertEqual(call(r.url, b"{", {"Content-Type": "application/json"})[0], 400)
        finally:
            r.stop()

    def test_concurrent_calls_run_in_parallel(self):
        # Each call waits at a barrier for all the others: served one at a
        # time, the first call would time out there (a 500).
        barrier = threading.Barrier(32, timeout=30)

        def at_barrier(req):
            barrier.wait()
            return "ok"

        r = Running(at_barrier)
        try:
            got = []
            threads = [threading.Thread(target=lambda: got.append(call(r.url)[0])) for _ in range(32)]
            [t.start() for t in threads]
            [t.join() for t in threads]
            self.assertEqual(got, [200] * 32)
        finally:
            r.stop()

    def test_keep_alive_answers_without_the_delayed_ack_stall(self):
        # A response written in pieces waits for the client's delayed ACK
        # (40 ms) before its second piece leaves: every request on a kept-alive
        # connection would take >= 40 ms instead of < 1 ms.
        r = Running(lambda req: "Hello, World!")
        try:
            took = keep_alive_timings(r.server.server_address[1], 20)
            self.assertLess(sorted(took)[len(took) // 2], 0.020, f"request times on one connection: {took}")
        finally:
            r.stop()

    def test_shutdown_finishes_in_flight_requests(self):
        entered = threading.Event()

        def slow(req):
            entered.set()
            time.sleep(0.3)
            return "finished"

        r = Running(slow)
        got = []
        t = threading.Thread(target=lambda: got.append(call(r.url)))
        t.start()
        entered.wait()
        r.stop()
        t.join()
        self.assertEqual(got, [(200, b"finished")])


class CloudEventTest(unittest.TestCase):
    def test_binary_structured_errors(self):
        seen = []

        def fn(event):
            if event["type"] == "fail":
                raise ValueError("nope")
            seen.append(event)

        r = Running(fn, "cloudevent")
        try:
            status, _ = call(r.url, b'{"n": 1}', {"Content-Type": "application/json", "ce-specversion": "1.0",
                                                  "ce-id": "b1", "ce-source": "/s", "ce-type": "t", "ce-traceparent": "00-x"})
            self.assertEqual(status, 200)
            body = json.dumps({"specversion": "1.0", "id": "s1", "source": "/s", "type": "t", "datacontenttype": "text/plain", "data": "hi"})
            self.assertEqual(call(r.url, body.encode(), {"Content-Type": "application/cloudevents+json"})[0], 200)
            self.assertEqual(dict(seen[0]), {"specversion": "1.0", "id": "b1", "source": "/s", "type": "t",
                                             "traceparent": "00-x", "datacontenttype": "application/json"})
            self.assertEqual(seen[0].data, {"n": 1})
            self.assertEqual(seen[1].data, "hi")
            fail = json.dumps({"specversion": "1.0", "id": "f", "source": "/s", "type": "fail"})
            self.assertEqual(call(r.url, fail.encode(), {"Content-Type": "application/cloudevents+json"})[0], 500)
            status, body = call(r.url, b"{}", {"Content-Type": "application/json"})
            self.assertEqual(status, 400)
            self.assertIn(b"neither binary mode", body)
        finally:
            r.stop()


class LoaderTest(unittest.TestCase):
    def test_target_and_listing(self):
        d = tempfile.mkdtemp()
        with open(os.path.join(d, "helper.py"), "w") as f:
            f.write("def shout(s):\n    return s.upper()\n")
        with open(os.path.join(d, "main.py"), "w") as f:
            f.write("from helper import shout\nimport os\n\ndef hello(req):\n    return shout('hi')\n\ndef bye(req):\n    pass\n\ndef _private():\n    pass\n")
        self.assertEqual(load_function(os.path.join(d, "main.py"), "hello")(None), "HI")
        with self.assertRaisesRegex(AttributeError, "has no function 'nope'; functions it defines: bye, hello$"):
            load_function(os.path.join(d, "main.py"), "nope")


if __name__ == "__main__":
    unittest.main()
