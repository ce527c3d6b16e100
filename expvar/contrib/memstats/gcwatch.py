"""Time Python's garbage collections through ``gc.callbacks`` into Go's 256-entry pause ring."""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

RING_SIZE = 256
OLDEST = 2  # the oldest generation's index


def collections_so_far() -> int:
    # CPython's own count, every generation, kept whether or not a callback ran.
    return sum(generation["collections"] for generation in gc.get_stats())


def forced_start(generation: int) -> bool:
    """Whether a collection starting now is of the oldest generation and was not due."""
    # At "start" the counts are not reset yet, and the collector starts the oldest generation
    # itself only once its count is over its threshold (CPython 3.10 to 3.13). A gc.collect()
    # made while it is over is taken for automatic: the count is a lower bound.
    return generation == OLDEST and gc.get_count()[OLDEST] <= gc.get_threshold()[OLDEST]


@dataclass(frozen=True)
class GCSnapshot:
    """The collector's figures at one moment; the lists of a published one are never changed."""

    num_gc: int
    pause_total_ns: int
    pause_ns: list[int]
    pause_end_ns: list[int]
    cpu_fraction: float = 0.0
    num_forced_gc: int = 0

    @property
    def last_gc_ns(self) -> int:
        return self.pause_end_ns[(self.num_gc - 1) % RING_SIZE] if self.num_gc else 0


class GCWatch:
    """Times each collection from its "start" callback to its "stop".

    No lock: a thread holding it could allocate, start a collection and wait on itself. The
    collector is the one writer, and each stop publishes a new ``GCSnapshot`` in one store, so a
    reader sees a collection entirely or not at all, even when the callback is cut short.
    """

    def __init__(
        self,
        monotonic_ns: Callable[[], int] = time.perf_counter_ns,
        wall_ns: Callable[[], int] = time.time_ns,
        collections: Callable[[], int] = collections_so_far,
        forced: Callable[[int], bool] = forced_start,
    ) -> None:
        self._monotonic_ns, self._wall_ns = monotonic_ns, wall_ns
        self._collections, self._forced = collections, forced
        self._installed_at: int | None = None
        self._uncounted = 0  # collections CPython counted while the callback was out
        self._start: tuple[bool, int] | None = None  # (forced, monotonic ns) of the collection
        self._figures = GCSnapshot(0, 0, [0] * RING_SIZE, [0] * RING_SIZE)
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self._after_fork)

    @property
    def installed(self) -> bool:
        return self.on_gc in gc.callbacks

    def install(self) -> None:
        if not self.installed:
            if self._installed_at is None:
                self._installed_at = self._monotonic_ns()
            self._uncounted = self._collections() - self._figures.num_gc
            gc.callbacks.append(self.on_gc)

    def uninstall(self) -> None:
        while self.on_gc in gc.callbacks:
            gc.callbacks.remove(self.on_gc)

    def on_gc(self, phase: str, info: dict[str, Any]) -> None:
        # A collection can start deep inside another variable's recursion, with no room left for
        # the calls below (RecursionError), or amid a MemoryError. Nothing is published until the
        # last line, and the next stop counts a collection missed here from CPython's own count,
        # so giving up is always safe; raising would only make gc print it.
        try:
            if phase == "start":
                self._start = None  # so that a start cut short leaves nothing of an earlier one
                self._start = (self._forced(info.get("generation", 0)), self._monotonic_ns())
                return
            start, self._start = self._start, None
            # A start that could not be timed leaves the pause unknown: counted as 0.
            forced, pause = (start[0], max(self._monotonic_ns() - start[1], 0)) if start else (0, 0)
            end = self._wall_ns()
            old = self._figures
            this = max(self._collections() - self._uncounted - 1, old.num_gc)
            pause_ns, pause_end_ns = old.pause_ns.copy(), old.pause_end_ns.copy()
            # Collections no callback saw ended before this one started, with no measured pause.
            for unseen in range(max(old.num_gc, this - RING_SIZE + 1), this):
                pause_ns[unseen % RING_SIZE], pause_end_ns[unseen % RING_SIZE] = 0, end - pause
            pause_ns[this % RING_SIZE], pause_end_ns[this % RING_SIZE] = pause, end
            total, forced_total = old.pause_total_ns + pause, old.num_forced_gc + int(forced)
            self._figures = GCSnapshot(this + 1, total, pause_ns, pause_end_ns, 0.0, forced_total)
        except Exception:
            self._start = None

    def _after_fork(self) -> None:
        # Only the forking thread survives: a collection another thread was in will never stop.
        self._start = None

    def snapshot(self) -> GCSnapshot:
        figures = self._figures
        elapsed = 0 if self._installed_at is None else self._monotonic_ns() - self._installed_at
        return replace(
            figures,
            pause_ns=figures.pause_ns.copy(),
            pause_end_ns=figures.pause_end_ns.copy(),
            cpu_fraction=min(figures.pause_total_ns / elapsed, 1.0) if elapsed > 0 else 0.0,
        )


watch = GCWatch()
