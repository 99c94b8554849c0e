"""Serves $FUNCTION_TARGET from $FUNCTION_SOURCE on $PORT.

    FUNCTION_SOURCE=/workspace/main.py FUNCTION_TARGET=hello python3 -m kiln_functions_framework

KILN_FUNCTION_COMPAT=google|openfunction (set by the buildpack when the app is
written against Google's functions_framework or OpenFunction's) serves it the
way that framework would, on this server (_compat.py).
"""

import os
import sys

from . import __version__, load_function
from ._server import make_server, run


def main():
    source = os.environ.get("FUNCTION_SOURCE", "main.py")
    target = os.environ.get("FUNCTION_TARGET") or os.environ.get("FUNC_NAME")
    signature = (os.environ.get("FUNCTION_SIGNATURE_TYPE") or "http").lower()
    port = os.environ.get("PORT", "8080")
    if not port.isdigit() or int(port) > 65535:
        sys.exit(f"kiln functions framework (python): env PORT={port!r} is not a TCP port")
    kinds = []
    if os.environ.get("KILN_FUNCTION_COMPAT"):
        from . import _compat

        try:
            kinds = _compat.parse_kinds(os.environ["KILN_FUNCTION_COMPAT"])
        except ValueError as e:
            sys.exit(f"kiln functions framework (python): {e}")
        _compat.enable(kinds)
    try:
        fn = load_function(source, target)
    except Exception as e:
        sys.exit(f"kiln functions framework (python): {e}")
    try:
        if kinds:
            signature = _compat.signature_for(fn, target, signature, kinds)
            server = _compat.make_compat_server(fn, int(port), signature, kinds[0])
        else:
            server = make_server(fn, int(port), signature)
    except OSError as e:
        sys.exit(f"kiln functions framework (python): listening on port {port} (env PORT): {e}")
    except ValueError as e:
        sys.exit(f"kiln functions framework (python): {e}")
    layer = f" ({', '.join(kinds)} compatibility)" if kinds else ""
    shown = "openfunction (OpenFunction's context)" if signature == "ofn" else signature
    print(f'kiln functions framework (python) {__version__}: serving {shown} function "{target}" from {source} on port {server.server_address[1]}{layer}', flush=True)
    run(server)
    print("kiln functions framework (python): stopped", flush=True)


main()
