"""The parts of werkzeug's data structures that functions written for Flask
touch, in the standard library: MultiDict (first value wins, getlist for
all), Headers (case-insensitive, iterates (name, value) pairs), FileStorage,
HTTP exceptions (abort), and form bodies (urlencoded and multipart)."""

import email.parser
import email.policy
import io
import shutil
from http import HTTPStatus
from urllib.parse import unquote_plus


class MultiDict(dict):
    """A dict of lists that reads like a dict of first values (werkzeug's MultiDict)."""

    def __init__(self, pairs=()):
        super().__init__()
        items = pairs.items() if isinstance(pairs, dict) else pairs
        setdefault = dict.setdefault
        for k, v in items:
            setdefault(self, k, []).append(v)

    def add(self, key, value):
        dict.setdefault(self, key, []).append(value)

    def __getitem__(self, key):
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)[0]
        raise BadRequestKeyError(key)

    def __setitem__(self, key, value):
        dict.__setitem__(self, key, [value])

    def get(self, key, default=None, type=None):
        if not dict.__contains__(self, key):
            return default
        value = dict.__getitem__(self, key)[0]
        if type is None:
            return value
        try:
            return type(value)
        except (ValueError, TypeError):
            return default

    def getlist(self, key, type=None):
        values = list(dict.get(self, key, []))
        if type is None:
            return values
        out = []
        for v in values:
            try:
                out.append(type(v))
            except (ValueError, TypeError):
                pass
        return out

    def setlist(self, key, values):
        dict.__setitem__(self, key, list(values))

    def items(self, multi=False):
        for k, vs in dict.items(self):
            if multi:
                for v in vs:
                    yield k, v
            else:
                yield k, vs[0]

    def values(self):
        for vs in dict.values(self):
            yield vs[0]

    def lists(self):
        return dict.items(self)

    def to_dict(self, flat=True):
        if flat:
            return {k: vs[0] for k, vs in dict.items(self)}
        return {k: list(vs) for k, vs in dict.items(self)}

    def copy(self):
        return MultiDict(self.items(multi=True))

    def __repr__(self):
        return f"{type(self).__name__}({list(self.items(multi=True))!r})"


class Headers:
    """Request or response headers: case-insensitive get, getlist, [] (KeyError
    when absent), in, and iteration over (name, value) pairs as werkzeug's
    Headers; set/add/extend/update for responses."""

    def __init__(self, items=None):
        self._list = []
        if items is not None:
            self.extend(items)

    @classmethod
    def of_message(cls, message):
        h = cls()
        h._list = list(message.items())
        return h

    def _pairs(self, items):
        if isinstance(items, Headers):
            return list(items._list)
        if hasattr(items, "items"):
            out = []
            for k, v in items.items():
                if isinstance(v, (list, tuple)):
                    out.extend((k, x) for x in v)
                else:
                    out.append((k, v))
            return out
        return list(items)

    def get(self, key, default=None, type=None):
        lk = key.lower()
        for k, v in self._list:
            if k.lower() == lk:
                if type is None:
                    return v
                try:
                    return type(v)
                except (ValueError, TypeError):
                    return default
        return default

    def getlist(self, key, type=None):
        lk = key.lower()
        values = [v for k, v in self._list if k.lower() == lk]
        return values if type is None else [type(v) for v in values]

    get_all = getlist

    def __getitem__(self, key):
        v = self.get(key)
        if v is None:
            raise BadRequestKeyError(key)
        return v

    def __contains__(self, key):
        return self.get(key) is not None

    def __iter__(self):
        return iter(list(self._list))

    def __len__(self):
        return len(self._list)

    def keys(self):
        return [k for k, _ in self._list]

    def values(self):
        return [v for _, v in self._list]

    def items(self):
        return list(self._list)

    def add(self, key, value):
        self._list.append((key, str(value)))

    def set(self, key, value):
        lk = key.lower()
        self._list = [(k, v) for k, v in self._list if k.lower() != lk]
        self._list.append((key, str(value)))

    __setitem__ = set

    def __delitem__(self, key):
        lk = key.lower()
        self._list = [(k, v) for k, v in self._list if k.lower() != lk]

    def remove(self, key):
        del self[key]

    def pop(self, key, default=None):
        v = self.get(key, default)
        del self[key]
        return v

    def setdefault(self, key, default):
        if key in self:
            return self.get(key)
        self.set(key, default)
        return default

    def extend(self, items):
        for k, v in self._pairs(items):
            self.add(k, v)

    def update(self, items):
        """Sets each given header, replacing earlier values (Flask's rule for returned headers)."""
        pairs = self._pairs(items)
        for k in {k.lower(): k for k, _ in pairs}.values():
            del self[k]
        for k, v in pairs:
            self.add(k, v)

    def to_wsgi_list(self):
        return list(self._list)

    def __repr__(self):
        return f"Headers({self._list!r})"


