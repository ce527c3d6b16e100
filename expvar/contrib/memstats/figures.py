"""Memory figures from the cheapest honest sources: /proc/self/statm and status, else psutil,
and the C allocator's own statistics (glibc's ``mallinfo2()``) where they exist."""

from __future__ import annotations

import ctypes
import mmap
import os
import threading
from collections.abc import Callable
from typing import NamedTuple

import psutil

PAGE_SIZE = mmap.PAGESIZE
# No procfs (macOS, Windows, a sandbox): os.open fails, or os.pread does not exist.
NO_PROCFS = (OSError, ValueError, IndexError, AttributeError)
MALLINFO2_FIELDS = "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost"


class Resident(NamedTuple):
    """Bytes of this process in RAM, split into file-backed (code, libraries) and the rest."""

    total: int
    file_backed: int

    @property
    def anonymous(self) -> int:
        return self.total - self.file_backed


def parse_statm(raw: bytes) -> Resident:
    # Fields in pages: size resident shared text lib data dt; "shared" is RssFile + RssShmem.
    resident, shared = map(int, raw.split()[1:3])
    return Resident(resident * PAGE_SIZE, min(shared, resident) * PAGE_SIZE)


def parse_status_stack(raw: bytes) -> int:
    """VmStk from /proc/self/status, in bytes: the main thread's stack as far as it has grown."""
    _, found, rest = raw.partition(b"\nVmStk:")
    return int(rest.split(None, 1)[0]) * 1024 if found else 0


class ProcFile:
    """A /proc file read through one descriptor kept open (pread), reopened in a forked child:
    "self" is resolved when the file is opened."""

    path = ""

    def __init__(self, path: str | None = None) -> None:
        self._path = path or self.path
        self._lock = threading.Lock()
        self._fd, self._pid = -1, 0
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self._unlock)

    def read(self) -> bytes:
        with self._lock:
            if self._pid != os.getpid():
                stale, self._fd = self._fd, os.open(self._path, os.O_RDONLY)
                self._pid = os.getpid()
                if stale >= 0:
                    os.close(stale)
            return os.pread(self._fd, 8192, 0)

    def _unlock(self) -> None:
        # A fork while another thread holds the lock would leave the child's copy held.
        self._lock = threading.Lock()


class StatmReader(ProcFile):
    path = "/proc/self/statm"

    def __call__(self) -> Resident:
        return parse_statm(self.read())


class StackReader(ProcFile):
    """The main thread's stack; 0 where there is no procfs (found out once, not at every poll)."""

    path = "/proc/self/status"
    available = True

    def __call__(self) -> int:
        try:
            return parse_status_stack(self.read()) if self.available else 0
        except NO_PROCFS:
            self.available = False
            return 0


class PsutilResident:
    """For systems without procfs: psutil's RSS, with no file-backed share to tell apart."""

    def __call__(self) -> Resident:
        return Resident(psutil.Process().memory_info().rss, 0)


def choose_reader(statm: str = StatmReader.path) -> Callable[[], Resident]:
    reader = StatmReader(statm)
    try:
        reader()
    except NO_PROCFS:
        return PsutilResident()
    return reader


class Mallinfo2(ctypes.Structure):
    # struct mallinfo2 (glibc 2.33+): ten size_t fields, in this order.
    _fields_ = [(name, ctypes.c_size_t) for name in MALLINFO2_FIELDS.split()]


def find_mallinfo2(library: str | None = None) -> Callable[[], Mallinfo2] | None:
    """glibc's ``mallinfo2``, or None where the C library has none (musl, macOS, Windows, glibc
    before 2.33, whose ``mallinfo`` counts in C ints that wrap past 2 GiB)."""
    try:
        function = ctypes.CDLL(library).mallinfo2
    except (OSError, AttributeError, TypeError):
        return None
    function.restype, function.argtypes = Mallinfo2, []
    return function


MALLINFO2 = find_mallinfo2()


def read_malloc_free(mallinfo2: Callable[[], Mallinfo2] | None = MALLINFO2) -> int:
    """Bytes in malloc's free chunks (``fordblks``, fastbins included, over every arena): memory
    malloc holds for the process but has not handed out. 0 without ``mallinfo2``."""
    return 0 if mallinfo2 is None else int(mallinfo2().fordblks)


read_resident = choose_reader()
read_main_stack = StackReader()


class Cumulative:
    """Monotonic totals from a level sampled at each read: rises add up, falls add down, so
    ``up - down`` is always the latest level: the smallest counts that explain the samples."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = self._up = self._down = 0
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self._unlock)

    def observe(self, level: int) -> tuple[int, int]:
        with self._lock:
            self._up += max(level - self._last, 0)
            self._down += max(self._last - level, 0)
            self._last = level
            return self._up, self._down

    def _unlock(self) -> None:
        # The child inherits the totals; a lock held by another thread at fork stays held.
        self._lock = threading.Lock()
