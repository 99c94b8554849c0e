"""The hello function on http.server's ThreadingHTTPServer alone: the baseline
($PORT). HTTP/1.1 so connections are kept alive. BARE_TUNED=1 sends each
response in one write with TCP_NODELAY (what a careful hand-written server
does); unset, it answers as BaseHTTPRequestHandler usually does: headers, then body."""
import os
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

TUNED = os.environ.get("BARE_TUNED") == "1"


class Hello(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        if TUNED:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self):
        name = parse_qs(urlsplit(self.path).query).get("name", ["World"])[-1]
        body = f"Hello, {name}!\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        if TUNED:
            self._headers_buffer.append(b"\r\n" + body)
            self.flush_headers()
            return
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Hello).serve_forever()
