"""Parsing a request's line and headers.

http.server parses headers with the email package, which costs more than
everything else in a small request; this is a strict HTTP/1.x parser that
builds the same http.client.HTTPMessage a function reads.
"""

import http.client
import re

MAX_LINE = 65536
MAX_HEADERS = 100
_VERSION = re.compile(r"HTTP/(\d)\.(\d)")
# A header name is a token (RFC 9110 5.1): no spaces, controls or separators.
_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


class HeadError(Exception):
    """The request cannot be parsed: answer status with the message, then close."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


def parse_request_line(raw):
    """Returns (method, target, version) from the request line's bytes."""
    line = raw.decode("iso-8859-1").rstrip("\r\n")
    words = line.split(" ")
    if len(words) != 3 or not all(words):
        raise HeadError(400, f"bad request line {line[:80]!r}")
    method, target, version = words
    m = _VERSION.fullmatch(version)
    if not m:
        raise HeadError(400, f"bad HTTP version {version[:20]!r}")
    if m.group(1) != "1":
        raise HeadError(505, f"HTTP version {version} is not supported (only HTTP/1.0 and HTTP/1.1)")
    if not _TOKEN.fullmatch(method.encode("iso-8859-1")):
        raise HeadError(400, f"bad method {method[:20]!r}")
    if target.startswith("//"):  # not a scheme-relative URL: a path
        target = "/" + target.lstrip("/")
    return method, target, version


def read_headers(rfile):
    """Reads header lines up to the blank line into an HTTPMessage."""
    headers = http.client.HTTPMessage()
    for _ in range(MAX_HEADERS + 1):
        line = rfile.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise HeadError(431, "a header line is too long")
        if line in (b"\r\n", b"\n"):
            return headers
        if not line.endswith(b"\n"):
            raise HeadError(400, "the headers end before the blank line")
        name, colon, value = line.partition(b":")
        if not colon or not _TOKEN.fullmatch(name):
            # Also refuses obsolete line folding (RFC 9112 5.2).
            raise HeadError(400, f"bad header line {line[:80]!r}")
        headers[name.decode("ascii")] = value.strip(b" \t\r\n").decode("iso-8859-1")
    raise HeadError(431, f"more than {MAX_HEADERS} headers")


def connection_tokens(headers):
    """The Connection header's options, lowercased."""
    return {t.strip().lower() for v in headers.get_all("Connection") or () for t in v.split(",")}
