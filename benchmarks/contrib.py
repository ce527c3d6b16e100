"""Per-call cost of each contrib variable: ``value()`` plus the endpoint's strict JSON encoding.

Run ``python -m benchmarks.contrib`` from the repository root (``DJANGO_SETTINGS_MODULE`` is
honoured; ``benchmarks.settings`` otherwise). Targets: memstats under 200 µs, all together
under 1 ms.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

from benchmarks.timing import Timing, measure

DEFAULT_SETTINGS_MODULE = "benchmarks.settings"
MEMSTATS_TARGET_US = 200.0
ALL_TARGET_US = 1000.0


def configure() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS_MODULE)
    import django

    django.setup(set_prefix=False)


def variables() -> dict[str, Callable[[], Any]]:
    """Each contrib variable's ``value`` by published name, as the endpoint would read it."""
    from expvar.contrib.cmdline.vars import Cmdline
    from expvar.contrib.memstats.vars import MemStats
    from expvar.contrib.psutil.vars import Cpu, NetIO, Process, SwapMemory, VirtualMemory
    from expvar.contrib.resource import vars as resource_vars

    classes: list[Any] = [Cmdline, Cpu, VirtualMemory, SwapMemory, NetIO, Process, MemStats]
    if hasattr(resource_vars, "Resource"):
        classes.insert(1, resource_vars.Resource)
    return {cls.name: cls().value for cls in classes}


def run() -> list[Timing]:
    """Time each contrib variable, then all of them together, value and encoding included."""
    configure()
    from expvar.conf import get_config
    from expvar.encoding import encode

    max_bytes = get_config().max_value_bytes
    reads = variables()

    def encoded(read: Callable[[], Any]) -> Callable[[], object]:
        return lambda: encode(read(), max_bytes)

    timings = [measure(f"contrib {name}", encoded(read)) for name, read in reads.items()]

    def together() -> None:
        for read in reads.values():
            encode(read(), max_bytes)

    timings.append(measure(f"contrib together ({len(reads)} variables)", together))
    return timings


def main() -> int:
    timings = run()
    for timing in timings:
        print(timing.describe())
    by_label = {t.label: t for t in timings}
    memstats = by_label["contrib memstats"].median_us
    together = timings[-1].median_us
    print(
        f"targets: memstats {memstats:.0f} µs (< {MEMSTATS_TARGET_US:.0f}), "
        f"all {together:.0f} µs (< {ALL_TARGET_US:.0f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
