"""What every store offers the variables: atomic updates of named cells, and reads."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

Entry = tuple[str, str]  # (map index, entry id): the map key an update also lists


class StoreUnavailable(Exception):
    """The shared store cannot be read now; updates are kept and retried."""


@dataclass(frozen=True)
class StoreStatus:
    backend: str
    description: str
    healthy: bool = True
    down_since: float | None = None
    last_error: str = ""
    retry_in: float = 0.0
    pending: int = 0
    dropped: int = 0
    flush_interval: float | None = None


@dataclass(frozen=True)
class ProcessRecord:
    id: str
    host: str
    pid: int
    started: float
    last_seen: float
    pending: int = 0


class Store(ABC):
    kind: ClassVar[str]

    def add(self, cell: str, delta: int, entry: Entry | None = None) -> None:
        self.add_many(((cell, delta, entry),))

    @abstractmethod
    def add_many(self, updates: Sequence[tuple[str, int, Entry | None]]) -> None:
        """Several adds in one call (one lock, one flush)."""

    @abstractmethod
    def set(
        self, cell: str, value: int | str, entry: Entry | None = None, clear: Sequence[str] = ()
    ) -> None:
        """Set ``cell`` and delete the ``clear`` cells (a map key's other kinds)."""

    @abstractmethod
    def remove(self, cells: Sequence[str], entry: Entry | None = None) -> None: ...

    @abstractmethod
    def get_many(self, cells: Sequence[str]) -> dict[str, int | str]: ...

    def read_scalar(self, cell: str) -> int | str | None:
        """Read a scalar variable's cell (a shared store reads them all in one round trip)."""
        return self.get_many((cell,)).get(cell)

    @abstractmethod
    def entries(self, index: str) -> list[str]:
        """The entry ids listed in a map."""

    @abstractmethod
    def status(self) -> StoreStatus: ...

    @abstractmethod
    def processes(self) -> list[ProcessRecord]:
        """The processes that share this store and are alive."""

    def flush(self) -> bool:
        """Write pending updates; True when nothing is left pending."""
        return True

    def serving(self) -> None:
        """Called as each request starts: a chance to start background work lazily."""
        return None

    def close(self) -> None:
        """Write what is pending and stop background work (at exit, or when replaced)."""
        return None

    @abstractmethod
    def before_fork(self) -> None:
        """Hold the locks a fork must not copy half-way (released by ``after_fork_parent``)."""

    @abstractmethod
    def after_fork_parent(self) -> None: ...

    @abstractmethod
    def after_fork(self) -> None:
        """Forget state that belongs to the parent process (in the child)."""
