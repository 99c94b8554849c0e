"""Triggered by a Dapr cron binding; writes {"tick": N, "at": "<time>"} to a
Kafka topic through the Dapr Kafka output binding "kafka"."""
import datetime
import itertools
import threading

_ticks = itertools.count(1)
_lock = threading.Lock()


def tick(ctx, data):
    with _lock:
        n = next(_ticks)
    ctx.send({"tick": n, "at": datetime.datetime.now(datetime.timezone.utc).isoformat()}, "kafka")
