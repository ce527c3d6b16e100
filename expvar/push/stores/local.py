"""Cells in this process's memory: Go's expvar, one count per process.

They are a ``Buffer`` that is never written anywhere: its updates, applied to nothing, are the
values. So both stores give an update the same meaning.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from expvar.push.buffer import Buffer, Entry
from expvar.push.health import StoreStatus

if TYPE_CHECKING:
    from expvar.push.cluster import ProcessRecord


class LocalStore:
    kind = "local"
    in_memory = True  # reads never wait on anything but this process's memory

    def __init__(self) -> None:
        self._cells = Buffer()

    def add(self, updates: Iterable[tuple[str, int, Entry | None]]) -> None:
        self._cells.add(updates)

    def set(
        self, cell: str, value: int | str, entry: Entry | None = None, clear: Sequence[str] = ()
    ) -> None:
        self._cells.set(cell, value, entry, clear)

    def remove(self, cells: Sequence[str], entry: Entry) -> None:
        # Forgotten rather than recorded as deletes: there is no store to delete them from.
        with self._cells.lock:
            for cell in cells:
                self._cells.ops.pop(cell, None)
            self._cells.marks.pop(entry, None)

    def get_many(self, cells: Sequence[str]) -> dict[str, int | str]:
        return self._cells.on_top({}, cells)

    def read_scalar(self, cell: str) -> int | str | None:
        return self._cells.applied(cell, None)

    def entries(self, index: str) -> list[str]:
        return self._cells.listed(index, ())

    def status(self) -> StoreStatus:
        return StoreStatus(backend=self.kind, description="this process's memory")

    def processes(self) -> list[ProcessRecord]:
        return []  # the panel lists this process itself

    def flush(self) -> bool:
        return True  # nothing is ever pending

    def serving(self) -> None:
        """Nothing runs in the background."""

    def close(self) -> None:
        """Nothing is kept anywhere but here."""

    def fork_lock(self) -> tuple[threading.Lock, float]:
        """Return the lock to hold across a fork, and how long to wait for it (no bound)."""
        return self._cells.lock, -1

    def after_fork(self) -> None:
        self._cells.lock = threading.Lock()
