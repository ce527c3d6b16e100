"""``memstats`` under client_golang's names: ``go_memstats_*`` and ``go_gc_duration_seconds``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from expvar.prometheus import Family, Sample, counter, gauge

# Divided, not multiplied by 1e-9: the nearest float to the exact number of seconds.
NS_PER_S = 1e9
QUANTILES = (0.0, 0.25, 0.5, 0.75, 1.0)

# MemStats key, client_golang's name and help; a name ending in _total is a counter.
FIGURES = (
    ("Alloc", "go_memstats_alloc_bytes", "Number of bytes allocated and still in use."),
    ("TotalAlloc", "go_memstats_alloc_bytes_total", "Total number of bytes allocated."),
    ("Sys", "go_memstats_sys_bytes", "Number of bytes obtained from system."),
    ("Lookups", "go_memstats_lookups_total", "Total number of pointer lookups."),
    ("Mallocs", "go_memstats_mallocs_total", "Total number of mallocs."),
    ("Frees", "go_memstats_frees_total", "Total number of frees."),
    ("HeapAlloc", "go_memstats_heap_alloc_bytes", "Heap bytes allocated and still in use."),
    ("HeapSys", "go_memstats_heap_sys_bytes", "Heap bytes obtained from system."),
    ("HeapIdle", "go_memstats_heap_idle_bytes", "Heap bytes waiting to be used."),
    ("HeapInuse", "go_memstats_heap_inuse_bytes", "Heap bytes that are in use."),
    ("HeapReleased", "go_memstats_heap_released_bytes", "Heap bytes released to the OS."),
    ("HeapObjects", "go_memstats_heap_objects", "Number of allocated objects."),
    ("StackInuse", "go_memstats_stack_inuse_bytes", "Bytes in use by the stack allocator."),
    ("StackSys", "go_memstats_stack_sys_bytes", "Bytes obtained from system for stack allocator."),
    ("MSpanInuse", "go_memstats_mspan_inuse_bytes", "Bytes in use by mspan structures."),
    ("MSpanSys", "go_memstats_mspan_sys_bytes", "Bytes used for mspan structures from system."),
    ("MCacheInuse", "go_memstats_mcache_inuse_bytes", "Bytes in use by mcache structures."),
    ("MCacheSys", "go_memstats_mcache_sys_bytes", "Bytes used for mcache structures from system."),
    ("BuckHashSys", "go_memstats_buck_hash_sys_bytes", "Bytes used by the profiling hash table."),
    ("GCSys", "go_memstats_gc_sys_bytes", "Bytes used for garbage collection metadata."),
    ("OtherSys", "go_memstats_other_sys_bytes", "Bytes used for other system allocations."),
    ("NextGC", "go_memstats_next_gc_bytes", "Heap bytes when next garbage collection happens."),
    ("GCCPUFraction", "go_memstats_gc_cpu_fraction", "CPU fraction used by GC since start."),
)


def memstats_families(value: dict[str, Any]) -> Iterator[Family]:
    """Yield client_golang's memstats families and the GC pause summary."""
    for key, name, help_text in FIGURES:
        figure = value.get(key)
        if isinstance(figure, (int, float)) and not isinstance(figure, bool):
            make = counter if name.endswith("_total") else gauge
            yield make(name, help_text, figure)
    last_gc = value.get("LastGC")
    if isinstance(last_gc, int):
        help_text = "Seconds since 1970 of last garbage collection."
        yield gauge("go_memstats_last_gc_time_seconds", help_text, last_gc / NS_PER_S)
    ring, num_gc, total = value.get("PauseNs"), value.get("NumGC"), value.get("PauseTotalNs")
    if not (isinstance(ring, list) and isinstance(num_gc, int) and isinstance(total, int)):
        return
    # The ring's first min(NumGC, 256) entries are the latest pauses; client_golang's quantiles
    # are taken over the same recent pauses, while _sum and _count cover every collection.
    recent = sorted(ns for ns in ring[:num_gc] if isinstance(ns, int))
    samples = [
        Sample("", (("quantile", repr(q)),), _quantile(recent, q) / NS_PER_S) for q in QUANTILES
    ]
    samples += [Sample("_sum", (), total / NS_PER_S), Sample("_count", (), num_gc)]
    help_text = "A summary of the pause duration of garbage collection cycles."
    yield Family("go_gc_duration_seconds", "summary", help_text, tuple(samples))


def _quantile(ordered: list[int], q: float) -> float:
    # Nearest rank, as the minimum, quartiles and maximum of the observed pauses.
    if not ordered:
        return float("nan")
    return float(ordered[round(q * (len(ordered) - 1))])
