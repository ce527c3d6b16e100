"""Whether a shared store is answering, when to try it again, and what to log about it.

After a failure the store is left alone for a back-off (1 s, doubling up to 30 s), so a store
that is down or slow costs at most one bounded wait per back-off, not one per update or request.
The log gets one line when the store goes away, one every five minutes while it stays away, and
one when it is back.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

logger = logging.getLogger("expvar")

MIN_BACKOFF = 1.0
MAX_BACKOFF = 30.0
REMIND_EVERY = 300.0

# What the client libraries call "the server could not be reached or did not answer in time".
_TRANSPORT_NAMES = frozenset(
    {"ConnectionError", "TimeoutError", "ServerDown", "ServerDead", "MemcacheUnexpectedCloseError"}
)


class StoreUnavailable(Exception):
    """The shared store cannot be read now; updates are kept and retried."""


@dataclass(frozen=True)
class StoreStatus:
    """A store as the dashboard's Processes panel shows it."""

    backend: str
    description: str
    healthy: bool = True
    down_since: float | None = None
    last_error: str = ""
    retry_in: float = 0.0
    pending: int = 0
    dropped: int = 0
    flush_interval: float | None = None


def is_transport_error(exc: BaseException) -> bool:
    """Tell whether ``exc`` says the store is unreachable, rather than that one update was bad."""
    return isinstance(exc, (OSError, EOFError)) or any(
        cls.__name__ in _TRANSPORT_NAMES for cls in type(exc).__mro__
    )


class Health:
    def __init__(self, label: str) -> None:
        self.label = label
        self.lock = threading.Lock()
        self.down_since: float | None = None
        self.last_error = ""
        self._retry_at = self._reminded_at = 0.0
        self._backoff = MIN_BACKOFF

    @property
    def healthy(self) -> bool:
        return self.down_since is None

    def may_try(self) -> bool:
        return self.down_since is None or time.monotonic() >= self._retry_at

    def retry_in(self) -> float:
        return max(0.0, self._retry_at - time.monotonic())

    def failed(self, exc: BaseException, pending: int) -> None:
        now = time.monotonic()
        # Logged before the store is marked down, under the lock: whoever sees the store down
        # can rely on the outage being in the log already.
        with self.lock:
            self.last_error = f"{type(exc).__name__}: {exc}"
            since = self.down_since
            self._backoff = MIN_BACKOFF if since is None else min(self._backoff * 2, MAX_BACKOFF)
            self._retry_at = now + self._backoff
            if since is None:
                logger.warning(
                    "expvar: %s is unavailable (%s). Updates are kept in this process "
                    "(%d pending) and retried with back-off; reads of push variables fail "
                    "until it is back.",
                    self.label,
                    self.last_error,
                    pending,
                )
                self._reminded_at = now
                self.down_since = time.time()
            elif now - self._reminded_at >= REMIND_EVERY:
                self._reminded_at = now
                logger.warning(
                    "expvar: %s is still unavailable after %.0fs (%s); %d updates pending.",
                    self.label,
                    time.time() - since,
                    self.last_error,
                    pending,
                )

    def succeeded(self, pending: int) -> None:
        with self.lock:
            since, self.down_since = self.down_since, None
            self._backoff = MIN_BACKOFF
        if since is not None:
            logger.warning(
                "expvar: %s is back after %.1fs; %d updates still pending.",
                self.label,
                time.time() - since,
                pending,
            )
