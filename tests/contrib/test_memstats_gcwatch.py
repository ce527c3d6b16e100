"""memstats' garbage-collection figures, from a watch installed for each test, so that every
collection since is known."""

from __future__ import annotations

import gc
import os
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from expvar.contrib.memstats import vars as memstats_vars
from expvar.contrib.memstats.gcwatch import GCWatch
from expvar.contrib.memstats.vars import MemStats


def value() -> dict[str, Any]:
    result: dict[str, Any] = MemStats().value()
    return result


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[GCWatch]:
    """memstats timing collections from a watch of its own, not yet installed, with automatic
    collections off: the test's own collections are the only ones."""
    watch = GCWatch()
    monkeypatch.setattr(memstats_vars, "watch", watch)
    gc.disable()
    try:
        yield watch
    finally:
        gc.enable()
        while watch.on_gc in gc.callbacks:
            gc.callbacks.remove(watch.on_gc)


@pytest.fixture
def installed(fresh: GCWatch) -> GCWatch:
    fresh.install()
    return fresh


def young_collections(count: int) -> None:
    for _ in range(count):
        gc.collect(0)


@pytest.mark.usefixtures("fresh")
def test_nothing_is_collected_before_the_install() -> None:
    gc.collect()
    stats = value()
    assert (stats["NumGC"], stats["PauseTotalNs"], stats["LastGC"]) == (0, 0, 0)
    assert stats["GCCPUFraction"] == 0.0


@pytest.mark.usefixtures("installed")
def test_one_collection_fills_the_first_slot() -> None:
    gc.collect()
    stats = value()
    assert stats["NumGC"] == 1
    assert stats["PauseNs"][0] == stats["PauseTotalNs"] > 0
    assert stats["PauseEnd"][0] == stats["LastGC"] > 0


@pytest.mark.usefixtures("installed")
def test_the_ring_wraps_with_the_latest_at_num_gc_minus_one() -> None:
    young_collections(300)
    stats = value()
    num_gc, ends = stats["NumGC"], stats["PauseEnd"]
    assert num_gc == 300
    oldest_first = [ends[(num_gc + i) % 256] for i in range(256)]
    assert oldest_first == sorted(oldest_first)
    assert oldest_first[-1] == stats["LastGC"]
    assert 0 not in stats["PauseNs"]


@pytest.mark.usefixtures("installed")
def test_pause_total_counts_overwritten_pauses() -> None:
    young_collections(300)
    stats = value()
    assert stats["PauseTotalNs"] > sum(stats["PauseNs"])


def test_install_is_idempotent(installed: GCWatch) -> None:
    installed.install()
    gc.collect()
    assert value()["NumGC"] == 1


def test_cpu_fraction_is_pause_over_time_since_install(fresh: GCWatch) -> None:
    started = time.perf_counter_ns()
    fresh.install()
    installed = time.perf_counter_ns()
    gc.collect()
    before_read = time.perf_counter_ns()
    stats = value()
    read = time.perf_counter_ns()
    pause = stats["PauseTotalNs"]
    assert pause / (read - started) <= stats["GCCPUFraction"] <= pause / (before_read - installed)


def after_unseen_collections(installed: GCWatch, count: int) -> dict[str, Any]:
    """Run ``count`` collections no callback sees, then one it sees; return the figures."""
    gc.callbacks.remove(installed.on_gc)
    young_collections(count)
    gc.callbacks.append(installed.on_gc)
    gc.collect()
    return value()


def test_collections_no_callback_saw_count_with_no_pause(installed: GCWatch) -> None:
    stats = after_unseen_collections(installed, 2)
    assert stats["NumGC"] == 3
    assert stats["PauseNs"][:2] == [0, 0]
    assert stats["PauseTotalNs"] == stats["PauseNs"][2] > 0


def test_collections_no_callback_saw_end_when_the_next_one_starts(installed: GCWatch) -> None:
    stats = after_unseen_collections(installed, 2)
    assert stats["PauseEnd"][:2] == [stats["LastGC"] - stats["PauseNs"][2]] * 2


def test_collections_no_callback_saw_past_the_ring_fill_all_of_it(installed: GCWatch) -> None:
    stats = after_unseen_collections(installed, 1000)
    assert stats["NumGC"] == 1001
    assert sorted(stats["PauseNs"])[:255] == [0] * 255
    assert stats["PauseNs"][(stats["NumGC"] + 255) % 256] > 0


@pytest.mark.usefixtures("installed")
def test_reads_see_whole_collections_while_collections_run() -> None:
    # Below 256 collections and with none unseen, the ring holds every pause, and a read taken
    # halfway through a collection's bookkeeping would not add up.
    done = threading.Event()

    def collector() -> None:
        for _ in range(200):
            gc.collect(0)
        done.set()

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    thread = threading.Thread(target=collector)
    thread.start()
    torn, reads = [], 0
    try:
        while not done.is_set():
            stats, reads = value(), reads + 1
            if sum(stats["PauseNs"]) != stats["PauseTotalNs"]:
                torn.append(stats["NumGC"])
    finally:
        thread.join()
        sys.setswitchinterval(interval)
    assert (torn, reads > 0) == ([], True)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork exists only on POSIX systems")
# The suite has threads of its own by now; the child below only reads, collects and exits.
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
@pytest.mark.usefixtures("installed")
def test_a_forked_child_continues_from_its_parents_figures() -> None:
    gc.collect()
    parent = value()
    pid = os.fork()
    if pid == 0:  # the child: exit 0 only if it counts on from the parent's figures
        code = 1
        try:
            gc.collect()
            child = value()
            counted_on = child["NumGC"] == parent["NumGC"] + 1
            code = 0 if counted_on and child["PauseNs"][0] == parent["PauseNs"][0] else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
