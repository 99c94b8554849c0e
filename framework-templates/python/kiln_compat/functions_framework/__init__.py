"""Google's functions_framework as Kiln serves it: the decorators register
the function with Kiln's framework, whose server then runs it (Flask-style
request, Flask's return rules). Written for Kiln; the API is Google's."""

import functools

from kiln_functions_framework import _registry
from kiln_functions_framework._werkzeug import HTTPException  # noqa: F401


def _wrap(func, signature):
    _registry.register(func, signature)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)

    return wrapper


def http(func):
    """Registers func as an HTTP function: func(request) -> a Flask-style return value."""
    return _wrap(func, "http")


def cloud_event(func):
    """Registers func as a CloudEvent function: func(cloud_event) -> None."""
    return _wrap(func, "cloudevent")


def typed(*args):
    """Registers a typed function: @typed (the input type from the first
    parameter's annotation) or @typed(InputType); the input is
    InputType.from_dict(request JSON), a result's to_dict() is the answer."""
    if len(args) == 1 and callable(args[0]) and not isinstance(args[0], type):
        _registry.INPUT_TYPES[args[0].__name__] = None
        return _wrap(args[0], "typed")
    input_type = args[0] if args else None

    def decorate(func):
        _registry.INPUT_TYPES[func.__name__] = input_type
        return _wrap(func, "typed")

    return decorate


def errorhandler(key):
    """Registers a handler for an exception class or an HTTP status code:
    @functions_framework.errorhandler(ZeroDivisionError)
    def handle(e): return "…", 500"""

    def decorate(handler):
        _registry.add_error_handler(key, handler)
        return handler

    return decorate


def create_app(target=None, source=None, signature_type=None):
    raise RuntimeError(
        "functions_framework.create_app: Kiln serves the function with its own framework and has no Flask app to "
        "give; to run Google's functions-framework itself, list it in requirements.txt and build with "
        "BP_FUNCTION_FRAMEWORK=native")


__all__ = ["http", "cloud_event", "typed", "errorhandler", "create_app"]
