from __future__ import annotations

import gc
import sys
import time
import tracemalloc
from typing import Any

import expvar
from expvar.contrib.memstats import figures
from expvar.contrib.memstats.gcwatch import RING_SIZE, watch

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


class MemStats(expvar.ExpVar):
    name = "memstats"
    prometheus = "expvar.contrib.memstats.prometheus.memstats_families"

    def value(self) -> dict[str, Any]:
        resident, shared, stack = figures.read_status()
        # Go's *Sys parts of the resident set, carved out in turn. The sources are read moments
        # apart (and malloc's free chunks need not be resident), so each part is capped by what
        # is left rather than trusted to fit: none is negative, and together they are Sys.
        other_sys = min(shared, resident)
        anonymous = resident - other_sys
        stack_sys = min(stack, anonymous)
        buck_hash_sys = min(tracemalloc.get_tracemalloc_memory(), anonymous - stack_sys)
        heap_sys = anonymous - stack_sys - buck_hash_sys
        heap_idle = min(figures.malloc_free(), heap_sys)
        heap = heap_sys - heap_idle
        objects = sys.getallocatedblocks()
        mallocs, frees = _blocks.observe(objects)
        total_alloc, _ = _heap_bytes.observe(heap)
        gcs = watch.figures
        since_install = time.perf_counter_ns() - watch.installed_at
        # Net allocations of tracked objects left before the next automatic young collection; 0
        # when none is coming (collector disabled, or a threshold of 0).
        threshold = gc.get_threshold()[0]
        next_gc = max(threshold - gc.get_count()[0], 0) if gc.isenabled() and threshold > 0 else 0
        # Go's key order; see docs/contrib/memstats.md for each field's source.
        return {
            "Alloc": heap,
            "TotalAlloc": total_alloc,
            "Sys": resident,
            "Lookups": 0,
            "Mallocs": mallocs,
            "Frees": frees,
            "HeapAlloc": heap,
            "HeapSys": heap_sys,
            "HeapIdle": heap_idle,
            "HeapInuse": heap,
            "HeapReleased": 0,
            "HeapObjects": objects,
            "StackInuse": stack_sys,
            "StackSys": stack_sys,
            "MSpanInuse": 0,
            "MSpanSys": 0,
            "MCacheInuse": 0,
            "MCacheSys": 0,
            "BuckHashSys": buck_hash_sys,
            "GCSys": 0,
            "OtherSys": other_sys,
            "NextGC": next_gc,
            "LastGC": gcs.pause_end_ns[(gcs.num_gc - 1) % RING_SIZE] if gcs.num_gc else 0,
            "PauseTotalNs": gcs.pause_total_ns,
            "PauseNs": gcs.pause_ns.copy(),
            "PauseEnd": gcs.pause_end_ns.copy(),
            # Go's NumGC is a uint32; wrapping keeps NumGC % 256 pointing into the ring.
            "NumGC": gcs.num_gc % UINT32,
            "NumForcedGC": gcs.num_forced_gc % UINT32,
            # The share of the time since start-up spent in collections; a collection counted
            # means the watch was installed before it.
            "GCCPUFraction": min(gcs.pause_total_ns / since_install, 1.0) if gcs.num_gc else 0.0,
            "EnableGC": gc.isenabled(),
            "DebugGC": bool(gc.get_debug()),
            # Python keeps no per-size allocation counters, so every class reports zero.
            "BySize": [{"Size": size, "Mallocs": 0, "Frees": 0} for size in GO_SIZE_CLASSES],
        }
