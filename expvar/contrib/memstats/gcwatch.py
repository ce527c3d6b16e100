"""Time Python's garbage collections through ``gc.callbacks`` into Go's 256-entry pause ring."""

from __future__ import annotations

import gc
import time
from typing import Any, NamedTuple

RING_SIZE = 256


class GCFigures(NamedTuple):
    """The collector's figures after one collection; the lists of published ones never change."""

    num_gc: int = 0
    num_forced_gc: int = 0
    pause_total_ns: int = 0
    pause_ns: list[int] = [0] * RING_SIZE
    pause_end_ns: list[int] = [0] * RING_SIZE


def collections_so_far() -> int:
    # CPython's own count, every generation, kept whether or not a callback ran.
    return sum(generation["collections"] for generation in gc.get_stats())


class GCWatch:
    """Times each collection from its "start" callback to its "stop".

    No lock: a thread holding it could allocate, start a collection and wait on itself. The
    collector is the one writer, and each stop publishes new ``figures`` in one store, so a
    reader sees a collection entirely or not at all, even when the callback is cut short.
    """

    def __init__(self) -> None:
        self.figures = GCFigures()
        self.installed_at = 0  # perf_counter_ns() when installed; 0 before
        self._uncounted = 0  # collections CPython counted before the install
        self._start: tuple[bool, int] | None = None  # (forced, perf_counter_ns) of a collection

    def install(self) -> None:
        """Time every collection from now on (once, however often this is called)."""
        if self.on_gc not in gc.callbacks:
            self.installed_at = time.perf_counter_ns()
            self._uncounted = collections_so_far()
            gc.callbacks.append(self.on_gc)

    def on_gc(self, phase: str, info: dict[str, Any]) -> None:
        # A collection can start deep inside another variable's recursion, with no room left for
        # the calls below (RecursionError), or amid a MemoryError. Nothing is published until the
        # last line, and the next stop counts a collection missed here from CPython's own count,
        # so giving up is always safe; raising would only make gc print it.
        try:
            if phase == "start":
                self._start = None  # so that a start cut short leaves nothing of an earlier one
                # At "start" the counts are not reset yet, and the collector starts the oldest
                # generation (2) itself only once its count is over its threshold (CPython 3.10
                # to 3.13). A gc.collect() made while it is over is taken for automatic.
                forced = info.get("generation") == 2 and gc.get_count()[2] <= gc.get_threshold()[2]
                self._start = (forced, time.perf_counter_ns())
                return
            start, self._start = self._start, None
            # A start that could not be timed leaves the pause unknown: counted as 0.
            forced, pause = (start[0], time.perf_counter_ns() - start[1]) if start else (False, 0)
            end = time.time_ns()
            old = self.figures
            this = max(collections_so_far() - self._uncounted - 1, old.num_gc)
            pause_ns, pause_end_ns = old.pause_ns.copy(), old.pause_end_ns.copy()
            # Collections no callback saw ended before this one started, with no measured pause.
            for unseen in range(max(old.num_gc, this - RING_SIZE + 1), this):
                pause_ns[unseen % RING_SIZE], pause_end_ns[unseen % RING_SIZE] = 0, end - pause
            pause_ns[this % RING_SIZE], pause_end_ns[this % RING_SIZE] = pause, end
            forced_total, total = old.num_forced_gc + forced, old.pause_total_ns + pause
            self.figures = GCFigures(this + 1, forced_total, total, pause_ns, pause_end_ns)
        except Exception:
            self._start = None


watch = GCWatch()
