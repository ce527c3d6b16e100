from __future__ import annotations

import gc
import sys
import tracemalloc
from typing import Any

import expvar
from expvar.contrib.memstats.allocator import read_malloc_free
from expvar.contrib.memstats.figures import Cumulative, read_main_stack, read_resident
from expvar.contrib.memstats.gcwatch import watch
from expvar.contrib.memstats.layout import lay_out
from expvar.contrib.memstats.sizeclasses import by_size

UINT32 = 1 << 32

_blocks = Cumulative()
_heap_bytes = Cumulative()


def objects_until_next_gc() -> int:
    """Net allocations of tracked objects left before the next automatic young collection; 0 when
    none is coming (collector disabled, or a threshold of 0)."""
    threshold = gc.get_threshold()[0]
    if not gc.isenabled() or threshold <= 0:
        return 0
    return max(threshold - gc.get_count()[0], 0)


class MemStats(expvar.ExpVar):
    name = "memstats"
    never_blocks = True

    def value(self) -> dict[str, Any]:
        layout = lay_out(
            read_resident(),
            stack=read_main_stack(),
            profiler=tracemalloc.get_tracemalloc_memory(),
            malloc_free=read_malloc_free(),
        )
        heap = layout.heap_inuse
        objects = sys.getallocatedblocks()
        mallocs, frees = _blocks.observe(objects)
        total_alloc, _ = _heap_bytes.observe(heap)
        gcs = watch.snapshot()
        # Go's key order; see docs/contrib/memstats.md for each field's source.
        return {
            "Alloc": heap,
            "TotalAlloc": total_alloc,
            "Sys": layout.sys,
            "Lookups": 0,
            "Mallocs": mallocs,
            "Frees": frees,
            "HeapAlloc": heap,
            "HeapSys": layout.heap_sys,
            "HeapIdle": layout.heap_idle,
            "HeapInuse": heap,
            "HeapReleased": 0,
            "HeapObjects": objects,
            "StackInuse": layout.stack_sys,
            "StackSys": layout.stack_sys,
            "MSpanInuse": 0,
            "MSpanSys": 0,
            "MCacheInuse": 0,
            "MCacheSys": 0,
            "BuckHashSys": layout.buck_hash_sys,
            "GCSys": 0,
            "OtherSys": layout.other_sys,
            "NextGC": objects_until_next_gc(),
            "LastGC": gcs.last_gc_ns,
            "PauseTotalNs": gcs.pause_total_ns,
            "PauseNs": gcs.pause_ns,
            "PauseEnd": gcs.pause_end_ns,
            # Go's NumGC is a uint32; wrapping keeps NumGC % 256 pointing into the ring.
            "NumGC": gcs.num_gc % UINT32,
            "NumForcedGC": gcs.num_forced_gc % UINT32,
            "GCCPUFraction": gcs.cpu_fraction,
            "EnableGC": gc.isenabled(),
            "DebugGC": bool(gc.get_debug()),
            "BySize": by_size(),
        }


MemStats.prometheus = "expvar.contrib.memstats.prometheus.memstats_families"
