"""CloudEvent functions written the way Google's Cloud Functions
documentation writes them, served unchanged by Kiln."""

import json

import functions_framework
from cloudevents.http import CloudEvent


@functions_framework.cloud_event
def hello_cloud_event(cloud_event: CloudEvent) -> None:
    order = cloud_event.data or {}
    if "id" not in order:
        raise ValueError(f"event {cloud_event['id']} carries no order id")
    print(f"received {cloud_event['type']} event {cloud_event['id']} from {cloud_event['source']}: order {order['id']} with {order['items']} items", flush=True)


@functions_framework.cloud_event
def conformance_cloud_event(cloud_event: CloudEvent) -> None:
    """The conformance protocol's CloudEvent function: the event as structured JSON."""
    event = dict(cloud_event.get_attributes())
    event["data"] = cloud_event.get_data()
    with open("function_output.json", "w") as f:
        json.dump(event, f)
