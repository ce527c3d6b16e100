from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from typing import Any

import pytest

from expvar.contrib.memstats.gcwatch import GCSnapshot, watch
from expvar.contrib.memstats.vars import MemStats
from tests.contrib.gotypes import go_type_errors

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
    ring = [0] * 256
    ring[4] = 99
    snapshot = GCSnapshot(
        num_gc=2**32 + 5, pause_total_ns=1, pause_ns=ring, pause_end_ns=ring, cpu_fraction=0.0
    )
    monkeypatch.setattr(watch, "snapshot", lambda: snapshot)
    stats = value()
    assert (stats["NumGC"], stats["PauseNs"][(stats["NumGC"] + 255) % 256]) == (5, 99)
