"""The cluster view: each process's heartbeat in a shared store, and the dashboard's Processes
panel, which lists the live processes and the store's health.

The cache API cannot list keys, so processes take one of a fixed number of slots with ``add``
(atomic: one owner per slot) and refresh it with a TTL; listing is one ``get_many`` of all slots.
A process that stops beating vanishes when its TTL runs out; one that exits cleanly frees its slot.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import math
import time
from typing import TYPE_CHECKING, Any

from expvar.process import ProcessInfo, this_process
from expvar.push.stores import StoreUnavailable, current

if TYPE_CHECKING:
    from django.core.cache.backends.base import BaseCache
    from django.http import HttpRequest

    from expvar.resolution import Resolution

SLOTS = 256
TEMPLATE = "expvar/panels/processes.html"


@dataclasses.dataclass(frozen=True)
class ProcessRecord(ProcessInfo):
    """A process as its heartbeat last published it."""

    last_seen: float
    pending: int = 0


class Heartbeat:
    """One process's slot among a shared store's, and the list of the processes alive."""

    def __init__(self, prefix: str, interval: float) -> None:
        self.keys = [f"{prefix}proc:{slot}" for slot in range(SLOTS)]
        # Three missed beats before a process is taken for dead; cache timeouts are whole seconds.
        self.ttl = max(2, math.ceil(interval * 3))
        self.slot: int | None = None  # None: none taken yet, or all were taken

    def beat(self, backend: BaseCache, me: ProcessInfo, pending: int) -> None:
        """Publish ``me``'s record in its slot, taking one first if it has none."""
        text = json.dumps({**dataclasses.asdict(me), "last_seen": time.time(), "pending": pending})
        if self.slot is not None:
            key = self.keys[self.slot]
            holder = _record(backend.get(key))
            # Ours: refresh it. Expired: take it back with add(), which fails if another process
            # has just taken it. Taken by another process after ours expired: move.
            if holder is not None and holder.id == me.id:
                backend.set(key, text, timeout=self.ttl)
                return
            if holder is None and backend.add(key, text, timeout=self.ttl):
                return
        taken = backend.get_many(self.keys)
        self.slot = None
        for offset in range(SLOTS):
            slot = (me.pid + offset) % SLOTS
            key = self.keys[slot]
            if key not in taken and backend.add(key, text, timeout=self.ttl):
                self.slot = slot
                return

    def release(self, backend: BaseCache, me: ProcessInfo) -> None:
        """Free ``me``'s slot, unless another process holds it by now."""
        slot, self.slot = self.slot, None
        if slot is not None:
            holder = _record(backend.get(self.keys[slot]))
            if holder is not None and holder.id == me.id:
                backend.delete(self.keys[slot])

    def alive(self, backend: BaseCache) -> list[ProcessRecord]:
        """Return the processes whose last beat is within the TTL, by host and pid."""
        now = time.time()
        records = [_record(text) for text in backend.get_many(self.keys).values()]
        return sorted(
            (r for r in records if r is not None and now - r.last_seen <= self.ttl),
            key=lambda r: (r.host, r.pid),
        )


def _record(text: Any) -> ProcessRecord | None:
    # Field by field: a record written by another version may have more fields, or other types.
    try:
        data = json.loads(text)
        return ProcessRecord(
            id=str(data["id"]),
            host=str(data["host"]),
            pid=int(data["pid"]),
            started=float(data["started"]),
            last_seen=float(data["last_seen"]),
            pending=int(data.get("pending", 0)),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def context(request: HttpRequest, resolution: Resolution) -> dict[str, Any]:
    """Return the Processes panel's context: the store's status and every live process."""
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
