from __future__ import annotations

import gc
import itertools
import os
import sys
import time
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest

from expvar.contrib.memstats.gcwatch import watch
from expvar.contrib.memstats.vars import MemStats
from tests.contrib.gotypes import go_type_errors
from tests.contrib.test_memstats_sources import has_mallinfo2

SYS_PARTS = ["HeapSys", "StackSys", "MSpanSys", "MCacheSys", "BuckHashSys", "GCSys", "OtherSys"]


def value() -> dict[str, Any]:
    result: dict[str, Any] = MemStats().value()
    return result


@pytest.fixture
def gc_disabled() -> Iterator[None]:
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.fixture
def gc_debug() -> Iterator[None]:
    gc.set_debug(gc.DEBUG_UNCOLLECTABLE)
    try:
        yield
    finally:
        gc.set_debug(0)


def test_keys_are_gos_in_gos_order(reference: dict[str, Any]) -> None:
    assert list(value()) == list(reference["memstats"])


def test_types_are_gos() -> None:
    assert go_type_errors(value()) == []


def test_type_checker_accepts_gos_own_body(reference: dict[str, Any]) -> None:
    assert go_type_errors(reference["memstats"]) == []


def test_by_size_sizes_are_gos(reference: dict[str, Any]) -> None:
    assert [c["Size"] for c in value()["BySize"]] == [
        c["Size"] for c in reference["memstats"]["BySize"]
    ]


def test_alloc_is_heap_alloc() -> None:
    stats = value()
    assert stats["Alloc"] == stats["HeapAlloc"]


def test_heap_objects_is_mallocs_minus_frees() -> None:
    stats = value()
    assert stats["HeapObjects"] == stats["Mallocs"] - stats["Frees"]


def test_sys_is_the_sum_of_its_parts() -> None:
    stats = value()
    assert stats["Sys"] == sum(stats[part] for part in SYS_PARTS)


def test_heap_idle_is_heap_sys_minus_heap_inuse() -> None:
    stats = value()
    assert stats["HeapIdle"] == stats["HeapSys"] - stats["HeapInuse"]


def test_total_alloc_covers_alloc() -> None:
    stats = value()
    assert stats["TotalAlloc"] >= stats["Alloc"]


def test_sys_is_resident_memory_in_use() -> None:
    assert value()["Sys"] > 0


def test_totals_never_decrease() -> None:
    totals = ["TotalAlloc", "Mallocs", "Frees", "PauseTotalNs", "NumGC", "NumForcedGC"]
    reads = []
    for _ in range(5):
        garbage = [object() for _ in range(20_000)]
        reads.append(value())
        del garbage
        reads.append(value())
    pairs = itertools.pairwise(reads)
    assert all(later[t] >= earlier[t] for earlier, later in pairs for t in totals)


def test_frees_grow_when_objects_go() -> None:
    value()
    garbage = [object() for _ in range(100_000)]
    grown = value()
    del garbage
    shrunk = value()
    assert shrunk["Frees"] >= grown["Frees"] + 50_000
    assert shrunk["Mallocs"] >= grown["Mallocs"]


def test_latest_pause_end_is_last_gc() -> None:
    gc.collect()
    stats = value()
    assert stats["PauseEnd"][(stats["NumGC"] + 255) % 256] == stats["LastGC"]


def test_collection_moves_num_gc_and_pause_total() -> None:
    before = value()
    gc.collect()
    after = value()
    assert after["NumGC"] > before["NumGC"]
    assert after["PauseTotalNs"] > before["PauseTotalNs"]


def test_last_gc_is_nanoseconds_since_the_epoch() -> None:
    start = time.time_ns()
    gc.collect()
    assert start <= value()["LastGC"] <= time.time_ns()


def test_cpu_fraction_is_a_fraction() -> None:
    gc.collect()
    assert 0.0 < value()["GCCPUFraction"] <= 1.0


@pytest.mark.usefixtures("gc_disabled")
def test_enable_gc_follows_gc_isenabled() -> None:
    assert value()["EnableGC"] is False


@pytest.mark.usefixtures("gc_debug")
def test_debug_gc_follows_gc_get_debug() -> None:
    assert value()["DebugGC"] is True


def test_num_gc_wraps_as_a_uint32(monkeypatch: pytest.MonkeyPatch) -> None:
    # 2**32 collections take weeks; these are the figures they would leave.
    ring = [0] * 256
    ring[4] = 99
    figures = watch.figures._replace(num_gc=2**32 + 5, pause_ns=ring)
    monkeypatch.setattr(watch, "figures", figures)
    stats = value()
    assert (stats["NumGC"], stats["PauseNs"][(stats["NumGC"] + 255) % 256]) == (5, 99)


