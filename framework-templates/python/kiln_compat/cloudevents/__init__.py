"""The CloudEvents SDK's Python surface that functions use, carried by Kiln
(cloudevents.http.CloudEvent and its conversions). A real cloudevents the
app installs comes first on sys.path and is used instead."""

__version__ = "1.11.0"
