"""What expvarmon, Datadog's go_expvar check and Netdata read, polled from the live server."""

from __future__ import annotations

import gc
import os
import sys
import time
from collections.abc import Callable
from typing import Any

Poll = Callable[[], dict[str, Any]]

EXPVARMON_DEFAULTS = ["Alloc", "Sys", "HeapAlloc", "HeapInuse", "PauseTotalNs"]
DATADOG_GAUGES = [
    "Alloc", "HeapAlloc", "HeapSys", "HeapIdle", "HeapInuse", "HeapReleased", "HeapObjects",
    "TotalAlloc",
]  # fmt: skip
DATADOG_RATES = ["Lookups", "Mallocs", "Frees", "PauseTotalNs", "NumGC"]
DATADOG_CUSTOM_PATH = "memstats/BySize/1/Mallocs"
NETDATA_KEYS = ["HeapAlloc", "HeapInuse", "StackInuse", "MSpanInuse", "MCacheInuse", "Sys"]


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def nonzero_mean(values: list[int]) -> float:
    nonzero = [v for v in values if v]
    return sum(nonzero) / len(nonzero)


def new_pauses(previous: dict[str, Any], current: dict[str, Any]) -> list[int]:
    """The PauseNs entries written since ``previous``, read by NumGC % 256 as Datadog does."""
    old, new = previous["memstats"]["NumGC"], current["memstats"]["NumGC"]
    ring: list[int] = current["memstats"]["PauseNs"]
    if new - old >= len(ring):
        return ring
    return [ring[i % len(ring)] for i in range(old, new)]


def polls_around_collections(poll: Poll, collections: int) -> list[dict[str, Any]]:
    bodies = [poll()]
    for _ in range(collections):
        gc.collect()
        bodies.append(poll())
    return bodies


# expvarmon


def test_expvarmon_default_variables_are_integers(poll: Poll) -> None:
    memstats = poll()["memstats"]
    assert all(is_int(memstats[key]) for key in EXPVARMON_DEFAULTS)


def test_expvarmon_pause_total_never_goes_down(poll: Poll) -> None:
    totals = [body["memstats"]["PauseTotalNs"] for body in polls_around_collections(poll, 4)]
    assert totals == sorted(totals)
    assert totals[0] < totals[-1]


def test_expvarmon_pause_array_has_a_nonzero_tail_after_a_collection(poll: Poll) -> None:
    gc.collect()
    assert nonzero_mean(poll()["memstats"]["PauseNs"]) > 0


def test_expvarmon_names_the_service_from_cmdline(poll: Poll) -> None:
    cmdline = poll()["cmdline"]
    assert all(isinstance(arg, str) for arg in cmdline)
    assert os.path.basename(cmdline[0]) == os.path.basename(sys.executable) != ""


# Datadog go_expvar


def test_datadog_metrics_are_present_and_numeric(poll: Poll) -> None:
    memstats = poll()["memstats"]
    # The check float()s every value; a missing key or a non-number fails the whole check.
    assert [k for k in DATADOG_GAUGES + DATADOG_RATES if not float(memstats[k]) >= 0] == []


def test_datadog_custom_path_resolves(poll: Poll) -> None:
    node: Any = poll()
    for part in DATADOG_CUSTOM_PATH.split("/"):
        node = node[int(part)] if part.isdigit() else node[part]
    assert float(node) >= 0


def test_datadog_reads_each_new_pause_once(poll: Poll) -> None:
    before, *_, after = polls_around_collections(poll, 3)
    pauses = new_pauses(before, after)
    assert len(pauses) >= 3
    assert sum(pauses) == after["memstats"]["PauseTotalNs"] - before["memstats"]["PauseTotalNs"]


def test_datadog_new_pauses_are_real_durations(poll: Poll) -> None:
    before, *_, after = polls_around_collections(poll, 3)
    assert 0 not in new_pauses(before, after)


# Netdata go.d expvar


def test_netdata_keys_are_numbers(poll: Poll) -> None:
    memstats = poll()["memstats"]
    assert all(is_int(memstats[key]) for key in NETDATA_KEYS)


def test_netdata_live_objects_are_mallocs_minus_frees(poll: Poll) -> None:
    memstats = poll()["memstats"]
    assert memstats["Mallocs"] - memstats["Frees"] == memstats["HeapObjects"] > 0


# A forced collection between polls


def test_forced_collection_moves_num_gc(poll: Poll) -> None:
    before, after = polls_around_collections(poll, 1)
    assert after["memstats"]["NumGC"] > before["memstats"]["NumGC"]


def test_forced_collection_moves_last_gc(poll: Poll) -> None:
    before = poll()
    start = time.time_ns()
    gc.collect()
    after = poll()
    assert before["memstats"]["LastGC"] < start <= after["memstats"]["LastGC"] <= time.time_ns()


def test_latest_pause_end_is_last_gc_after_a_forced_collection(poll: Poll) -> None:
    memstats = polls_around_collections(poll, 1)[-1]["memstats"]
    assert memstats["PauseEnd"][(memstats["NumGC"] + 255) % 256] == memstats["LastGC"]
