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

SLOTS = 256


@dataclasses.dataclass(frozen=True)
class ProcessRecord(ProcessInfo):
    """A process as its heartbeat last published it."""

    last_seen: float
    pending: int = 0


def ttl_for(interval: float) -> int:
    # Three missed beats before a process is taken for dead; cache timeouts are whole seconds.
    return max(2, math.ceil(interval * 3))


def _keys(prefix: str) -> list[str]:
    return [f"{prefix}proc:{slot}" for slot in range(SLOTS)]


def _record(text: Any) -> ProcessRecord | None:
    try:
        record = ProcessRecord(**json.loads(text))
    except (ValueError, TypeError):  # not JSON, not a dict, or fields missing or unknown
        return None
    return record if isinstance(record.last_seen, (int, float)) else None


def beat(
    backend: BaseCache, prefix: str, me: ProcessInfo, pending: int, slot: int | None, ttl: int
) -> int | None:
    """Publish this process's record; return the slot it holds (None if all are taken)."""
    text = json.dumps({**dataclasses.asdict(me), "last_seen": time.time(), "pending": pending})
    keys = _keys(prefix)
    if slot is not None:
        holder = _record(backend.get(keys[slot]))
        # Ours: refresh it. Expired: take it back with add(), which fails if another process
        # has just taken it. Taken by another process after ours expired: move.
        if holder is not None and holder.id == me.id:
            backend.set(keys[slot], text, timeout=ttl)
            return slot
        if holder is None and backend.add(keys[slot], text, timeout=ttl):
            return slot
    taken = backend.get_many(keys)
    for offset in range(SLOTS):
        candidate = (me.pid + offset) % SLOTS
        if keys[candidate] not in taken and backend.add(keys[candidate], text, timeout=ttl):
            return candidate
    return None


def release(backend: BaseCache, prefix: str, me: ProcessInfo, slot: int) -> None:
    key = _keys(prefix)[slot]
    holder = _record(backend.get(key))
    if holder is not None and holder.id == me.id:
        backend.delete(key)


def alive(backend: BaseCache, prefix: str, ttl: int) -> list[ProcessRecord]:
    now = time.time()
    records = [_record(text) for text in backend.get_many(_keys(prefix)).values()]
    return sorted(
        (r for r in records if r is not None and now - r.last_seen <= ttl),
        key=lambda r: (r.host, r.pid),
    )
