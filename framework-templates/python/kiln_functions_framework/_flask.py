"""Flask's request and response, as functions written for Google's or
OpenFunction's Python framework use them, without Flask: the request's
werkzeug surface (get_data(as_text=, cache=), get_json(silent=, force=), args,
form, files, values, headers, cookies, method, path, url, data, json, …) and
Flask's rules for what a view returns (str, bytes, dict, list, a
(body, status, headers) tuple, a Response or anything shaped like one)."""

import http.cookies
import io
import json
import threading
from http import HTTPStatus

from ._werkzeug import BadRequest, Headers, HTTPException, MultiDict, UnsupportedMediaType, parse_form, parse_query

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _params(content_type):
    """The media type (lower-cased) and its parameters."""
    parts = (content_type or "").split(";")
    params = {}
    for p in parts[1:]:
        k, _, v = p.partition("=")
        if k.strip():
            params[k.strip().lower()] = v.strip().strip('"')
    return parts[0].strip().lower(), params


class Request:
    """What an HTTP function gets under the compatibility layer: werkzeug's
    Request surface over the bytes Kiln's server read."""

    def __init__(self, method, target, headers, body, remote_addr=None, server=None):
        path, _, query = target.partition("?")
        self.method = method
        self.path = path.partition("#")[0] or "/"
        self._query = query.partition("#")[0]
        self._message = headers
        self._body = body
        self.remote_addr = remote_addr
        self._server = server
        self._cache = {}

    @property
    def view_args(self):
        return {"path": self.path.lstrip("/")}

    def _memo(self, key, make):
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    @property
    def headers(self):
        return self._memo("headers", lambda: Headers.of_message(self._message))

    @property
    def query_string(self):
        return self._query.encode("latin-1", "replace")

    @property
    def args(self):
        if "args" not in self._cache:
            self._cache["args"] = parse_query(self._query)
        return self._cache["args"]

    @property
    def content_type(self):
        return self._message.get("Content-Type")

    @property
    def mimetype(self):
        return _params(self.content_type)[0]

    @property
    def mimetype_params(self):
        return _params(self.content_type)[1]

    @property
    def content_length(self):
        v = self._message.get("Content-Length")
        return int(v) if v and v.strip().isdigit() else None

    @property
    def content_encoding(self):
        return self._message.get("Content-Encoding")

    @property
    def charset(self):
        return self.mimetype_params.get("charset", "utf-8")

    def _form(self):
        return self._memo("form", lambda: parse_form(self.mimetype, self.content_type, self._body))

    @property
    def form(self):
        return self._form()[0]

    @property
    def files(self):
        return self._form()[1]

    @property
    def values(self):
        def merge():
            m = MultiDict(self.args.items(multi=True))
            if self.method != "GET":
                for k, v in self.form.items(multi=True):
                    m.add(k, v)
            return m
        return self._memo("values", merge)

    @property
    def cookies(self):
        def parse():
            c = http.cookies.SimpleCookie()
            try:
                c.load(self._message.get("Cookie") or "")
            except http.cookies.CookieError:
                return MultiDict()
            return MultiDict((k, m.value) for k, m in c.items())
        return self._memo("cookies", parse)

    def get_data(self, cache=True, as_text=False, parse_form_data=False):
        """The raw body (bytes, or text with as_text). With parse_form_data a
        form body is parsed into form/files and, as in werkzeug, reads as empty."""
        body = self._body
        if parse_form_data and self.mimetype in _FORM_TYPES:
            self._form()
            body = b""
        return body.decode(self.charset, "replace") if as_text else body

    @property
    def data(self):
        """The body, except for form content types (werkzeug parses those into form)."""
        return self.get_data(parse_form_data=True)

    @property
    def stream(self):
        return io.BytesIO(self.get_data(parse_form_data=True))

    input_stream = stream

    @property
    def is_json(self):
        mt = self.mimetype
        return mt == "application/json" or (mt.startswith("application/") and mt.endswith("+json"))

    def get_json(self, force=False, silent=False, cache=True):
        """The body parsed as JSON. Not JSON content (unless force): 415, None when silent.
        Empty or malformed: 400, None when silent."""
        if not (force or self.is_json):
            if silent:
                return None
            raise UnsupportedMediaType("Did not attempt to load JSON data because the request Content-Type was not 'application/json'.")
        key = "json"
        if key not in self._cache:
            try:
                self._cache[key] = json.loads(self._body.decode(self.charset, "replace"))
            except ValueError as e:
                if silent:
                    return None
                raise BadRequest(f"Failed to decode JSON object: {e}")
        return self._cache[key]

    @property
    def json(self):
        return self.get_json()

    @property
    def scheme(self):
        return (self._message.get("X-Forwarded-Proto") or "http").split(",")[0].strip().lower()

    @property
    def host(self):
        h = self._message.get("Host")
        if h:
            return h
        if self._server:
            return f"{self._server[0]}:{self._server[1]}"
        return "localhost"

    @property
    def host_url(self):
        return f"{self.scheme}://{self.host}/"

    @property
    def url_root(self):
        return self.host_url

    @property
    def base_url(self):
        return f"{self.scheme}://{self.host}{self.path}"

    @property
    def url(self):
        qs = self._query
        return self.base_url + (f"?{qs}" if qs else "")

    @property
    def full_path(self):
        return f"{self.path}?{self._query}"

    @property
    def access_route(self):
        fwd = self._message.get("X-Forwarded-For")
        if fwd:
            return [a.strip() for a in fwd.split(",")]
        return [self.remote_addr] if self.remote_addr else []

    @property
    def user_agent(self):
        return UserAgent(self._message.get("User-Agent") or "")

    @property
    def authorization(self):
        return self._message.get("Authorization")

    @property
    def environ(self):
        def build():
            env = {"REQUEST_METHOD": self.method, "SCRIPT_NAME": "", "PATH_INFO": self.path,
                   "QUERY_STRING": self._query, "SERVER_PROTOCOL": "HTTP/1.1",
                   "REMOTE_ADDR": self.remote_addr or "", "wsgi.url_scheme": self.scheme, "wsgi.input": self.stream}
            if self._server:
                env["SERVER_NAME"], env["SERVER_PORT"] = str(self._server[0]), str(self._server[1])
            for k, v in self._message.items():
                name = k.upper().replace("-", "_")
                if name in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                    env[name] = v
                else:
                    env["HTTP_" + name] = v
            return env
        return self._memo("environ", build)

    def __repr__(self):
        return f"<Request {self.url!r} [{self.method}]>"


