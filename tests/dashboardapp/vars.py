from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from typing import Any

import expvar


class Ticker(expvar.ExpVar):
    """A number that grows on every read, so a refresh always changes it."""

    name = "ticker"

    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def value(self) -> int:
        return next(self._counter)


class Stats(expvar.ExpVar):
    """A dict whose numeric leaves move on every read."""

    name = "stats"

    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def value(self) -> dict[str, Any]:
        tick = next(self._counter)
        return {"requests": tick * 3, "latency": {"p50": 0.5 + tick, "p99": 9.5}, "mode": "live"}


class Routes(expvar.ExpVar):
    """Keys holding the characters monitors split their paths on."""

    name = "routes"

    def value(self) -> dict[str, int]:
        return {"api.v1/users": 7}


class Catalog(expvar.ExpVar):
    """A value long enough to start collapsed."""

    name = "catalog"

    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def value(self) -> dict[str, Any]:
        tick = next(self._counter)
        return {f"item{index:02d}": index * tick for index in range(20)}


class Hostile(expvar.ExpVar):
    """A name and a value that would run script if either reached the page unescaped."""

    name = '<script>window.__expvarXss = "name"</script>'

    def value(self) -> dict[str, str]:
        return {
            "<img src=x onerror=\"window.__expvarXss='key'\">": (
                "<script>window.__expvarXss = 'value'</script>"
            ),
            "img": "<img src=x onerror=\"window.__expvarXss = 'leaf'\">",
        }


class Failing(expvar.ExpVar):
    name = "failing"

    def value(self) -> int:
        raise ValueError("<b>boom</b> & <script>window.__expvarXss = 'traceback'</script>")


class Memstats(expvar.ExpVar):
    """Enough of Go's MemStats shape for the runtime card."""

    name = "memstats"

    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def value(self) -> dict[str, Any]:
        gc = next(self._counter)
        ring = [0] * 256
        for number in range(gc):
            ring[number % 256] = 1000 * (number + 1)
        return {
            "Alloc": 4_000_000 + gc * 65_536,
            "Sys": 16_000_000 + gc * 4096,
            "HeapInuse": 6_000_000 + gc * 32_768,
            "PauseNs": ring,
            "NumGC": gc,
        }


class Durations(expvar.ExpVar):
    """A number whose name says it counts nanoseconds."""

    name = "gc_pause_ns"

    def value(self) -> int:
        return 1_500_000


class PricedInventory(expvar.ExpVar):
    """Merges into the test apps' ``inventory`` with values JSON holds only converted."""

    name = "inventory"

    def value(self) -> dict[str, Any]:
        return {"price": Decimal("3.5"), "since": datetime.date(2026, 1, 2), "widgets": {"x"}}
