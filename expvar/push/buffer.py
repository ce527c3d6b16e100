"""Updates a process has made but not yet written to a shared store.

Updates to one cell are merged as they come (two adds become one add, an add after a set becomes
a set), so the buffer grows with the number of different cells touched, never with the number of
updates. That is what lets a process keep counting while the store is away.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterable, Sequence

ADD = 0
SET = 1
DELETE = 2

Op = tuple[int, int | str | None]
Entry = tuple[str, str]  # (map token, entry id): the map key an update also lists


def combine(earlier: Op | None, later: Op) -> Op:
    """Return the one update that has the effect of ``earlier`` followed by ``later``."""
    if earlier is None or later[0] != ADD:
        return later
    kind, value = earlier
    delta = later[1]
    assert isinstance(delta, int)
    # A number is added to; an add after a delete (or a set of text) starts again from zero.
    return (kind, value + delta) if isinstance(value, int) else (SET, delta)


def apply(value: int | str | None, op: Op) -> int | str | None:
    """Return what a cell holding ``value`` holds after ``op``."""
    kind, operand = op
    if kind == ADD:
        assert isinstance(operand, int)
        return (value if isinstance(value, int) else 0) + operand
    return operand if kind == SET else None


class Buffer:
    def __init__(self, max_cells: int = sys.maxsize) -> None:
        self.lock = threading.Lock()
        self.ops: dict[str, Op] = {}
        # True: the entry must be listed in its map; False: it must be unlisted.
        self.marks: dict[Entry, bool] = {}
        self.max_cells = max_cells
        self.dropped = 0

    def __len__(self) -> int:
        return len(self.ops) + len(self.marks)

    def add(self, updates: Iterable[tuple[str, int, Entry | None]]) -> bool:
        """Record adds; False if any was dropped because the buffer is full."""
        kept = True
        with self.lock:
            for cell, delta, mark in updates:
                earlier = self.ops.get(cell)
                if earlier is None and len(self.ops) >= self.max_cells:
                    self.dropped += 1
                    kept = False
                    continue
                self.ops[cell] = combine(earlier, (ADD, delta))
                if mark is not None:
                    self.marks[mark] = True
        return kept

    def set(
        self, cell: str, value: int | str, entry: Entry | None = None, clear: Sequence[str] = ()
    ) -> bool:
        """Record a set of ``cell`` and deletes of the ``clear`` cells (a map key's other kinds)."""
        return self.record([*((c, (DELETE, None)) for c in clear), (cell, (SET, value))], entry)

    def record(self, ops: list[tuple[str, Op]], mark: Entry | None, listed: bool = True) -> bool:
        """Record sets and deletes together, or none of them (False) when the buffer is full."""
        with self.lock:
            new = sum(1 for cell, _ in ops if cell not in self.ops)
            if new and len(self.ops) + new > self.max_cells:
                self.dropped += 1
                return False
            for cell, op in ops:
                self.ops[cell] = combine(self.ops.get(cell), op)
            if mark is not None:
                self.marks[mark] = listed
        return True

    def take(self) -> tuple[dict[str, Op], dict[Entry, bool]]:
        """Remove and return everything pending, to be written."""
        with self.lock:
            ops, marks = self.ops, self.marks
            self.ops, self.marks = {}, {}
        return ops, marks

    def restore(self, ops: dict[str, Op], marks: dict[Entry, bool]) -> None:
        """Put back updates that could not be written, beneath any made since."""
        with self.lock:
            for cell, op in ops.items():
                later = self.ops.get(cell)
                if later is None and len(self.ops) >= self.max_cells:
                    self.dropped += 1
                    continue
                self.ops[cell] = op if later is None else combine(op, later)
            for mark, listed in marks.items():
                self.marks.setdefault(mark, listed)

    def on_top(self, found: dict[str, int | str], cells: Iterable[str]) -> dict[str, int | str]:
        """The ``cells`` as this process sees them: ``found`` with the pending updates applied."""
        with self.lock:
            seen = {cell: self.applied(cell, found.get(cell)) for cell in cells}
        return {cell: value for cell, value in seen.items() if value is not None}

    def applied(self, cell: str, found: int | str | None) -> int | str | None:
        """``found``, the store's value of ``cell``, as this process sees it."""
        op = self.ops.get(cell)  # one dict read is atomic: no lock
        return found if op is None else apply(found, op)

    def listed(self, index: str, entries: Iterable[str]) -> list[str]:
        """The map's ``entries`` as this process sees them, with its pending (un)listings."""
        listed = dict.fromkeys(entries, True)
        with self.lock:
            listed.update(
                {entry: present for (idx, entry), present in self.marks.items() if idx == index}
            )
        return [entry for entry, present in listed.items() if present]
