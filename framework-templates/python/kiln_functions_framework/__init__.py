"""Kiln's Python functions framework (standard library only)."""

from ._cloudevents import CloudEvent
from ._loader import load_function, load_module, exported_functions
from ._server import Request, make_server, serve

__version__ = "0.1.0"
__all__ = ["CloudEvent", "Request", "load_function", "load_module", "exported_functions", "make_server", "serve"]
