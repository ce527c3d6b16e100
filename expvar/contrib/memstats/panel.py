"""The dashboard's "Runtime" card: memstats over time, plugged in as any app's panel would be."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest

from expvar.resolution import Resolution

TEMPLATE = "expvar_memstats/panel.html"
SCRIPT = "expvar_memstats/runtime.js"
CHARTS = (("alloc", "Alloc"), ("sys", "Sys"), ("heapInuse", "HeapInuse"), ("pauses", "GC pauses"))
# Go's MemStats.PauseNs is a ring of the last 256 pauses; the card charts the newest of them.
PAUSES = 64


def context(request: HttpRequest, resolution: Resolution) -> dict[str, Any] | None:
    """Return what the card charts of the published memstats, or None if there is none."""
    text = resolution.published.get("memstats")
    stats = None if text is None else json.loads(text)
    if not isinstance(stats, dict):
        return None
    gcs, ring = stats.get("NumGC"), stats.get("PauseNs")
    gcs = gcs if type(gcs) is int else None
    pauses: list[int | float] = []
    if gcs and isinstance(ring, list) and ring:
        recent = [ring[i % len(ring)] for i in range(gcs - min(gcs, len(ring), PAUSES), gcs)]
        pauses = [pause for pause in recent if _number(pause) is not None]
    sample = {key: _number(stats.get(field)) for key, field in CHARTS if key != "pauses"}
    return {"sample": json.dumps({**sample, "numGC": gcs, "pauses": pauses}), "charts": CHARTS}


def _number(value: Any) -> int | float | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
