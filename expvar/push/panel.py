"""The dashboard's "Processes" panel: the store's health and every live process."""

from __future__ import annotations

import datetime
import time
from typing import Any

from django.http import HttpRequest

from expvar.process import this_process
from expvar.push.heartbeat import ProcessRecord
from expvar.push.stores import StoreUnavailable, current
from expvar.resolution import Resolution

TEMPLATE = "expvar/panels/processes.html"


def context(request: HttpRequest, resolution: Resolution) -> dict[str, Any]:
    store, me, now = current(), this_process(), time.time()
    try:
        records, error = store.processes(), ""
    except StoreUnavailable as exc:
        records, error = [], str(exc)
    if not any(record.id == me.id for record in records):
        # Not published yet (first beat pending, heartbeat off, or the store is away).
        records.append(ProcessRecord(me.id, me.host, me.pid, me.started, now))
    status = store.status()
    return {
        "store": {**vars(status), "down_since_at": _datetime(status.down_since)},
        "store_error": error,
        "processes": [
            {
                "record": record,
                "current": record.id == me.id,
                "started_at": _datetime(record.started),
                "seen_ago": max(0.0, now - record.last_seen),
            }
            for record in records
        ],
    }


def _datetime(timestamp: float | None) -> datetime.datetime | None:
    return datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc) if timestamp else None
