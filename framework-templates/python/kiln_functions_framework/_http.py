"""HTTP/1.1 plumbing every handler shares: keep-alive with states the server
watches (_httpserver), responses in one write, request bodies read within
KILN_MAX_BODY_BYTES (Content-Length or chunked)."""

import re
import socket
import time
from http.server import BaseHTTPRequestHandler

from . import _head
from . import _httpserver as hs

_DIGITS = re.compile(r"[0-9]+")
_HEX = re.compile(rb"[0-9A-Fa-f]{1,15}")
# Bodies up to this size go out in the same write as the headers.
_ONE_WRITE = 1 << 20
# After a 413 the rest of the body is read and dropped (up to this many bytes,
# for up to _LINGER_SECONDS) so the client sees the answer, not a reset.
_LINGER_BYTES = 256 * 1024
_LINGER_SECONDS = 1.0
_date = (0, "")  # (second, its Date header)


class Aborted(Exception):
    """The request cannot be served: the answer (if any) is sent and the connection closes."""


class BaseHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive, no access log, _send for whole responses, read_body for bodies."""

    protocol_version = "HTTP/1.1"
    server_version = "kiln-functions-framework-python"
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):  # quiet access log
        pass

    def setup(self):
        self.timeout = self.server.idle_timeout  # every blocking read/write
        super().setup()
        self.conn = self.server.conn(self.request)

    def handle(self):
        """Serves requests on this connection until it closes, recording its state."""
        self.close_connection = False
        first = True
        while not self.close_connection and not self.server.stopping:
            if not first:
                self.conn.since = time.monotonic()
                self.conn.state = hs.IDLE
                if self.server.stopping:
                    return
            try:
                if not self.rfile.peek(1):
                    return  # the client closed the connection
            except (OSError, ValueError):
                return  # idle timeout, or killed by the server
            if not first:
                self.conn.deadline = time.monotonic() + self.server.read_header_timeout
            if self.conn.state == hs.CLOSING:
                return
            self.conn.state = hs.HEADERS
            first = False
            self.handle_one_request()

    def parse_request(self):
        """Parses the request line (in raw_requestline) and the headers; on a
        bad request answers the error and returns False."""
        self.command, self.request_version = None, "HTTP/0.9"
        self.close_connection = True
        self.requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        try:
            self.command, self.path, self.request_version = _head.parse_request_line(self.raw_requestline)
            self.headers = _head.read_headers(self.rfile)
        except _head.HeadError as e:
            self.send_error(e.status, str(e))
            return False
        if self.conn.state == hs.CLOSING:
            return False
        self.conn.state = hs.BUSY
        options = _head.connection_tokens(self.headers)
        self.close_connection = "close" in options or (self.request_version == "HTTP/1.0" and "keep-alive" not in options)
        if self.headers.get("Expect", "").lower() == "100-continue" and self.request_version == "HTTP/1.1":
            return self.handle_expect_100()
        return True

    def date_time_string(self, timestamp=None):
        """The Date header, formatted once a second."""
        if timestamp is not None:
            return super().date_time_string(timestamp)
        global _date
        now = int(time.time())
        if _date[0] != now:
            _date = (now, super().date_time_string(now))
        return _date[1]

    def handle_expect_100(self):
        """Answers 413 instead of 100 Continue when the announced body is too large."""
        n = self.headers.get("Content-Length", "").strip()
        if _DIGITS.fullmatch(n) and int(n) > self.server.max_body_bytes:
            self._too_large()
            return False
        return super().handle_expect_100()

    def _send(self, status, headers, body):
        """Sends a whole response, headers and body in one write (a response in
        pieces meets Nagle and delayed ACK: 40 ms per request on keep-alive)."""
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        if self.server.stopping and not self.close_connection:
            self.send_header("Connection", "close")
        self._headers_buffer.append(b"\r\n")
        head = b"".join(self._headers_buffer)
        self._headers_buffer = []
        if self.command == "HEAD" or status in (204, 304):
            body = b""
        if len(body) <= _ONE_WRITE:
            self.wfile.write(head + body)
        else:
            self.wfile.write(head)
            self.wfile.write(body)

    def _text(self, status, msg, close=False):
        headers = {"Content-Type": "text/plain; charset=utf-8"}
        if close:
            headers["Connection"] = "close"
        self._send(status, headers, msg.encode())

    def read_body(self):
        """The request body; raises Aborted after answering 400/413/501, or when the client went away."""
        te = self.headers.get_all("Transfer-Encoding") or []
        cl = self.headers.get_all("Content-Length") or []
        if te:
            if cl:
                self._bad(400, "a request may not have both Transfer-Encoding and Content-Length")
            if ",".join(te).strip().lower() != "chunked":
                self._bad(501, f"Transfer-Encoding {', '.join(te)!r} is not supported (only chunked)")
            return self._read_chunked()
        if not cl:
            return b""
        values = {v.strip() for v in cl}
        n = values.pop()
        if values or not _DIGITS.fullmatch(n):
            self._bad(400, f"Content-Length {', '.join(cl)!r} is not a number of bytes")
        n = int(n)
        if n > self.server.max_body_bytes:
            self._too_large()
            raise Aborted()
        body = self.rfile.read(n) if n else b""
        if len(body) < n:
            self._gone()
        return body

    def _read_chunked(self):
        limit, size, chunks = self.server.max_body_bytes, 0, []
        while True:
            line = self.rfile.readline(1024)
            if not line:
                self._gone()
            if not line.endswith(b"\n"):
                self._bad(400, "chunk size line too long")
            hexsize = line.split(b";", 1)[0].strip()
            if not _HEX.fullmatch(hexsize):
                self._bad(400, f"bad chunk size {hexsize[:32]!r}")
            n = int(hexsize, 16)
            if n == 0:
                break
            size += n
            if size > limit:
                self._too_large()
                raise Aborted()
            data = self.rfile.read(n)
            if len(data) < n:
                self._gone()
            chunks.append(data)
            if self.rfile.readline(3) not in (b"\r\n", b"\n"):
                self._bad(400, "chunk data not followed by CRLF")
        for _ in range(64):  # trailers, ignored
            line = self.rfile.readline(8192)
            if line in (b"\r\n", b"\n"):
                return b"".join(chunks)
            if not line:
                self._gone()
        self._bad(400, "too many trailer lines")

    def _bad(self, status, msg):
        self._text(status, msg, close=True)
        raise Aborted()

    def _gone(self):
        self.close_connection = True
        raise Aborted()

    def _too_large(self):
        """Answers 413, then reads and drops some of the body so the client can read it."""
        self._text(413, f"request body larger than {self.server.max_body_bytes} bytes (KILN_MAX_BODY_BYTES)", close=True)
        try:
            self.connection.shutdown(socket.SHUT_WR)
            self.connection.settimeout(_LINGER_SECONDS)
            deadline, dropped = time.monotonic() + _LINGER_SECONDS, 0
            while dropped < _LINGER_BYTES and time.monotonic() < deadline:
                b = self.rfile.read1(65536)
                if not b:
                    break
                dropped += len(b)
        except OSError:
            pass
