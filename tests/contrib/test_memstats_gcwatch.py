from __future__ import annotations

import gc
import itertools
import os
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from expvar.contrib.memstats.gcwatch import RING_SIZE, GCWatch, forced_start, watch


class Clock:
    def __init__(self) -> None:
        self.now = 0

    def __call__(self) -> int:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


class Collections:
    """CPython's count of collections, as the watch reads it; 0 stands for "nothing unseen"."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> int:
        return self.count


@pytest.fixture
def collections() -> Collections:
    return Collections()


@pytest.fixture
def simulated(clock: Clock, collections: Collections) -> GCWatch:
    # Wall time is the pause's end on the same fake clock, plus an offset to tell them apart.
    return GCWatch(monotonic_ns=clock, wall_ns=lambda: clock.now + 10**18, collections=collections)


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


def test_stop_without_start_counts_with_no_pause(simulated: GCWatch) -> None:
    simulated.on_gc("stop", {"generation": 0, "collected": 0, "uncollectable": 0})
    snapshot = simulated.snapshot()
    assert (snapshot.num_gc, snapshot.pause_ns[0], snapshot.pause_end_ns[0]) == (1, 0, 10**18)


def test_cpu_fraction_is_pause_over_time_since_install(
    clock: Clock, collections: Collections
) -> None:
    w = GCWatch(monotonic_ns=clock, collections=collections)
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
    w = GCWatch(
        monotonic_ns=itertools.cycle((0, 1)).__next__,
        wall_ns=itertools.count(1).__next__,
        collections=Collections(),
    )
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
def test_a_child_forked_during_a_collection_reads_its_parents_figures(
    simulated: GCWatch, clock: Clock
) -> None:
    collect(simulated, clock, pause=5)
    simulated.on_gc("start", {})  # as if another thread were collecting when this one forked
    pid = os.fork()
    if pid == 0:  # the child: exit 0 only if a read returns the pause written before
        code = 1
        try:
            reader = threading.Thread(target=simulated.snapshot, daemon=True)
            reader.start()
            reader.join(5)
            snapshot = simulated.snapshot()
            code = 0 if not reader.is_alive() and snapshot.pause_total_ns == 5 else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_after_a_fork_a_collection_started_before_it_is_not_timed(
    simulated: GCWatch, clock: Clock
) -> None:
    simulated.on_gc("start", {})
    clock.now += 5
    simulated._after_fork()
    simulated.on_gc("stop", {})
    snapshot = simulated.snapshot()
    assert (snapshot.num_gc, snapshot.pause_total_ns) == (1, 0)


class FailingClock(Clock):
    """A clock that raises, as any call does when a collection comes with no stack left."""

    def __init__(self) -> None:
        super().__init__()
        self.failing = False

    def __call__(self) -> int:
        if self.failing:
            raise RecursionError("maximum recursion depth exceeded")
        return self.now


def test_a_start_that_cannot_be_timed_still_counts_with_no_pause() -> None:
    clock = FailingClock()
    w = GCWatch(monotonic_ns=clock, wall_ns=lambda: 10**18, collections=Collections())
    clock.failing = True
    w.on_gc("start", {"generation": 0})
    clock.failing = False
    w.on_gc("stop", {"generation": 0})
    snapshot = w.snapshot()
    assert (snapshot.num_gc, snapshot.pause_ns[0], snapshot.last_gc_ns) == (1, 0, 10**18)


def test_a_stop_that_fails_publishes_nothing(collections: Collections) -> None:
    wall = FailingClock()
    w = GCWatch(monotonic_ns=Clock(), wall_ns=wall, collections=collections)
    w.on_gc("start", {})
    wall.failing = True
    collections.count = 1
    w.on_gc("stop", {})
    assert w.snapshot().num_gc == 0


def test_the_next_stop_counts_a_collection_no_callback_saw(
    simulated: GCWatch, clock: Clock, collections: Collections
) -> None:
    collections.count = 3  # two collections came and went without a callback, then this one
    collect(simulated, clock, pause=70)
    snapshot = simulated.snapshot()
    assert snapshot.num_gc == 3
    assert snapshot.pause_ns[:3] == [0, 0, 70]
    assert snapshot.pause_total_ns == 70


def test_unseen_collections_end_before_the_one_that_counts_them(
    simulated: GCWatch, clock: Clock, collections: Collections
) -> None:
    collections.count = 2
    collect(simulated, clock, pause=70)
    assert simulated.snapshot().pause_end_ns[:2] == [10**18, 10**18 + 70]


def test_unseen_collections_past_the_ring_fill_all_of_it(
    simulated: GCWatch, clock: Clock, collections: Collections
) -> None:
    collections.count = 1000
    collect(simulated, clock, pause=70)
    snapshot = simulated.snapshot()
    assert snapshot.num_gc == 1000
    assert sorted(snapshot.pause_ns) == [0] * (RING_SIZE - 1) + [70]
    assert snapshot.pause_ns[(snapshot.num_gc + 255) % RING_SIZE] == 70


def test_a_forced_start_counts_once_its_collection_stops() -> None:
    w = GCWatch(monotonic_ns=Clock(), collections=Collections(), forced=lambda gen: gen == 2)
    w.on_gc("start", {"generation": 2})
    w.on_gc("stop", {"generation": 2})
    w.on_gc("start", {"generation": 0})
    w.on_gc("stop", {"generation": 0})
    assert w.snapshot().num_forced_gc == 1


def test_gc_collect_is_forced(installed: GCWatch) -> None:
    before = installed.snapshot().num_forced_gc
    gc.collect()
    assert installed.snapshot().num_forced_gc == before + 1


def test_a_young_collection_is_not_forced(installed: GCWatch) -> None:
    before = installed.snapshot().num_forced_gc
    gc.collect(0)
    assert installed.snapshot().num_forced_gc == before


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
    assert forced_start(2) is False