class FileStorage:
    """An uploaded file of a multipart form."""

    def __init__(self, stream, filename, name, content_type, headers=None):
        self.stream = stream
        self.filename = filename
        self.name = name
        self.content_type = content_type
        self.mimetype = (content_type or "").split(";")[0].strip().lower()
        self.headers = headers or Headers()

    def read(self, *args):
        return self.stream.read(*args)

    def save(self, dst, buffer_size=16384):
        if isinstance(dst, (str, bytes)) or hasattr(dst, "__fspath__"):
            with open(dst, "wb") as f:
                shutil.copyfileobj(self.stream, f, buffer_size)
        else:
            shutil.copyfileobj(self.stream, dst, buffer_size)

    def __bool__(self):
        return bool(self.filename)

    def __repr__(self):
        return f"<FileStorage: {self.filename!r} ({self.content_type!r})>"


class HTTPException(Exception):
    """An HTTP error a function raises (abort(404)); becomes that response."""

    code = 500
    description = None

    def __init__(self, description=None, response=None, code=None):
        super().__init__(description)
        if code is not None:
            self.code = code
        if description is not None:
            self.description = description
        self.response = response

    @property
    def name(self):
        try:
            return HTTPStatus(self.code).phrase
        except ValueError:
            return "Unknown Error"

    def get_body(self):
        desc = self.description or ""
        return f"<!doctype html>\n<html lang=en>\n<title>{self.code} {self.name}</title>\n<h1>{self.name}</h1>\n<p>{_escape(desc)}</p>\n"

    def __str__(self):
        return f"{self.code} {self.name}: {self.description or ''}".rstrip(": ")


def _escape(s):
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;").replace("'", "&#39;")


def _exception(name, code, description):
    return type(name, (HTTPException,), {"code": code, "description": description})


BadRequest = _exception("BadRequest", 400, "The browser (or proxy) sent a request that this server could not understand.")
Unauthorized = _exception("Unauthorized", 401, "The server could not verify that you are authorized to access the URL requested.")
Forbidden = _exception("Forbidden", 403, "You don't have the permission to access the requested resource.")
NotFound = _exception("NotFound", 404, "The requested URL was not found on the server.")
MethodNotAllowed = _exception("MethodNotAllowed", 405, "The method is not allowed for the requested URL.")
UnsupportedMediaType = _exception("UnsupportedMediaType", 415, "The server does not support the media type transmitted in the request.")
InternalServerError = _exception("InternalServerError", 500, "The server encountered an internal error and was unable to complete your request.")


class BadRequestKeyError(BadRequest, KeyError):
    """A missing key of request.args/form/headers: a KeyError that is also a 400."""

    def __init__(self, key):
        BadRequest.__init__(self, f"The browser (or proxy) sent a request that this server could not understand. KeyError: {key!r}")
        self.args = (key,)

    def __str__(self):
        return HTTPException.__str__(self)


_CODES = {c.code: c for c in (BadRequest, Unauthorized, Forbidden, NotFound, MethodNotAllowed, UnsupportedMediaType, InternalServerError)}


def abort(status, *args, **kwargs):
    """Raises the HTTPException for status (an int), or one carrying a response."""
    if not isinstance(status, int):
        raise HTTPException(response=status)
    cls = _CODES.get(status)
    if cls is None:
        raise HTTPException(*args, code=status, **kwargs)
    raise cls(*args, **kwargs)


def parse_query(qs):
    """A query string (or urlencoded body) as a MultiDict, as werkzeug decodes
    it: pairs split on &, + and %XX decoded (UTF-8, bad bytes replaced), a
    name without = has the value ""."""
    md = MultiDict()
    setdefault = dict.setdefault
    for part in qs.split("&"):
        if not part:
            continue
        k, _, v = part.partition("=")
        if "%" in k or "+" in k:
            k = unquote_plus(k)
        if "%" in v or "+" in v:
            v = unquote_plus(v)
        setdefault(md, k, []).append(v)
    return md


def parse_form(mimetype, content_type, body):
    """(form MultiDict, files MultiDict) of an urlencoded or multipart body."""
    form, files = MultiDict(), MultiDict()
    if mimetype == "application/x-www-form-urlencoded":
        form = parse_query(body.decode("utf-8", "replace"))
    elif mimetype == "multipart/form-data" and body:
        head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", "replace")
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        if msg.is_multipart():
            for part in msg.iter_parts():
                name = part.get_param("name", header="content-disposition")
                if name is None:
                    continue
                payload = part.get_payload(decode=True) or b""
                filename = part.get_filename()
                if filename is not None:
                    files.add(name, FileStorage(io.BytesIO(payload), filename, name, part.get("Content-Type", "application/octet-stream"),
                                                Headers(list(part.items()))))
                else:
                    form.add(name, payload.decode(part.get_content_charset() or "utf-8", "replace"))
    return form, files
