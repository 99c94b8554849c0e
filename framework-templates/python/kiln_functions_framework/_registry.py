"""Declarative registration for the compatibility layer: the decorators of
Google's functions_framework (http, cloud_event, typed, errorhandler) record
here what a function is, keyed by its __name__ as Google's framework does;
the server reads it to pick the signature and the error handlers."""

SIGNATURES = {}  # function name -> "http" | "cloudevent" | "typed"
INPUT_TYPES = {}  # typed function name -> its input type (None: from the first parameter's annotation)
ERROR_HANDLERS = []  # (exception class or status code, handler), in registration order


def register(func, signature):
    if not callable(func):
        raise TypeError(f"functions_framework.{signature}: decorate a function, not {type(func).__name__}")
    SIGNATURES[func.__name__] = signature
    return func


def signature_of(name):
    """The registered signature of the function called name, or None."""
    return SIGNATURES.get(name)


def add_error_handler(key, handler):
    ERROR_HANDLERS.append((key, handler))


def error_handler_for(exc):
    """The handler registered for exc's class (nearest in its MRO) or HTTP code, or None."""
    for cls in type(exc).__mro__:
        for key, handler in ERROR_HANDLERS:
            if key is cls:
                return handler
    code = getattr(exc, "code", None)
    for key, handler in ERROR_HANDLERS:
        if isinstance(key, int) and key == code:
            return handler
    return None


def clear():
    SIGNATURES.clear()
    INPUT_TYPES.clear()
    del ERROR_HANDLERS[:]
