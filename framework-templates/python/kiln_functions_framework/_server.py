"""The HTTP server that serves one function."""

import json
import os
import signal
import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from . import _cloudevents

SIGNATURES = ("http", "cloudevent", "openfunction")
MAX_BODY = 32 * 1024 * 1024


class Request:
    """What an HTTP function receives."""

    def __init__(self, method, target, headers, body):
        url = urlsplit(target)
        self.method = method
        self.path = url.path
        self.headers = headers
        self.args = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        self.body = body

    def get_data(self):
        return self.body

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    @property
    def json(self):
        """The body parsed as JSON (None when empty)."""
        if not self.body:
            return None
        try:
            return json.loads(self.body)
        except ValueError as e:
            err = ValueError(f"request body is not valid JSON: {e}")
            err.status = 400
            raise err


def _response(result):
    """Turns a function's return value into (status, headers, body bytes)."""
    status, headers = 200, {}
    if isinstance(result, tuple):
        parts = list(result) + [None, None]
        result, status, headers = parts[0], parts[1] or 200, dict(parts[2] or {})
    if result is None:
        body = b""
    elif isinstance(result, (bytes, bytearray)):
        body = bytes(result)
        headers.setdefault("Content-Type", "application/octet-stream")
    elif isinstance(result, (dict, list)):
        body = json.dumps(result).encode()
        headers.setdefault("Content-Type", "application/json")
    else:
        body = str(result).encode()
        headers.setdefault("Content-Type", "text/html; charset=utf-8")
    return int(status), headers, body


class BaseHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive, no access log, and _send for whole responses."""

    protocol_version = "HTTP/1.1"
    server_version = "kiln-functions-framework-python"

    def log_message(self, fmt, *args):  # quiet access log
        pass

    def _send(self, status, headers, body):
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def make_handler(fn, signature, env=None):
    if signature not in SIGNATURES:
        raise ValueError(f"FUNCTION_SIGNATURE_TYPE={signature} is not supported (want one of: {', '.join(SIGNATURES)})")
    if signature == "openfunction":
        from ._openfunction import make_openfunction_handler

        return make_openfunction_handler(fn, os.environ if env is None else env)

    class Handler(BaseHandler):
        def _serve(self):
            if self.path in ("/favicon.ico", "/robots.txt"):
                return self._send(404, {"Content-Type": "text/plain"}, b"Not Found")
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                return self._send(413, {"Content-Type": "text/plain"}, b"request body too large")
            body = self.rfile.read(length) if length else b""
            try:
                if signature == "http":
                    return self._send(*_response(fn(Request(self.command, self.path, self.headers, body))))
                if self.command != "POST":
                    return self._send(405, {"Allow": "POST", "Content-Type": "text/plain"}, b"CloudEvents are delivered with POST")
                fn(_cloudevents.from_request(self.headers, body))
                return self._send(200, {}, b"")
            except Exception as e:  # the function failed: 500 (or its status), keep serving
                status = getattr(e, "status", 500)
                if status >= 500:
                    print(f"function error serving {self.command} {self.path}:", file=sys.stderr)
                    traceback.print_exc()
                    return self._send(500, {"Content-Type": "text/plain"}, b"Internal Server Error")
                return self._send(status, {"Content-Type": "text/plain"}, str(e).encode())

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _serve

    return Handler


class _Server(ThreadingHTTPServer):
    # socketserver's default backlog of 5 drops bursts of connections, and a
    # dropped SYN costs the client a 1 s retransmit.
    request_queue_size = 128


def make_server(fn, port=8080, signature="http", host="", env=None):
    server = _Server((host, port), make_handler(fn, signature, env))
    server.daemon_threads = False  # shutdown waits for in-flight requests
    return server


def serve(fn, port=8080, signature="http"):
    """Serves fn until SIGTERM/SIGINT, then drains in-flight requests."""
    server = make_server(fn, port, signature)

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.serve_forever()
    server.server_close()  # joins the request threads
