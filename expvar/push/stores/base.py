"""What the stores share: the types they answer with, and the error of a store that is away."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

from expvar.process import ProcessInfo

if TYPE_CHECKING:
    from expvar.push.stores.cache import CacheStore
    from expvar.push.stores.local import LocalStore

# Both stores offer the same methods: atomic updates of named cells, reads, and the hooks the
# process's life calls (``serving``, ``flush``, ``close``, and the three fork hooks).
Store: TypeAlias = "LocalStore | CacheStore"


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
class ProcessRecord(ProcessInfo):
    """A process as its heartbeat last published it."""

    last_seen: float
    pending: int = 0
