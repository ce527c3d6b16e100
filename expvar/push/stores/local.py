"""Cells in this process's memory, behind one lock: Go's expvar, one count per process."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from expvar.process import this_process
from expvar.push.stores.base import Entry, ProcessRecord, Store, StoreStatus


class LocalStore(Store):
    kind = "local"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._numbers: dict[str, int] = {}
        self._texts: dict[str, str] = {}
        self._indexes: dict[str, dict[str, None]] = {}

    def add_many(self, updates: Sequence[tuple[str, int, Entry | None]]) -> None:
        with self._lock:
            numbers = self._numbers
            for cell, delta, entry in updates:
                numbers[cell] = numbers.get(cell, 0) + delta
                if entry is not None:
                    self._indexes.setdefault(entry[0], {})[entry[1]] = None

    def set(
        self, cell: str, value: int | str, entry: Entry | None = None, clear: Sequence[str] = ()
    ) -> None:
        with self._lock:
            for other in clear:
                self._numbers.pop(other, None)
                self._texts.pop(other, None)
            if isinstance(value, str):
                self._texts[cell] = value
            else:
                self._numbers[cell] = value
            if entry is not None:
                self._indexes.setdefault(entry[0], {})[entry[1]] = None

    def remove(self, cells: Sequence[str], entry: Entry | None = None) -> None:
        with self._lock:
            for cell in cells:
                self._numbers.pop(cell, None)
                self._texts.pop(cell, None)
            if entry is not None:
                self._indexes.get(entry[0], {}).pop(entry[1], None)

    def get_many(self, cells: Sequence[str]) -> dict[str, int | str]:
        found: dict[str, int | str] = {}
        with self._lock:
            for cell in cells:
                if cell in self._numbers:
                    found[cell] = self._numbers[cell]
                elif cell in self._texts:
                    found[cell] = self._texts[cell]
        return found

    def entries(self, index: str) -> list[str]:
        with self._lock:
            return list(self._indexes.get(index, ()))

    def status(self) -> StoreStatus:
        return StoreStatus(backend=self.kind, description="this process's memory")

    def processes(self) -> list[ProcessRecord]:
        me = this_process()
        return [ProcessRecord(me.id, me.host, me.pid, me.started, time.time())]

    def before_fork(self) -> None:
        # So the child copies the cells whole, not in the middle of an update.
        self._lock.acquire()

    def after_fork_parent(self) -> None:
        self._lock.release()

    def after_fork(self) -> None:
        # The child's copy of the lock is held (see before_fork) and has no owner to release it.
        self._lock = threading.Lock()
