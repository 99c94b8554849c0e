"""Limits the server takes from the environment, shared by every signature.

KILN_MAX_BODY_BYTES      largest request body accepted (bytes, default 33554432); larger is a 413
KILN_READ_HEADER_TIMEOUT seconds a client has to send a request's headers (default 10)
"""

import re

MAX_BODY_ENV = "KILN_MAX_BODY_BYTES"
HEADER_TIMEOUT_ENV = "KILN_READ_HEADER_TIMEOUT"
DEFAULT_MAX_BODY = 32 * 1024 * 1024
DEFAULT_HEADER_TIMEOUT = 10.0


def max_body_bytes(env):
    """KILN_MAX_BODY_BYTES as an int (a positive count of bytes)."""
    v = (env.get(MAX_BODY_ENV) or "").strip()
    if not v:
        return DEFAULT_MAX_BODY
    if not re.fullmatch(r"[0-9]+", v) or int(v) == 0:
        raise ValueError(f"env {MAX_BODY_ENV}={v!r} is not a positive number of bytes; unset it for the default ({DEFAULT_MAX_BODY})")
    return int(v)


def read_header_timeout(env):
    """KILN_READ_HEADER_TIMEOUT as float seconds (positive)."""
    v = (env.get(HEADER_TIMEOUT_ENV) or "").strip()
    if not v:
        return DEFAULT_HEADER_TIMEOUT
    try:
        t = float(v)
    except ValueError:
        t = -1
    if not 0 < t < 1e6:
        raise ValueError(f"env {HEADER_TIMEOUT_ENV}={v!r} is not a positive number of seconds; unset it for the default ({DEFAULT_HEADER_TIMEOUT:g})")
    return t
