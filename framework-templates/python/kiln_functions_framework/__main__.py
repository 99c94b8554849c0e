"""Serves $FUNCTION_TARGET from $FUNCTION_SOURCE on $PORT.

    FUNCTION_SOURCE=/workspace/main.py FUNCTION_TARGET=hello python3 -m kiln_functions_framework
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
    try:
        fn = load_function(source, target)
    except Exception as e:
        sys.exit(f"kiln functions framework (python): {e}")
    try:
        server = make_server(fn, int(port), signature)
    except OSError as e:
        sys.exit(f"kiln functions framework (python): listening on port {port} (env PORT): {e}")
    except ValueError as e:
        sys.exit(f"kiln functions framework (python): {e}")
    print(f'kiln functions framework (python) {__version__}: serving {signature} function "{target}" from {source} on port {server.server_address[1]}', flush=True)
    run(server)
    print("kiln functions framework (python): stopped", flush=True)


main()
