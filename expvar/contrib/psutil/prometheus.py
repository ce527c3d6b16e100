"""``process`` under the names of prometheus_client's process collector."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from expvar.prometheus import Family, counter, gauge

GAUGES = (
    ("rss", "process_resident_memory_bytes", "Resident memory size in bytes."),
    ("vms", "process_virtual_memory_bytes", "Virtual memory size in bytes."),
    ("fds", "process_open_fds", "Number of open file descriptors."),
    ("create_time", "process_start_time_seconds",
     "Start time of the process since unix epoch in seconds."),
    ("threads", "process_threads", "Number of OS threads in the process."),
)  # fmt: skip


def process_families(value: dict[str, Any]) -> Iterator[Family]:
    """Yield the process_* families of this process's figures."""
    if "cpu_user" in value and "cpu_system" in value:
        cpu = value["cpu_user"] + value["cpu_system"]
        help_text = "Total user and system CPU time spent in seconds."
        yield counter("process_cpu_seconds_total", help_text, cpu)
    for key, name, help_text in GAUGES:
        if key in value:
            yield gauge(name, help_text, value[key])
