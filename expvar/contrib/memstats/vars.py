from __future__ import annotations

import gc
import sys
from typing import Any

import expvar
from expvar.contrib.memstats.figures import Cumulative, read_resident
from expvar.contrib.memstats.gcwatch import watch
from expvar.contrib.memstats.sizeclasses import by_size

UINT32 = 1 << 32

_blocks = Cumulative()
_heap_bytes = Cumulative()


class MemStats(expvar.ExpVar):
    name = "memstats"
    never_blocks = True

    def value(self) -> dict[str, Any]:
        resident = read_resident()
        heap = resident.anonymous
        objects = sys.getallocatedblocks()
        mallocs, frees = _blocks.observe(objects)
        total_alloc, _ = _heap_bytes.observe(heap)
        gcs = watch.snapshot()
        # Go's key order; see docs/contrib/memstats.md for each field's source.
        return {
            "Alloc": heap,
            "TotalAlloc": total_alloc,
            "Sys": resident.total,
            "Lookups": 0,
            "Mallocs": mallocs,
            "Frees": frees,
            "HeapAlloc": heap,
            "HeapSys": heap,
            "HeapIdle": 0,
            "HeapInuse": heap,
            "HeapReleased": 0,
            "HeapObjects": objects,
            "StackInuse": 0,
            "StackSys": 0,
            "MSpanInuse": 0,
            "MSpanSys": 0,
            "MCacheInuse": 0,
            "MCacheSys": 0,
            "BuckHashSys": 0,
            "GCSys": 0,
            "OtherSys": resident.file_backed,
            "NextGC": 0,
            "LastGC": gcs.last_gc_ns,
            "PauseTotalNs": gcs.pause_total_ns,
            "PauseNs": gcs.pause_ns,
            "PauseEnd": gcs.pause_end_ns,
            # Go's NumGC is a uint32; wrapping keeps NumGC % 256 pointing into the ring.
            "NumGC": gcs.num_gc % UINT32,
            # gc.callbacks cannot tell gc.collect() from an automatic collection.
            "NumForcedGC": 0,
            "GCCPUFraction": gcs.cpu_fraction,
            "EnableGC": gc.isenabled(),
            "DebugGC": bool(gc.get_debug()),
            "BySize": by_size(),
        }