@pytest.mark.skipif(not has_mallinfo2(), reason="needs glibc 2.33 or later")
def test_heap_idle_is_mallocs_free_memory() -> None:
    # malloc always holds some free memory: at least the top of its main arena.
    assert value()["HeapIdle"] > 0


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs Linux procfs")
def test_stack_in_use_is_the_main_threads_stack() -> None:
    stats = value()
    assert stats["StackInuse"] == stats["StackSys"] > 0


def test_buck_hash_sys_grows_while_tracemalloc_traces() -> None:
    idle = value()["BuckHashSys"]
    tracemalloc.start()
    try:
        kept = [bytearray(64) for _ in range(10_000)]
        tracing = value()["BuckHashSys"]
    finally:
        tracemalloc.stop()
    del kept
    assert tracing > idle


def test_next_gc_counts_down_the_young_generations_allocations() -> None:
    gc.collect()
    assert 0 < value()["NextGC"] <= gc.get_threshold()[0]


@pytest.mark.usefixtures("gc_disabled")
def test_next_gc_is_zero_with_the_collector_off() -> None:
    assert value()["NextGC"] == 0


def test_gc_collect_counts_as_forced() -> None:
    before = value()["NumForcedGC"]
    gc.collect()
    assert value()["NumForcedGC"] == before + 1


def test_a_young_collection_is_not_forced() -> None:
    before = value()["NumForcedGC"]
    gc.collect(0)
    assert value()["NumForcedGC"] == before


@pytest.fixture
def oldest_threshold_zero() -> Iterator[None]:
    thresholds = gc.get_threshold()
    gc.disable()
    gc.set_threshold(thresholds[0], thresholds[1], 0)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.enable()


@pytest.mark.usefixtures("oldest_threshold_zero")
def test_an_oldest_collection_the_collector_was_due_to_start_is_not_forced() -> None:
    gc.collect(1)  # one more middle collection puts the oldest generation over its threshold
    before = value()["NumForcedGC"]
    gc.collect()
    assert value()["NumForcedGC"] == before


# Another variable's value nested nearly as deep as the recursion limit is walked by recursive
# code (the JSON encoder's slow path); a collection that starts down there runs the memstats
# callback with almost no stack left.
DEEPEST_FRAMES = 12


@pytest.fixture
def reports(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    # What CPython would print as "Exception ignored in ...". The hook must be a C function:
    # a Python one could not be entered down there either.
    caught: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", caught.append)
    return caught


# Frames left free for the callback's own call when it must be able to run: CPython cannot
# enter any Python callback from the very last frame (3.12+), and a tracer such as coverage's
# takes one more on 3.11. The callback's calls below it still meet the limit.
ROOM = 3


def collect_near_the_limit(*, in_the_deepest_frame: bool) -> int:
    """Recurse until Python refuses another frame, then force a collection in each of the
    deepest frames on the way back up; return how many collections were forced.

    Without ``in_the_deepest_frame`` every collection leaves ``ROOM`` frames for the callback.
    """
    forced = 0
    unwound = 0

    def descend() -> None:
        nonlocal forced, unwound
        try:
            descend()
        except RecursionError:
            if not in_the_deepest_frame:
                return
        unwound += 1
        if (in_the_deepest_frame or unwound >= ROOM) and forced < DEEPEST_FRAMES:
            gc.collect()
            forced += 1

    descend()
    return forced


def test_collections_deep_in_a_recursion_print_nothing(reports: list[Any]) -> None:
    collect_near_the_limit(in_the_deepest_frame=False)
    assert reports == []


@pytest.mark.usefixtures("reports", "gc_disabled")
def test_collections_deep_in_a_recursion_all_count() -> None:
    before = value()["NumGC"]
    forced = collect_near_the_limit(in_the_deepest_frame=True)
    gc.collect()  # a collection the callback sees, which counts any it could not
    assert value()["NumGC"] == before + forced + 1


@pytest.mark.usefixtures("reports", "gc_disabled")
def test_after_collections_deep_in_a_recursion_the_latest_pause_is_the_latest() -> None:
    collect_near_the_limit(in_the_deepest_frame=True)
    start = time.time_ns()
    gc.collect()
    end = time.time_ns()
    assert start <= value()["LastGC"] <= end
