"""The server under clients that do not behave: bodies, timeouts, limits, stopping."""

import os
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from kiln_functions_framework import make_server  # noqa: E402


class Running:
    def __init__(self, fn, env=None, **kw):
        self.server = make_server(fn, 0, "http", host="127.0.0.1", env=env or {}, **kw)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever)
        self.thread.start()

    def stop(self, grace=5):
        done = self.server.stop(grace)
        self.thread.join()
        return done


def exchange(port, raw, timeout=10):
    """Sends raw bytes on a new connection and returns all it answers until the server closes it."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(raw)
        return read_to_eof(s)


def read_to_eof(s):
    out = b""
    while True:
        try:
            b = s.recv(65536)
        except ConnectionResetError:
            return out
        if not b:
            return out
        out += b


def status(resp):
    return int(resp.split(b" ", 2)[1]) if resp.startswith(b"HTTP/1.1 ") else None


def echo(req):
    return req.body


class BodyTest(unittest.TestCase):
    def setUp(self):
        self.r = Running(echo, {"KILN_MAX_BODY_BYTES": "16"})

    def tearDown(self):
        self.r.stop()

    def test_bodies(self):
        close = b"Connection: close\r\n"
        for name, raw, want_status, want_body in [
            ("content-length", b"POST / HTTP/1.1\r\nHost: x\r\n" + close + b"Content-Length: 5\r\n\r\nhello", 200, b"hello"),
            ("at the limit", b"POST / HTTP/1.1\r\nHost: x\r\n" + close + b"Content-Length: 16\r\n\r\n" + b"x" * 16, 200, b"x" * 16),
            ("over the limit", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 17\r\n\r\n" + b"x" * 17, 413, None),
            ("over the limit, 100-continue", b"POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 99\r\n\r\n", 413, None),
            ("negative length", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400, None),
            ("signed length", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello", 400, None),
            ("two lengths", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400, None),
            ("chunked", b"POST / HTTP/1.1\r\nHost: x\r\n" + close + b"Transfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: t\r\n\r\n", 200, b"abcde"),
            ("chunked over the limit", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n9\r\n123456789\r\n9\r\n123456789\r\n0\r\n\r\n", 413, None),
            ("chunked, bad size", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400, None),
            ("chunked, no CRLF after data", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n", 400, None),
            ("chunked and a length", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 400, None),
            ("gzip transfer coding", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501, None),
        ]:
            with self.subTest(name):
                resp = exchange(self.r.port, raw)
                self.assertEqual(status(resp), want_status, resp)
                if want_body is not None:
                    self.assertTrue(resp.endswith(b"\r\n\r\n" + want_body), resp)

    def test_a_client_leaving_mid_body_does_not_stop_the_server(self):
        with socket.create_connection(("127.0.0.1", self.r.port)) as s:
            s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        resp = exchange(self.r.port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        self.assertEqual(status(resp), 200)

    def test_http_1_0_closes_unless_kept_alive(self):
        self.assertEqual(status(exchange(self.r.port, b"GET / HTTP/1.0\r\n\r\n")), 200)
        with socket.create_connection(("127.0.0.1", self.r.port), timeout=10) as s:
            s.sendall(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            self.assertEqual(status(s.recv(4096)), 200)
            s.sendall(b"GET / HTTP/1.0\r\n\r\n")
            self.assertEqual(status(read_to_eof(s)), 200)

    def test_head_has_no_body(self):
        resp = exchange(self.r.port, b"HEAD / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhiGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        self.assertEqual(resp.count(b"HTTP/1.1 200 OK"), 2, resp)
        self.assertTrue(resp.endswith(b"Content-Length: 0\r\n\r\n"), resp)


class TimeoutTest(unittest.TestCase):
    def test_headers_never_finished_are_cut_off(self):
        r = Running(echo, {"KILN_READ_HEADER_TIMEOUT": "0.5"})
        try:
            for name, raw in [("silent", b""), ("partial headers", b"GET / HTTP/1.1\r\nHost: x\r\n")]:
                with self.subTest(name):
                    t = time.monotonic()
                    self.assertEqual(exchange(r.port, raw), b"")
                    self.assertLess(time.monotonic() - t, 5)
            # A keep-alive connection gets the timeout afresh for each request.
            with socket.create_connection(("127.0.0.1", r.port), timeout=10) as s:
                s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                self.assertEqual(status(s.recv(4096)), 200)
                s.sendall(b"GET / HTTP/1.1\r\n")
                self.assertEqual(read_to_eof(s), b"")
        finally:
            r.stop()


class LimitTest(unittest.TestCase):
    def test_idle_connections_make_room_when_all_threads_are_taken(self):
        r = Running(echo, max_threads=4)
        idle = []
        try:
            for _ in range(4):
                s = socket.create_connection(("127.0.0.1", r.port), timeout=10)
                s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                self.assertEqual(status(s.recv(4096)), 200)
                idle.append(s)
            self.assertEqual(status(exchange(r.port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")), 200)
            self.assertIn(b"", [s.recv(1) for s in idle[:1]])  # the oldest idle one was closed
        finally:
            for s in idle:
                s.close()
            r.stop()

    def test_stop_closes_idle_connections_and_drains_busy_ones(self):
        entered, release = threading.Event(), threading.Event()

        def slow(req):
            if req.args.get("slow"):
                entered.set()
                release.wait(10)
            return "finished"

        r = Running(slow)
        idle = socket.create_connection(("127.0.0.1", r.port), timeout=10)
        busy = socket.create_connection(("127.0.0.1", r.port), timeout=10)
        try:
            idle.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertEqual(status(idle.recv(4096)), 200)
            busy.sendall(b"GET /?slow=1 HTTP/1.1\r\nHost: x\r\n\r\n")
            entered.wait(10)
            stopped = []
            t = threading.Thread(target=lambda: stopped.append(r.stop(10)))
            t.start()
            self.assertEqual(read_to_eof(idle), b"")  # closed at once, while the busy one runs
            release.set()
            resp = read_to_eof(busy)
            self.assertEqual(status(resp), 200)
            self.assertIn(b"Connection: close", resp)
            self.assertTrue(resp.endswith(b"finished"))
            t.join()
            self.assertEqual(stopped, [True])
        finally:
            release.set()
            idle.close()
            busy.close()


if __name__ == "__main__":
    unittest.main()
