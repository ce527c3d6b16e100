"""Cells in this process's memory, behind one lock: Go's expvar, one count per process."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from expvar.process import this_process
from expvar.push.buffer import Entry
from expvar.push.stores.base import ProcessRecord, StoreStatus


class LocalStore:
    kind = "local"
    # Reads never wait on anything but this process's memory.
    in_memory = True

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._numbers: dict[str, int] = {}
        self._texts: dict[str, str] = {}
        self._indexes: dict[str, dict[str, None]] = {}

    def add(self, cell: str, delta: int, entry: Entry | None = None) -> None:
        self.add_many(((cell, delta, entry),))

    def add_many(self, updates: Sequence[tuple[str, int, Entry | None]]) -> None:
        """Several adds in one call (one lock; one write, in a shared store)."""
        with self._lock:
            numbers = self._numbers
            for cell, delta, entry in updates:
                numbers[cell] = numbers.get(cell, 0) + delta
                if entry is not None:
                    self._indexes.setdefault(entry[0], {})[entry[1]] = None

    def set(
        self, cell: str, value: int | str, entry: Entry | None = None, clear: Sequence[str] = ()
    ) -> None:
        """Set ``cell`` and delete the ``clear`` cells (a map key's other kinds)."""
        with self._lock:
            self._remove(clear)
            if isinstance(value, str):
                self._texts[cell] = value
            else:
                self._numbers[cell] = value
            if entry is not None:
                self._indexes.setdefault(entry[0], {})[entry[1]] = None

    def remove(self, cells: Sequence[str], entry: Entry | None = None) -> None:
        with self._lock:
            self._remove(cells)
            if entry is not None:
                self._indexes.get(entry[0], {}).pop(entry[1], None)

    def _remove(self, cells: Sequence[str]) -> None:
        for cell in cells:
            self._numbers.pop(cell, None)
            self._texts.pop(cell, None)

    def get_many(self, cells: Sequence[str]) -> dict[str, int | str]:
        with self._lock:
            found: dict[str, int | str] = {c: self._texts[c] for c in cells if c in self._texts}
            found.update((c, self._numbers[c]) for c in cells if c in self._numbers)
        return found

    def read_scalar(self, cell: str) -> int | str | None:
        """Read a scalar variable's cell (a shared store reads them all in one round trip)."""
        # A scalar's cell is in one of the two maps, and one dict read is atomic: no lock.
        found = self._numbers.get(cell)
        return self._texts.get(cell) if found is None else found

    def entries(self, index: str) -> list[str]:
        """The entry ids listed in a map."""
        with self._lock:
            return list(self._indexes.get(index, ()))

    def status(self) -> StoreStatus:
        return StoreStatus(backend=self.kind, description="this process's memory")

    def processes(self) -> list[ProcessRecord]:
        """The processes that share this store and are alive."""
        me = this_process()
        return [ProcessRecord(me.id, me.host, me.pid, me.started, time.time())]

    def flush(self) -> bool:
        """Write pending updates; True when nothing is left pending."""
        return True

    def serving(self) -> None:
        """Called as each request starts: a chance to start background work lazily."""

    def close(self) -> None:
        """Write what is pending and stop background work (at exit, or when replaced)."""

    # Forks copy only the forking thread: ``before_fork`` holds the locks a fork must not copy
    # half-way, ``after_fork_parent`` lets go of them, ``after_fork`` (in the child) forgets what
    # belongs to the parent.
    def before_fork(self) -> None:
        # So the child copies the cells whole, not in the middle of an update.
        self._lock.acquire()

    def after_fork_parent(self) -> None:
        self._lock.release()

    def after_fork(self) -> None:
        # The child's copy of the lock is held (see before_fork) and has no owner to release it.
        self._lock = threading.Lock()
