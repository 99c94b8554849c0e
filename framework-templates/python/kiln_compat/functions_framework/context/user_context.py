"""OpenFunction's UserContext (ofn-functions-framework), served by Kiln."""

from kiln_functions_framework._ofn import BindingRequest, TopicEvent, UserContext  # noqa: F401

__all__ = ["UserContext"]
