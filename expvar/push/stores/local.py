"""Cells in this process's memory: Go's expvar, one count per process.

They are a ``Buffer`` that is never written anywhere: its updates, applied to nothing, are the
values. So both stores give an update the same meaning.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from expvar.push.buffer import Buffer, Entry
from expvar.push.health import StoreStatus

if TYPE_CHECKING:
    from expvar.push.cluster import ProcessRecord


class LocalStore(Buffer):
    kind = "local"
    in_memory = True  # reads never wait on anything but this process's memory

    def remove(self, cells: Sequence[str], entry: Entry) -> None:
        # Forgotten rather than recorded as deletes: there is no store to delete them from.
        with self.lock:
            for cell in cells:
                self.ops.pop(cell, None)
            self.marks.pop(entry, None)

    def get_many(self, cells: Sequence[str]) -> dict[str, int | str]:
        return self.on_top({}, cells)

    def read_scalar(self, cell: str) -> int | str | None:
        return self.applied(cell, None)

    def entries(self, index: str) -> list[str]:
        return self.listed(index, ())

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
        return self.lock, -1

    def after_fork(self) -> None:
        self.lock = threading.Lock()
