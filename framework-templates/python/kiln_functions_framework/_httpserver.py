"""A socketserver TCP server with a thread per connection, bounded.

What it adds to ThreadingHTTPServer, for clients that do not behave:
- at most max_threads connections (one thread each); when full, the oldest
  idle keep-alive connection is closed to make room, else accepting waits;
- a watchdog closes connections whose request headers are not complete
  read_header_timeout seconds after the connection opened (first request) or
  after the request's first byte (keep-alive);
- idle keep-alive connections close after idle_timeout (socket timeout);
- stop(grace) stops accepting, closes idle connections at once (and new ones
  silent for a second) and waits up to grace seconds for in-flight requests,
  which answer with "Connection: close".
The per-connection states are set by the handler (_http.BaseHandler).
"""

import socket
import socketserver
import sys
import threading
import time

# Connection states.
NEW = "new"  # accepted, no byte of the first request yet: header deadline from accept
IDLE = "idle"  # keep-alive, waiting for the next request: idle timeout
HEADERS = "headers"  # reading a request line and headers: header deadline
BUSY = "busy"  # reading the body, running the function, answering
CLOSING = "closing"  # evicted or timed out, its thread is on the way out


class Conn:
    __slots__ = ("sock", "state", "deadline", "since")

    def __init__(self, sock, deadline):
        self.sock = sock
        self.state = NEW
        self.deadline = deadline
        self.since = time.monotonic()

    def kill(self):
        """Wakes the connection's thread out of any blocking read or write."""
        self.state = CLOSING
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class Server(socketserver.TCPServer):
    allow_reuse_address = True
    # socketserver's default backlog of 5 drops bursts of connections, and a
    # dropped SYN costs the client a 1 s retransmit.
    request_queue_size = 128

    def __init__(self, address, handler, max_body_bytes, read_header_timeout, max_threads=256, idle_timeout=60.0):
        self.max_body_bytes = max_body_bytes
        self.read_header_timeout = read_header_timeout
        self.max_threads = max_threads
        self.idle_timeout = idle_timeout
        self.stopping = False
        self._conns = {}  # the handler's socket -> Conn
        self._cond = threading.Condition()
        self._closed = threading.Event()
        super().__init__(address, handler)
        self._watchdog = threading.Thread(target=self._watch, name="kiln-header-timeouts", daemon=True)
        self._watchdog.start()

    # --- accepting ---------------------------------------------------------

    def process_request(self, request, client_address):
        """Runs the connection on its own thread, once there is room."""
        if not self._make_room():
            self.shutdown_request(request)
            return
        conn = Conn(request, time.monotonic() + self.read_header_timeout)
        with self._cond:
            self._conns[request] = conn
        t = threading.Thread(target=self._run, args=(request, client_address), daemon=True)
        t.start()

    def _make_room(self):
        with self._cond:
            while len(self._conns) >= self.max_threads:
                if self.stopping:
                    return False
                idle = [c for c in self._conns.values() if c.state == IDLE]
                if idle:
                    min(idle, key=lambda c: c.since).kill()
                self._cond.wait(0.5)
            return not self.stopping

    def _run(self, request, client_address):
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)
            with self._cond:
                self._conns.pop(request, None)
                self._cond.notify_all()

    def conn(self, request):
        return self._conns.get(request)

    def handle_error(self, request, client_address):
        # A client that went away is not worth a traceback.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError, socket.timeout)):
            return
        super().handle_error(request, client_address)

    # --- timeouts ----------------------------------------------------------

    def _watch(self):
        tick = min(0.5, self.read_header_timeout / 4)
        while not self._closed.wait(tick):
            now = time.monotonic()
            with self._cond:
                late = [c for c in self._conns.values() if (c.state in (NEW, HEADERS) and now > c.deadline) or self._quiet(c, now)]
            for c in late:
                c.kill()

    def _quiet(self, c, now):
        """While stopping: idle, or new and silent for a second (its request would have arrived)."""
        return self.stopping and (c.state == IDLE or (c.state == NEW and now - c.since > 1.0))

    # --- stopping ----------------------------------------------------------

    def begin_stop(self):
        """Refuses new work: idle connections close now, busy ones after their response."""
        with self._cond:
            self.stopping = True
            now = time.monotonic()
            idle = [c for c in self._conns.values() if self._quiet(c, now)]
            self._cond.notify_all()
        for c in idle:
            c.kill()

    def stop(self, grace=10.0):
        """Stops serving (call from another thread than serve_forever) and
        waits up to grace seconds for in-flight requests; True if they all finished."""
        self.begin_stop()
        self.shutdown()
        return self.server_close(grace)

    def server_close(self, grace=10.0):
        self.begin_stop()
        super().server_close()
        deadline = time.monotonic() + grace
        with self._cond:
            while self._conns and time.monotonic() < deadline:
                self._cond.wait(min(0.5, max(0.0, deadline - time.monotonic())))
            done = not self._conns
        self._closed.set()
        return done
