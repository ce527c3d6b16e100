"""Cells in this process's memory: Go's expvar, one count per process.

They are a ``Buffer`` that is never written anywhere: its updates, applied to nothing, are the
values. So both stores give an update the same meaning.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Sequence

from expvar.push.buffer import DELETE, SET, Buffer, Entry
from expvar.push.health import StoreStatus
from expvar.push.heartbeat import ProcessRecord


class LocalStore:
    kind = "local"
    in_memory = True  # reads never wait on anything but this process's memory

    def __init__(self) -> None:
        self._cells = Buffer(max_cells=sys.maxsize)

    def add(self, cell: str, delta: int, entry: Entry | None = None) -> None:
        self._cells.add(cell, delta, entry)

    def add_many(self, updates: Sequence[tuple[str, int, Entry | None]]) -> None:
        self._cells.add_many(updates)

    def set(
        self, cell: str, value: int | str, entry: Entry | None = None, clear: Sequence[str] = ()
    ) -> None:
        """Set ``cell`` and delete the ``clear`` cells (a map key's other kinds)."""
        self._cells.record([*((c, (DELETE, None)) for c in clear), (cell, (SET, value))], entry)

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

    # Forks copy only the forking thread: ``before_fork`` holds the lock so the child copies the
    # cells whole, ``after_fork_parent`` lets go of it, and ``after_fork`` gives the child a
    # lock of its own (its copy is held, with no owner to release it).
    def before_fork(self) -> None:
        self._cells.lock.acquire()

    def after_fork_parent(self) -> None:
        self._cells.lock.release()

    def after_fork(self) -> None:
        self._cells.lock = threading.Lock()
