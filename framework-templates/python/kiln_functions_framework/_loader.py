"""Loads the user's module from a file and picks the target function."""

import importlib.util
import inspect
import os
import sys


def load_module(source):
    """Imports source (a .py file path) as module "main" and returns it."""
    path = os.path.abspath(source)
    directory = os.path.dirname(path)
    if directory not in sys.path:
        sys.path.insert(0, directory)  # the function's own modules import as usual
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None:
        raise ImportError(f"{source} is not a Python source file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def exported_functions(module):
    """Top-level functions defined in module (not imported ones), sorted."""
    return sorted(
        n for n, v in vars(module).items()
        if inspect.isfunction(v) and not n.startswith("_") and v.__module__ == module.__name__
    )


def load_function(source, target):
    module = load_module(source)
    fn = getattr(module, target or "", None)
    if callable(fn):
        return fn
    names = exported_functions(module)
    listing = f"functions it defines: {', '.join(names)}" if names else "it defines no functions"
    raise AttributeError(f"FUNCTION_TARGET={target or '(unset)'}: {source} has no function {target!r}; {listing}")