class UserAgent(str):
    """The User-Agent header (werkzeug's UserAgent prints as it)."""

    @property
    def string(self):
        return str(self)


def _status(value):
    """(code, "code PHRASE") from an int or a status string like "201 CREATED"."""
    if isinstance(value, int):
        code = value
        try:
            phrase = HTTPStatus(code).phrase.upper()
        except ValueError:
            phrase = "UNKNOWN"
        return code, f"{code} {phrase}"
    text = str(value).strip()
    head = text.split(" ", 1)[0]
    if not head.isdigit():
        raise ValueError(f"{value!r} is not an HTTP status: give a number, e.g. 404, or a line like '404 NOT FOUND'")
    return int(head), text if " " in text else _status(int(head))[1]


class Response:
    """Flask's Response: a body, a status and headers."""

    default_status = 200
    default_mimetype = "text/html"
    charset = "utf-8"

    def __init__(self, response=None, status=None, headers=None, mimetype=None, content_type=None, direct_passthrough=False):
        self.headers = headers if isinstance(headers, Headers) else Headers(headers)
        if content_type is None:
            mimetype = mimetype or self.default_mimetype
            content_type = f"{mimetype}; charset={self.charset}" if mimetype.startswith("text/") or mimetype in ("application/xml",) else mimetype
        if "Content-Type" not in self.headers:
            self.headers.set("Content-Type", content_type)
        self.status = status if status is not None else self.default_status
        self.set_data(b"" if response is None else response)

    @property
    def status_code(self):
        return self._code

    @status_code.setter
    def status_code(self, code):
        self._code, self._status = _status(int(code))

    @property
    def status(self):
        return self._status

    @status.setter
    def status(self, value):
        self._code, self._status = _status(value)

    def set_data(self, value):
        if isinstance(value, str):
            self._data = value.encode(self.charset)
        elif isinstance(value, (bytes, bytearray, memoryview)):
            self._data = bytes(value)
        else:  # an iterable of str/bytes (a generator streams in Flask; here it is joined)
            self._data = b"".join(x.encode(self.charset) if isinstance(x, str) else bytes(x) for x in value)

    def get_data(self, as_text=False):
        return self._data.decode(self.charset, "replace") if as_text else self._data

    data = property(get_data, set_data)

    @property
    def mimetype(self):
        return _params(self.headers.get("Content-Type"))[0]

    @mimetype.setter
    def mimetype(self, value):
        self.headers.set("Content-Type", f"{value}; charset={self.charset}" if value.startswith("text/") else value)

    @property
    def content_type(self):
        return self.headers.get("Content-Type")

    @content_type.setter
    def content_type(self, value):
        self.headers.set("Content-Type", value)

    @property
    def content_length(self):
        return len(self._data)

    @property
    def is_json(self):
        mt = self.mimetype
        return mt == "application/json" or (mt.startswith("application/") and mt.endswith("+json"))

    def get_json(self, force=False, silent=False):
        if not (force or self.is_json):
            return None
        try:
            return json.loads(self._data)
        except ValueError:
            if silent:
                return None
            raise

    @property
    def json(self):
        return self.get_json()

    def set_cookie(self, key, value="", max_age=None, expires=None, path="/", domain=None, secure=False, httponly=False, samesite=None):
        c = http.cookies.SimpleCookie()
        c[key] = value
        m = c[key]
        if max_age is not None:
            m["max-age"] = int(max_age.total_seconds() if hasattr(max_age, "total_seconds") else max_age)
        if expires is not None:
            m["expires"] = expires if isinstance(expires, str) else expires.strftime("%a, %d %b %Y %H:%M:%S GMT")
        if path:
            m["path"] = path
        if domain:
            m["domain"] = domain
        if secure:
            m["secure"] = True
        if httponly:
            m["httponly"] = True
        if samesite:
            m["samesite"] = samesite
        self.headers.add("Set-Cookie", m.OutputString())

    def delete_cookie(self, key, path="/", domain=None, secure=False, httponly=False, samesite=None):
        self.set_cookie(key, "", max_age=0, expires="Thu, 01 Jan 1970 00:00:00 GMT", path=path, domain=domain,
                        secure=secure, httponly=httponly, samesite=samesite)

    def __repr__(self):
        return f"<Response {len(self._data)} bytes [{self.status}]>"


