"""The parts of Flask a function served by Google's or OpenFunction's
framework uses, carried by Kiln so such functions run without Flask:
request (the request being served), Request, Response, make_response,
jsonify, abort, redirect, escape. A real Flask the app installs comes first
on sys.path and is used instead."""

from kiln_functions_framework._flask import Request, Response, jsonify, request  # noqa: F401
from kiln_functions_framework._flask import make_response as _make_response
from kiln_functions_framework._werkzeug import HTTPException, abort  # noqa: F401
from markupsafe import Markup, escape  # noqa: F401

__version__ = "3.0.3"


def make_response(*args):
    """A Response from a view's return value(s), by Flask's rules:
    make_response("body", 201, {"X": "y"}) or make_response(rv)."""
    if not args:
        return Response()
    return _make_response(args[0] if len(args) == 1 else tuple(args))


def redirect(location, code=302, Response=Response):
    resp = Response(f"<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n"
                    f"<p>You should be redirected automatically to the target URL: <a href=\"{escape(location)}\">{escape(location)}</a>. "
                    "If not, click the link.\n", status=code)
    resp.headers.set("Location", location)
    return resp


class Flask:
    def __init__(self, *args, **kwargs):
        raise RuntimeError(
            "flask.Flask: Kiln serves this function with its own framework and carries only the parts of Flask a "
            "function uses (request, Response, make_response, jsonify, abort); to run a Flask app, list flask in "
            "requirements.txt (it is then installed and used)")


__all__ = ["request", "Request", "Response", "make_response", "jsonify", "abort", "redirect", "escape", "Markup", "Flask"]
