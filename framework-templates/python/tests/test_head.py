import io
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from kiln_functions_framework._head import HeadError, connection_tokens, parse_request_line, read_headers  # noqa: E402


class RequestLineTest(unittest.TestCase):
    def test_lines(self):
        for raw, want in [
            (b"GET /a?b=1 HTTP/1.1\r\n", ("GET", "/a?b=1", "HTTP/1.1")),
            (b"POST / HTTP/1.0\n", ("POST", "/", "HTTP/1.0")),
            (b"GET //evil.example/x HTTP/1.1\r\n", ("GET", "/evil.example/x", "HTTP/1.1")),
            (b"GET /\r\n", 400),
            (b"GET  / HTTP/1.1\r\n", 400),
            (b"GET / HTTP/1.1 x\r\n", 400),
            (b"GET / HTTP/1\r\n", 400),
            (b"GET / http/1.1\r\n", 400),
            (b"GET / HTTP/2.0\r\n", 505),
            (b"G(T / HTTP/1.1\r\n", 400),
        ]:
            with self.subTest(raw):
                if isinstance(want, int):
                    with self.assertRaises(HeadError) as cm:
                        parse_request_line(raw)
                    self.assertEqual(cm.exception.status, want)
                else:
                    self.assertEqual(parse_request_line(raw), want)


class HeadersTest(unittest.TestCase):
    def test_headers(self):
        h = read_headers(io.BytesIO(b"Host: x\r\nX-Two: a\r\nx-two:  b \t\r\nEmpty:\r\n\r\nbody"))
        self.assertEqual(h["host"], "x")
        self.assertEqual(h.get_all("X-TWO"), ["a", "b"])
        self.assertEqual(h["Empty"], "")
        self.assertEqual(list(h.keys()), ["Host", "X-Two", "x-two", "Empty"])
        self.assertEqual(connection_tokens(read_headers(io.BytesIO(b"Connection: Keep-Alive, Upgrade\r\n\r\n"))), {"keep-alive", "upgrade"})

    def test_bad_headers(self):
        for raw, status in [
            (b"Host x\r\n\r\n", 400),
            (b"Host : x\r\n\r\n", 400),
            (b": x\r\n\r\n", 400),
            (b"Host: x\r\n folded\r\n\r\n", 400),
            (b"Host: x\r\n", 400),
            (b"X: " + b"y" * 70000 + b"\r\n\r\n", 431),
            (b"X: y\r\n" * 101 + b"\r\n", 431),
        ]:
            with self.subTest(raw[:30]):
                with self.assertRaises(HeadError) as cm:
                    read_headers(io.BytesIO(raw))
                self.assertEqual(cm.exception.status, status)


if __name__ == "__main__":
    unittest.main()
