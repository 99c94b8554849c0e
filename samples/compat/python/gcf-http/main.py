"""HTTP functions written the way Google's Cloud Functions documentation
writes them (functions_framework decorators, a Flask request, markupsafe),
served unchanged by Kiln."""

import json
import threading

import functions_framework
from markupsafe import escape


@functions_framework.http
def hello_http(request):
    """Responds to an HTTP request: the name from JSON, the query, a form, or the raw body."""
    request_json = request.get_json(silent=True)
    request_args = request.args

    if request_json and "name" in request_json:
        name = request_json["name"]
    elif request_args and "name" in request_args:
        name = request_args["name"]
    elif request.form.get("name"):
        name = request.form["name"]
    else:
        name = request.get_data(as_text=True) or "World"
    return f"Hello {escape(name)}!"


@functions_framework.http
def inspect(request):
    """What the function sees of the request, for the e2e test."""
    return {
        "method": request.method,
        "path": request.path,
        "args": request.args.to_dict(flat=False),
        "form": request.form.to_dict(),
        "files": {k: f.read().decode() for k, f in request.files.items()},
        "json": request.get_json(silent=True),
        "text": request.get_data(as_text=True),
        "data": request.data.decode(),
        "header": request.headers.get("X-Kiln"),
    }


_barriers = {}
_cond = threading.Condition()


@functions_framework.http
def conformance_http(request):
    """The functions-framework conformance protocol's HTTP function."""
    if request.args.get("barrier"):
        bid, parties = request.args["barrier"], int(request.args.get("parties", "1"))
        with _cond:
            b = _barriers.setdefault(bid, {"arrived": 0, "left": 0})
            b["arrived"] += 1
            _cond.notify_all()
            _cond.wait_for(lambda: b["arrived"] >= parties, 30)
            b["left"] += 1
            if b["left"] == b["arrived"]:
                _barriers.pop(bid, None)
            return str(b["arrived"])
    with open("function_output.json", "w") as f:
        json.dump(request.get_json(), f)
    return "OK"
