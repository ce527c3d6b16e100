"""Time Python's garbage collections through ``gc.callbacks`` into Go's 256-entry pause ring."""

from __future__ import annotations

import gc
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

RING_SIZE = 256
OLDEST_GENERATION = 2


def collections_so_far() -> int:
    """CPython's own count of finished collections, every generation, kept whether or not a
    callback ran."""
    return sum(generation["collections"] for generation in gc.get_stats())


def forced_start(generation: int) -> bool:
    """Whether a collection starting now is of the oldest generation and not one the collector
    itself was due to start.

    At "start" the counts are not reset yet: an automatic collection of the oldest generation
    starts only once its count is over its threshold (CPython 3.10 to 3.13). A ``gc.collect()``
    made while it is over is taken for automatic, so the count is a lower bound.
    """
    if generation != OLDEST_GENERATION:
        return False
    return bool(gc.get_count()[OLDEST_GENERATION] <= gc.get_threshold()[OLDEST_GENERATION])


@dataclass(frozen=True)
class GCSnapshot:
    """The collector's figures at one moment. The watch replaces its own whole at each
    collection and never changes the lists of one it has published."""

    num_gc: int
    pause_total_ns: int
    pause_ns: list[int]
    pause_end_ns: list[int]
    cpu_fraction: float = 0.0
    num_forced_gc: int = 0

    @property
    def last_gc_ns(self) -> int:
        return self.pause_end_ns[(self.num_gc - 1) % RING_SIZE] if self.num_gc else 0

    def after(self, pause: int, end: int, unseen: int, forced: bool) -> GCSnapshot:
        """The figures once this collection, and ``unseen`` ones no callback saw before it, are
        in. Unseen collections ended before this one started and have no measured pause."""
        pause_ns = self.pause_ns.copy()
        pause_end_ns = self.pause_end_ns.copy()
        for offset in range(min(unseen, RING_SIZE - 1)):
            slot = (self.num_gc + unseen - 1 - offset) % RING_SIZE
            pause_ns[slot] = 0
            pause_end_ns[slot] = end - pause
        slot = (self.num_gc + unseen) % RING_SIZE
        pause_ns[slot] = pause
        pause_end_ns[slot] = end
        return GCSnapshot(
            num_gc=self.num_gc + unseen + 1,
            num_forced_gc=self.num_forced_gc + int(forced),
            pause_total_ns=self.pause_total_ns + pause,
            pause_ns=pause_ns,
            pause_end_ns=pause_end_ns,
        )


class GCWatch:
    """One writer (the collector, which never runs twice at once) and lock-free readers.

    The callback must not take a lock: a reader holding it could allocate, start a collection in
    its own thread and wait on itself. Each stop publishes a new ``GCSnapshot`` with one attribute
    store instead, so a reader sees a collection entirely or not at all, even when the callback
    is cut short.
    """

    def __init__(
        self,
        monotonic_ns: Callable[[], int] = time.perf_counter_ns,
        wall_ns: Callable[[], int] = time.time_ns,
        collections: Callable[[], int] = collections_so_far,
        forced: Callable[[int], bool] = forced_start,
    ) -> None:
        self._monotonic_ns = monotonic_ns
        self._wall_ns = wall_ns
        self._collections = collections
        self._forced = forced
        self._install_lock = threading.Lock()
        self._installed_at: int | None = None
        self._collections_before = 0
        self._started: int | None = None
        self._started_forced = False
        self._pauses = GCSnapshot(0, 0, [0] * RING_SIZE, [0] * RING_SIZE)
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self._after_fork)

    @property
    def installed(self) -> bool:
        return self.on_gc in gc.callbacks

    def install(self) -> None:
        with self._install_lock:
            if self.installed:
                return
            if self._installed_at is None:
                self._installed_at = self._monotonic_ns()
            # Collections while the callback was out are not this watch's to count.
            self._collections_before = self._collections() - self._pauses.num_gc
            gc.callbacks.append(self.on_gc)

    def uninstall(self) -> None:
        with self._install_lock:
            while self.on_gc in gc.callbacks:
                gc.callbacks.remove(self.on_gc)

    def on_gc(self, phase: str, info: dict[str, Any]) -> None:
        # A collection can start deep inside another variable's recursion, with no room left for
        # the calls below (RecursionError), or amid a MemoryError. Nothing is published until the
        # last line, and the next stop counts a collection missed here from CPython's own count,
        # so giving up is always safe.
        try:
            if phase == "start":
                # Cleared first, so that a start cut short leaves nothing of an earlier one.
                self._started = None
                self._started_forced = False
                self._started_forced = self._forced(info.get("generation", 0))
                self._started = self._monotonic_ns()
                return
            started, self._started = self._started, None
            forced, self._started_forced = self._started_forced, False
            # A start that could not be timed leaves the pause unknown: counted as 0.
            pause = 0 if started is None else max(self._monotonic_ns() - started, 0)
            end = self._wall_ns()
            pauses = self._pauses
            unseen = self._collections() - self._collections_before - pauses.num_gc - 1
            self._pauses = pauses.after(pause, end, max(unseen, 0), forced)
        except Exception:  # gc would only print it, for every collection that met it
            self._started = None

    def _after_fork(self) -> None:
        # Only the forking thread survives: a collection another thread was in the middle of
        # will never stop in the child.
        self._install_lock = threading.Lock()
        self._started = None
        self._started_forced = False

    def snapshot(self) -> GCSnapshot:
        pauses = self._pauses
        elapsed = 0 if self._installed_at is None else self._monotonic_ns() - self._installed_at
        return replace(
            pauses,
            pause_ns=pauses.pause_ns.copy(),
            pause_end_ns=pauses.pause_end_ns.copy(),
            cpu_fraction=min(pauses.pause_total_ns / elapsed, 1.0) if elapsed > 0 else 0.0,
        )


watch = GCWatch()
