"""cloudevents.http.event.CloudEvent (Kiln's stand-in)."""

from kiln_functions_framework._cloudevents import CloudEvent  # noqa: F401

__all__ = ["CloudEvent"]
