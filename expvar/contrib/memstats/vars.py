from __future__ import annotations

import gc
import sys
import tracemalloc
from typing import Any, NamedTuple

import expvar
from expvar.contrib.memstats import figures
from expvar.contrib.memstats.gcwatch import watch

UINT32 = 1 << 32
# Go's first 61 malloc size classes, the sizes MemStats.BySize reports.
GO_SIZE_CLASSES: tuple[int, ...] = (
    0, 8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 288, 320,
    352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792,
    2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472,
    9728, 10240, 10880, 12288, 13568, 14336, 16384, 18432,
)  # fmt: skip

_blocks = figures.Cumulative()
_heap_bytes = figures.Cumulative()


class Layout(NamedTuple):
    """Go's ``*Sys`` parts of the resident set, in bytes: none negative, and together ``sys``."""

    heap_sys: int
    heap_idle: int
    stack_sys: int
    buck_hash_sys: int
    other_sys: int

    @property
    def heap_inuse(self) -> int:
        return self.heap_sys - self.heap_idle

    @property
    def sys(self) -> int:
        return self.heap_sys + self.stack_sys + self.buck_hash_sys + self.other_sys


def lay_out(resident: figures.Resident, stack: int, profiler: int, malloc_free: int) -> Layout:
    """Carve the stack and the profiler's tables out of anonymous memory; the heap is the rest."""
    # The sources are read at slightly different moments (and malloc's free chunks need not all
    # be resident), so each part is capped by what is left rather than trusted to fit.
    stack_sys = min(max(stack, 0), resident.anonymous)
    buck_hash_sys = min(max(profiler, 0), resident.anonymous - stack_sys)
    heap_sys = resident.anonymous - stack_sys - buck_hash_sys
    heap_idle = min(max(malloc_free, 0), heap_sys)
    return Layout(heap_sys, heap_idle, stack_sys, buck_hash_sys, resident.file_backed)


class MemStats(expvar.ExpVar):
    name = "memstats"
    prometheus = "expvar.contrib.memstats.prometheus.memstats_families"

    def value(self) -> dict[str, Any]:
        layout = lay_out(
            figures.read_resident(),
            stack=figures.read_main_stack(),
            profiler=tracemalloc.get_tracemalloc_memory(),
            malloc_free=figures.read_malloc_free(),
        )
        heap = layout.heap_inuse
        objects = sys.getallocatedblocks()
        mallocs, frees = _blocks.observe(objects)
        total_alloc, _ = _heap_bytes.observe(heap)
        gcs = watch.snapshot()
        # Net allocations of tracked objects left before the next automatic young collection; 0
        # when none is coming (collector disabled, or a threshold of 0).
        threshold = gc.get_threshold()[0]
        next_gc = max(threshold - gc.get_count()[0], 0) if gc.isenabled() and threshold > 0 else 0
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
            "NextGC": next_gc,
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
            # Python keeps no per-size allocation counters, so every class reports zero.
            "BySize": [{"Size": size, "Mallocs": 0, "Frees": 0} for size in GO_SIZE_CLASSES],
        }
