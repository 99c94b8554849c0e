"""An HTTP function that answers the ways Flask lets a view answer (Google's
CORS sample's tuples, a Response, make_response, jsonify, abort), served
unchanged by Kiln without Flask installed."""

import functions_framework
from flask import Response, abort, jsonify, make_response


@functions_framework.errorhandler(KeyError)
def missing_field(e):
    return {"error": f"missing field {e}"}, 422


@functions_framework.http
def respond(request):
    # Google's CORS sample: a preflight answered with an empty 204 and headers.
    if request.method == "OPTIONS":
        headers = {
            "Access-Control-Allow-Origin": "*",
            "Access-Control-Allow-Methods": "GET",
            "Access-Control-Allow-Headers": "Content-Type",
            "Access-Control-Max-Age": "3600",
        }
        return ("", 204, headers)
    if request.path == "/created":
        return {"created": request.get_json()["name"]}, 201
    if request.path == "/response":
        resp = Response("plain text", status=202, mimetype="text/plain")
        resp.headers["X-Kiln"] = "compat"
        resp.set_cookie("session", "abc123", httponly=True)
        return resp
    if request.path == "/make":
        return make_response(("made", 203, {"X-Made": "yes"}))
    if request.path == "/json":
        return jsonify(ok=True, items=[1, 2])
    if request.path == "/teapot":
        abort(418)
    headers = {"Access-Control-Allow-Origin": "*"}
    return ("Hello World!", 200, headers)
