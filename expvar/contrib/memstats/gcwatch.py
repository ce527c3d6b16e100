"""Time Python's garbage collections through ``gc.callbacks`` into Go's 256-entry pause ring."""

from __future__ import annotations

import gc
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

RING_SIZE = 256


@dataclass(frozen=True)
class GCSnapshot:
    num_gc: int
    pause_total_ns: int
    pause_ns: list[int]
    pause_end_ns: list[int]
    cpu_fraction: float

    @property
    def last_gc_ns(self) -> int:
        if not self.num_gc:
            return 0
        return self.pause_end_ns[(self.num_gc + RING_SIZE - 1) % RING_SIZE]


class GCWatch:
    """One writer (the collector, which never runs twice at once) and lock-free readers.

    The callback must not take a lock: a reader holding it could allocate, start a collection in
    its own thread and wait on itself. Readers use a sequence number instead (a seqlock): odd
    while the callback writes, and a reader that sees it move copies again.
    """

    def __init__(
        self,
        monotonic_ns: Callable[[], int] = time.perf_counter_ns,
        wall_ns: Callable[[], int] = time.time_ns,
    ) -> None:
        self._monotonic_ns = monotonic_ns
        self._wall_ns = wall_ns
        self._install_lock = threading.Lock()
        self._installed_at: int | None = None
        self._sequence = 0
        self._started: int | None = None
        self._num_gc = 0
        self._pause_total_ns = 0
        self._pause_ns = [0] * RING_SIZE
        self._pause_end_ns = [0] * RING_SIZE
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
            gc.callbacks.append(self.on_gc)

    def uninstall(self) -> None:
        with self._install_lock:
            while self.on_gc in gc.callbacks:
                gc.callbacks.remove(self.on_gc)

    def on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = self._monotonic_ns()
            return
        started, self._started = self._started, None
        if started is None:
            return
        pause = max(self._monotonic_ns() - started, 0)
        end = self._wall_ns()
        self._sequence += 1
        slot = self._num_gc % RING_SIZE
        self._pause_ns[slot] = pause
        self._pause_end_ns[slot] = end
        self._pause_total_ns += pause
        self._num_gc += 1
        self._sequence += 1

    def _after_fork(self) -> None:
        # Only the forking thread survives: a callback another thread was in the middle of
        # will never finish, and its odd sequence number would keep every reader waiting.
        self._install_lock = threading.Lock()
        self._started = None
        if self._sequence % 2:
            self._sequence += 1

    def snapshot(self) -> GCSnapshot:
        while True:
            sequence = self._sequence
            if sequence % 2:
                time.sleep(0)  # the callback is mid-write in another thread: let it finish
                continue
            num_gc = self._num_gc
            pause_total_ns = self._pause_total_ns
            pause_ns = self._pause_ns.copy()
            pause_end_ns = self._pause_end_ns.copy()
            if self._sequence == sequence:
                break
        return GCSnapshot(
            num_gc=num_gc,
            pause_total_ns=pause_total_ns,
            pause_ns=pause_ns,
            pause_end_ns=pause_end_ns,
            cpu_fraction=self._fraction(pause_total_ns),
        )

    def _fraction(self, pause_total_ns: int) -> float:
        if self._installed_at is None:
            return 0.0
        elapsed = self._monotonic_ns() - self._installed_at
        if elapsed <= 0:
            return 0.0
        return min(pause_total_ns / elapsed, 1.0)


watch = GCWatch()
