"""Each process's heartbeat in a shared store, and the list of processes alive.

The cache API cannot list keys, so processes take one of a fixed number of slots with ``add``
(atomic: one owner per slot) and refresh it with a TTL; listing is one ``get_many`` of all slots.
A process that stops beating vanishes when its TTL runs out; one that exits cleanly frees its slot.
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
from typing import Any

from django.core.cache.backends.base import BaseCache

from expvar.process import ProcessInfo
from expvar.push.stores.base import ProcessRecord

SLOTS = 256


def ttl_for(interval: float) -> int:
    # Three missed beats before a process is taken for dead; cache timeouts are whole seconds.
    return max(2, math.ceil(interval * 3))


def _keys(prefix: str) -> list[str]:
    return [f"{prefix}proc:{slot}" for slot in range(SLOTS)]


def _record(text: Any) -> ProcessRecord | None:
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
    except (ValueError, KeyError, TypeError):
        return None


def beat(
    backend: BaseCache,
    prefix: str,
    me: ProcessInfo,
    pending: int,
    slot: int | None,
    ttl: int,
) -> int | None:
    """Publish this process's record; return the slot it holds (None if all are taken)."""
    text = json.dumps({**dataclasses.asdict(me), "last_seen": time.time(), "pending": pending})
    keys = _keys(prefix)
    if slot is not None:
        current = _record(backend.get(keys[slot]))
        # Ours: refresh it. Expired: take it back with add(), which fails if another process
        # has just taken it. Taken by another process after ours expired: move.
        if current is not None and current.id == me.id:
            backend.set(keys[slot], text, timeout=ttl)
            return slot
        if current is None and backend.add(keys[slot], text, timeout=ttl):
            return slot
    taken = backend.get_many(keys)
    start = me.pid % SLOTS
    for offset in range(SLOTS):
        candidate = (start + offset) % SLOTS
        if keys[candidate] not in taken and backend.add(keys[candidate], text, timeout=ttl):
            return candidate
    return None


def release(backend: BaseCache, prefix: str, me: ProcessInfo, slot: int) -> None:
    key = _keys(prefix)[slot]
    current = _record(backend.get(key))
    if current is not None and current.id == me.id:
        backend.delete(key)


def alive(backend: BaseCache, prefix: str, ttl: int) -> list[ProcessRecord]:
    now = time.time()
    records = [_record(text) for text in backend.get_many(_keys(prefix)).values()]
    return sorted(
        (r for r in records if r is not None and now - r.last_seen <= ttl),
        key=lambda r: (r.host, r.pid),
    )
