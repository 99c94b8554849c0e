"""The functions the conformance harness (e2e/conformance) drives: each writes
what it received to function_output.json in its working directory."""

import json
import re
import threading
import time

OUTPUT = "function_output.json"
BARRIER_WAIT = 30.0

_barriers = {}  # id -> {"arrived": n, "left": n}
_cond = threading.Condition()


def _barrier(bid, parties):
    """Waits until parties calls arrived at barrier bid (at most BARRIER_WAIT s); returns how many arrived."""
    with _cond:
        b = _barriers.setdefault(bid, {"arrived": 0, "left": 0})
        b["arrived"] += 1
        _cond.notify_all()
        _cond.wait_for(lambda: b["arrived"] >= parties, BARRIER_WAIT)
        b["left"] += 1
        if b["left"] == b["arrived"]:
            _barriers.pop(bid, None)
        return b["arrived"]


def http(request):
    """Writes the request body to OUTPUT. ?barrier=ID&parties=N waits (at most
    30 s) until N calls with this ID are inside at once and answers how many
    arrived; ?sleep=1.5s sleeps, first writing {"started": id} to OUTPUT when
    &id= is given."""
    if request.args.get("barrier"):
        parties = request.args.get("parties", "")
        if not parties.isdigit() or not 1 <= int(parties) <= 1000:
            return "parties: want 1-1000", 400
        return str(_barrier(request.args["barrier"], int(parties)))
    m = re.fullmatch(r"(\d+(?:\.\d+)?)s", request.args.get("sleep", ""))
    if m:
        if request.args.get("id"):
            with open(OUTPUT, "w") as f:
                json.dump({"started": request.args["id"]}, f)
        time.sleep(float(m.group(1)))
        return ""
    with open(OUTPUT, "wb") as f:
        f.write(request.body)
    return ""


def cloud_event(event):
    """Writes the event, in structured JSON form, to OUTPUT."""
    with open(OUTPUT, "w") as f:
        json.dump(event.to_structured(), f)


def open_function(ctx, data):
    """The OpenFunction signature: answers 200 with what it received."""
    return ctx.out(200, data)
