"""OpenFunction's RuntimeContext (ofn-functions-framework), served by Kiln."""

from kiln_functions_framework._ofn import RuntimeContext  # noqa: F401

__all__ = ["RuntimeContext"]