def _dumps(obj):
    """JSON as Flask's default provider writes it: compact, keys sorted."""
    return json.dumps(obj, separators=(",", ":"), sort_keys=True) + "\n"


def jsonify(*args, **kwargs):
    """A JSON response of one value, several (a list) or keyword arguments (an object)."""
    if args and kwargs:
        raise TypeError("jsonify() behavior undefined when passed both args and kwargs")
    data = args[0] if len(args) == 1 else (list(args) if args else kwargs)
    return Response(_dumps(data), mimetype="application/json")


class InvalidResponse(TypeError):
    """A view returned something Flask cannot turn into a response."""


def make_response(rv):
    """A Response for a view's return value, by Flask's rules."""
    status = headers = None
    if isinstance(rv, tuple):
        if len(rv) == 3:
            rv, status, headers = rv
        elif len(rv) == 2:
            rv, second = rv
            if isinstance(second, (Headers, dict, list, tuple)):
                headers = second
            else:
                status = second
        else:
            raise InvalidResponse("The view function did not return a valid response tuple. The tuple must have the form (body, status, headers), (body, status), or (body, headers).")
    if rv is None:
        raise InvalidResponse("The view function did not return a valid response. The function either returned None or ended without a return statement.")
    if isinstance(rv, (str, bytes, bytearray)):
        resp = Response(rv)
    elif isinstance(rv, (dict, list)):
        resp = jsonify(rv)
    elif isinstance(rv, Response):
        resp = rv
    elif hasattr(rv, "status_code") and hasattr(rv, "headers") and hasattr(rv, "get_data"):
        resp = _Foreign(rv)  # werkzeug's own Response, when Flask is installed after all
    elif hasattr(rv, "__iter__"):
        resp = Response(rv)
    else:
        raise InvalidResponse(f"The view function did not return a valid response. The return type must be a string, dict, list, tuple with headers or status, Response instance, or WSGI callable, but it was a {type(rv).__name__}.")
    if status is not None:
        resp.status = status
    if headers:
        resp.headers.update(headers)
    return resp


class _Foreign:
    """Adapts a response object from elsewhere (werkzeug's) to the calls used here."""

    def __init__(self, rv):
        self._rv = rv
        self.headers = Headers(list(rv.headers.items()))

    @property
    def status_code(self):
        return self._rv.status_code

    @property
    def status(self):
        return self._rv.status

    @status.setter
    def status(self, value):
        self._rv.status = value

    def get_data(self, as_text=False):
        return self._rv.get_data(as_text=as_text)


def to_wire(resp):
    """(status, Headers, body bytes) to send for a response (the server sets Content-Length)."""
    headers = resp.headers
    if "Content-Length" in headers:
        headers = Headers(headers.items())
        del headers["Content-Length"]
    return resp.status_code, headers, resp.get_data()


def error_response(exc):
    """The response for an HTTPException (abort)."""
    if exc.response is not None:
        return make_response(exc.response)
    return Response(exc.get_body(), status=exc.code)


# The request being served on this thread: flask.request.
_current = threading.local()


def current_request():
    req = getattr(_current, "request", None)
    if req is None:
        raise RuntimeError("Working outside of request context: flask.request is only there while a function serves a request.")
    return req


def set_current(req):
    _current.request = req


class RequestProxy:
    """flask.request: the request this thread serves."""

    def __getattr__(self, name):
        return getattr(current_request(), name)

    def __bool__(self):
        return getattr(_current, "request", None) is not None

    def __repr__(self):
        req = getattr(_current, "request", None)
        return repr(req) if req is not None else "<LocalProxy unbound>"


request = RequestProxy()

__all__ = ["Request", "Response", "jsonify", "make_response", "error_response", "request", "HTTPException"]
