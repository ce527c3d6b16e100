"""``process`` under the names of prometheus_client's process collector."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from expvar.prometheus import Family, counter, gauge


def process_families(value: dict[str, Any]) -> Iterator[Family]:
    """Yield the process_* families of this process's figures."""
    if "cpu_user" in value and "cpu_system" in value:
        cpu = value["cpu_user"] + value["cpu_system"]
        help_text = "Total user and system CPU time spent in seconds."
        yield counter("process_cpu_seconds_total", help_text, cpu)
    if "rss" in value:
        yield gauge("process_resident_memory_bytes", "Resident memory size in bytes.", value["rss"])
    if "vms" in value:
        yield gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", value["vms"])
    if "fds" in value:
        yield gauge("process_open_fds", "Number of open file descriptors.", value["fds"])
    if "create_time" in value:
        yield gauge(
            "process_start_time_seconds",
            "Start time of the process since unix epoch in seconds.",
            value["create_time"],
        )
    if "threads" in value:
        yield gauge("process_threads", "Number of OS threads in the process.", value["threads"])
