"""Memory figures from the OS and the C allocator: /proc/self/status (psutil where there is no
procfs) and glibc's ``mallinfo2()`` where it exists."""

from __future__ import annotations

import ctypes
import os
import threading
from collections.abc import Callable

import psutil

STATUS = "/proc/self/status"
MALLINFO2_FIELDS = "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost"


def read_status() -> tuple[int, int, int]:
    """Return the resident bytes, their file-backed and shared part, and the main stack's."""
    try:
        # Unbuffered: read whole at once, without a buffer to fill (a third of the cost).
        with open(STATUS, "rb", buffering=0) as file:
            status = file.read()
    except OSError:
        # No procfs (macOS, Windows): psutil's RSS, with no part or stack to tell apart.
        return psutil.Process().memory_info().rss, 0, 0
    shared = _kib(status, b"RssFile") + _kib(status, b"RssShmem")
    # VmStk is the main thread's stack as far as it has grown.
    return _kib(status, b"VmRSS"), shared, _kib(status, b"VmStk")


def _kib(status: bytes, name: bytes) -> int:
    _, found, rest = status.partition(b"\n" + name + b":")
    return int(rest.split(None, 1)[0]) * 1024 if found else 0


class Mallinfo2(ctypes.Structure):
    # struct mallinfo2 (glibc 2.33+): ten size_t fields, in this order.
    _fields_ = [(name, ctypes.c_size_t) for name in MALLINFO2_FIELDS.split()]


# glibc's mallinfo2(), or None where the C library has none (musl, macOS, Windows, glibc before
# 2.33, whose mallinfo() counts in C ints that wrap past 2 GiB).
mallinfo2: Callable[[], Mallinfo2] | None
try:
    mallinfo2 = ctypes.CDLL(None).mallinfo2
    mallinfo2.restype, mallinfo2.argtypes = Mallinfo2, []
except (OSError, AttributeError, TypeError):
    mallinfo2 = None


def malloc_free() -> int:
    """Return the bytes in malloc's free chunks over every arena (0 without ``mallinfo2``)."""
    return 0 if mallinfo2 is None else int(mallinfo2().fordblks)


class Cumulative:
    """Monotonic totals from a level sampled at each read: rises add up, falls add down, so
    ``up - down`` is always the latest level: the smallest counts that explain the samples."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = self._up = 0
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self._unlock)

    def observe(self, level: int) -> tuple[int, int]:
        """Add the change since the previous level; return the totals up and down."""
        with self._lock:
            self._up += max(level - self._last, 0)
            self._last = level
            return self._up, self._up - level

    def _unlock(self) -> None:
        # The child inherits the totals; a lock held by another thread at fork stays held.
        self._lock = threading.Lock()
