"""The HTTP server that serves one function."""

import json
import os
import signal
import sys
import threading
import traceback
from urllib.parse import parse_qs, urlsplit

from . import _cloudevents, _config
from ._http import Aborted, BaseHandler
from ._httpserver import Server

SIGNATURES = ("http", "cloudevent", "openfunction")


class Request:
    """What an HTTP function receives."""

    def __init__(self, method, target, headers, body):
        url = urlsplit(target)
        self.method = method
        self.path = url.path
        self.headers = headers
        self.args = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        self.body = body

    def get_data(self, cache=True, as_text=False, parse_form_data=False):
        """The body: bytes, or text (UTF-8) with as_text (Flask's signature)."""
        return self.body.decode("utf-8", "replace") if as_text else self.body

    def get_json(self, force=False, silent=False, cache=True):
        """The body parsed as JSON (None when empty; with silent, None when malformed)."""
        try:
            return self.json
        except ValueError:
            if silent:
                return None
            raise

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


def make_handler(fn, signature, env=None):
    if signature not in SIGNATURES:
        raise ValueError(f"FUNCTION_SIGNATURE_TYPE={signature} is not supported (want one of: {', '.join(SIGNATURES)})")
    if signature == "openfunction":
        from ._openfunction import make_openfunction_handler

        return make_openfunction_handler(fn, os.environ if env is None else env)

    class Handler(BaseHandler):
        def _serve(self):
            try:
                body = self.read_body()
            except Aborted:
                return
            if urlsplit(self.path).path in ("/favicon.ico", "/robots.txt"):
                return self._send(404, {"Content-Type": "text/plain"}, b"Not Found")
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


def make_server(fn, port=8080, signature="http", host="", env=None, max_threads=256):
    """A server for fn bound to host:port, its limits from env (os.environ by default):
    KILN_MAX_BODY_BYTES and KILN_READ_HEADER_TIMEOUT."""
    env = os.environ if env is None else env
    handler = make_handler(fn, signature, env)
    return Server((host, port), handler, max_body_bytes=_config.max_body_bytes(env),
                  read_header_timeout=_config.read_header_timeout(env), max_threads=max_threads)


def run(server, grace=10.0):
    """Serves until SIGTERM/SIGINT, then drains in-flight requests for at most grace seconds."""
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    t = threading.Thread(target=server.serve_forever, name="kiln-accept", daemon=True)
    t.start()
    while not stop.wait(3600):
        pass
    server.stop(grace)


def serve(fn, port=8080, signature="http"):
    """Serves fn until SIGTERM/SIGINT, then drains in-flight requests."""
    run(make_server(fn, port, signature))
