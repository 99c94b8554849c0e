"""OpenFunction's FunctionOut (ofn-functions-framework)."""

from kiln_functions_framework._ofn import FunctionOut  # noqa: F401

__all__ = ["FunctionOut"]
