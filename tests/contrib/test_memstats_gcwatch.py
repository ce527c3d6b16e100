from __future__ import annotations

import gc
import itertools
import os
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from expvar.contrib.memstats.gcwatch import RING_SIZE, GCWatch, watch


class Clock:
    def __init__(self) -> None:
        self.now = 0

    def __call__(self) -> int:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def simulated(clock: Clock) -> GCWatch:
    # Wall time is the pause's end on the same fake clock, plus an offset to tell them apart.
    return GCWatch(monotonic_ns=clock, wall_ns=lambda: clock.now + 10**18)


@pytest.fixture
def installed() -> Iterator[GCWatch]:
    fresh = GCWatch()
    fresh.install()
    yield fresh
    fresh.uninstall()


def collect(w: GCWatch, clock: Clock, pause: int) -> None:
    w.on_gc("start", {"generation": 0})
    clock.now += pause
    w.on_gc("stop", {"generation": 0, "collected": 0, "uncollectable": 0})
    clock.now += 1000


def test_nothing_collected_yet(simulated: GCWatch) -> None:
    snapshot = simulated.snapshot()
    assert (snapshot.num_gc, snapshot.pause_total_ns, snapshot.last_gc_ns) == (0, 0, 0)


def test_one_collection_fills_the_first_slot(simulated: GCWatch, clock: Clock) -> None:
    collect(simulated, clock, pause=70)
    snapshot = simulated.snapshot()
    assert (snapshot.num_gc, snapshot.pause_ns[0], snapshot.pause_end_ns[0]) == (1, 70, 10**18 + 70)


def test_last_gc_is_the_latest_pause_end(simulated: GCWatch, clock: Clock) -> None:
    for pause in (5, 6, 7):
        collect(simulated, clock, pause)
    snapshot = simulated.snapshot()
    assert snapshot.last_gc_ns == 10**18 + clock.now - 1000


def test_ring_wraps_with_latest_at_num_gc_minus_one(simulated: GCWatch, clock: Clock) -> None:
    for pause in range(1, 301):
        collect(simulated, clock, pause)
    snapshot = simulated.snapshot()
    assert snapshot.pause_ns[(snapshot.num_gc + 255) % RING_SIZE] == 300
    assert snapshot.pause_ns[snapshot.num_gc % RING_SIZE] == 300 - 255


def test_pause_total_counts_overwritten_pauses(simulated: GCWatch, clock: Clock) -> None:
    for pause in range(1, 301):
        collect(simulated, clock, pause)
    assert simulated.snapshot().pause_total_ns == sum(range(1, 301))


def test_stop_without_start_is_ignored(simulated: GCWatch) -> None:
    simulated.on_gc("stop", {"generation": 0, "collected": 0, "uncollectable": 0})
    assert simulated.snapshot().num_gc == 0


def test_cpu_fraction_is_pause_over_time_since_install(clock: Clock) -> None:
    w = GCWatch(monotonic_ns=clock)
    w.install()
    try:
        collect(w, clock, pause=250)
        clock.now = 1000
        assert w.snapshot().cpu_fraction == 0.25
    finally:
        w.uninstall()


def test_cpu_fraction_is_zero_before_install(simulated: GCWatch, clock: Clock) -> None:
    collect(simulated, clock, pause=250)
    assert simulated.snapshot().cpu_fraction == 0.0


def test_install_is_idempotent(installed: GCWatch) -> None:
    installed.install()
    assert gc.callbacks.count(installed.on_gc) == 1


def test_uninstall_removes_the_callback(installed: GCWatch) -> None:
    installed.uninstall()
    assert installed.on_gc not in gc.callbacks


def test_app_installs_the_shared_watch() -> None:
    assert watch.installed


def test_real_collection_is_counted(installed: GCWatch) -> None:
    before = installed.snapshot()
    gc.collect()
    after = installed.snapshot()
    assert after.num_gc > before.num_gc
    assert after.pause_total_ns > before.pause_total_ns


def test_real_collection_end_is_wall_clock(installed: GCWatch) -> None:
    start = time.time_ns()
    gc.collect()
    end = time.time_ns()
    assert start <= installed.snapshot().last_gc_ns <= end


def test_snapshots_are_consistent_while_collections_run() -> None:
    # Every pause lasts 1 ns and the nth ends at wall time n, so a torn read shows.
    w = GCWatch(monotonic_ns=itertools.cycle((0, 1)).__next__, wall_ns=itertools.count(1).__next__)
    stop = threading.Event()

    def collector() -> None:
        while not stop.is_set():
            w.on_gc("start", {})
            w.on_gc("stop", {})

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    thread = threading.Thread(target=collector)
    thread.start()
    torn = []
    try:
        for _ in range(3000):
            s = w.snapshot()
            if not s.pause_total_ns == s.last_gc_ns == s.num_gc:
                torn.append(s)
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(interval)
    assert torn == []


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork exists only on POSIX systems")
# The suite has threads of its own by now; the child below only reads and exits.
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_child_forked_during_a_callback_can_still_read(simulated: GCWatch, clock: Clock) -> None:
    simulated.on_gc("start", {})
    clock.now += 5
    simulated.on_gc("stop", {})
    # As if another thread were halfway through writing a pause when this one forked.
    simulated._sequence += 1
    pid = os.fork()
    if pid == 0:  # the child: exit 0 only if a read returns, with the pause written before
        code = 1
        try:
            reader = threading.Thread(target=simulated.snapshot, daemon=True)
            reader.start()
            reader.join(5)
            code = 0 if not reader.is_alive() and simulated.snapshot().num_gc == 1 else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_after_a_fork_a_callback_left_half_way_no_longer_holds_readers(
    simulated: GCWatch, clock: Clock
) -> None:
    simulated.on_gc("start", {})
    simulated._sequence += 1  # the callback's writer was another thread, gone in the child
    simulated._after_fork()
    assert simulated.snapshot().num_gc == 0
    simulated.on_gc("stop", {})  # the pause it started is not counted half-measured
    assert simulated.snapshot().num_gc == 0
