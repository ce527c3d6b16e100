"""The dashboard's "Runtime" card: memstats over time, plugged in as any app's panel would be."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest

from expvar.resolution import Resolution

NAME = "memstats"
TEMPLATE = "expvar_memstats/panel.html"
SCRIPT = "expvar_memstats/runtime.js"
CHARTS = (("alloc", "Alloc"), ("sys", "Sys"), ("heapInuse", "HeapInuse"), ("pauses", "GC pauses"))
# Go's MemStats.PauseNs is a ring of the last 256 pauses; the card charts the newest of them.
PAUSES = 64


def register() -> None:
    from expvar.dashboard.panels import register_panel

    register_panel(TEMPLATE, context, scripts=[SCRIPT])


def context(request: HttpRequest, resolution: Resolution) -> dict[str, Any] | None:
    sample = runtime_sample(resolution.published.get(NAME))
    return None if sample is None else {"sample": json.dumps(sample), "charts": CHARTS}


def runtime_sample(text: str | None) -> dict[str, Any] | None:
    """Return what the card charts of one published memstats value, or None if there is none."""
    if text is None:
        return None
    stats = json.loads(text)
    if not isinstance(stats, dict):
        return None
    num_gc = _number(stats.get("NumGC"))
    gcs = int(num_gc) if isinstance(num_gc, int) else None
    ring = stats.get("PauseNs")
    pauses: list[int | float] = []
    if gcs and isinstance(ring, list) and ring:
        count = min(gcs, len(ring), PAUSES)
        newest = gcs - 1
        recent = [ring[(newest - back) % len(ring)] for back in reversed(range(count))]
        pauses = [pause for pause in recent if _number(pause) is not None]
    return {
        "alloc": _number(stats.get("Alloc")),
        "sys": _number(stats.get("Sys")),
        "heapInuse": _number(stats.get("HeapInuse")),
        "numGC": gcs,
        "pauses": pauses,
    }


def _number(value: Any) -> int | float | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
