"""The functions the conformance harness (e2e/conformance) drives: each writes
what it received to function_output.json in its working directory."""

import json
import re
import time

OUTPUT = "function_output.json"


def http(request):
    """Writes the request body to OUTPUT, after sleeping ?sleep= (e.g. 1s)."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)s", request.args.get("sleep", ""))
    if m:
        time.sleep(float(m.group(1)))
        return ""
    with open(OUTPUT, "wb") as f:
        f.write(request.body)
    return ""


def cloud_event(event):
    """Writes the event, in structured JSON form, to OUTPUT."""
    with open(OUTPUT, "w") as f:
        json.dump(event.to_structured(), f)
