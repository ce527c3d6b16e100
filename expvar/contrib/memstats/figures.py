"""Memory figures from the cheapest honest sources: /proc/self/statm and status, else psutil,
and the C allocator's own statistics (glibc's ``mallinfo2()``) where they exist."""

from __future__ import annotations

import ctypes
import mmap
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass

import psutil

STATM = "/proc/self/statm"
STATUS = "/proc/self/status"
PAGE_SIZE = mmap.PAGESIZE
# No procfs (macOS, Windows, a sandbox): os.open fails, or os.pread does not exist.
NO_PROCFS = (OSError, ValueError, IndexError, AttributeError)


@dataclass(frozen=True)
class Resident:
    """Bytes of this process in RAM, split into file-backed (code, libraries) and the rest."""

    total: int
    file_backed: int

    @property
    def anonymous(self) -> int:
        return self.total - self.file_backed


def parse_statm(raw: bytes) -> Resident:
    # Fields in pages: size resident shared text lib data dt; "shared" is RssFile + RssShmem.
    fields = raw.split()
    resident = int(fields[1])
    shared = min(int(fields[2]), resident)
    return Resident(total=resident * PAGE_SIZE, file_backed=shared * PAGE_SIZE)


def parse_status_stack(raw: bytes) -> int:
    """VmStk from /proc/self/status, in bytes: the main thread's stack as far as it has grown."""
    _, found, rest = raw.partition(b"\nVmStk:")
    if not found:
        return 0
    return int(rest.split(None, 1)[0]) * 1024


class ProcFile:
    """Reads a /proc file through one descriptor kept open (pread), reopened after a fork.

    "self" is resolved when the file is opened, so a forked child must not reuse its parent's.
    """

    def __init__(self, path: str, size: int) -> None:
        self._path = path
        self._size = size
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._pid = 0
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self._unlock)

    def read(self) -> bytes:
        with self._lock:
            fd = self._fd
            if fd is None or self._pid != os.getpid():
                if fd is not None:
                    os.close(fd)
                fd = self._fd = os.open(self._path, os.O_RDONLY)
                self._pid = os.getpid()
            return os.pread(fd, self._size, 0)

    def _unlock(self) -> None:
        self._lock = threading.Lock()


class StatmReader(ProcFile):
    """This process's resident memory, from /proc/self/statm."""

    def __init__(self, path: str = STATM) -> None:
        super().__init__(path, 512)

    def __call__(self) -> Resident:
        return parse_statm(self.read())


class StackReader(ProcFile):
    """The main thread's stack, read from /proc/self/status; 0 where there is no procfs."""

    def __init__(self, path: str = STATUS) -> None:
        super().__init__(path, 8192)
        self._available = True

    def __call__(self) -> int:
        if self._available:
            try:
                return parse_status_stack(self.read())
            except NO_PROCFS:
                self._available = False  # ask once, not every poll
        return 0


class PsutilResident:
    """For systems without procfs: psutil's RSS, with no file-backed share to tell apart."""

    def __call__(self) -> Resident:
        return Resident(total=psutil.Process().memory_info().rss, file_backed=0)


def choose_reader(statm: str = STATM) -> Callable[[], Resident]:
    reader = StatmReader(statm)
    try:
        reader()
    except NO_PROCFS:
        return PsutilResident()
    return reader


MALLINFO2_FIELDS = (
    "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
    "keepcost",
)  # fmt: skip


class Mallinfo2(ctypes.Structure):
    # struct mallinfo2 (glibc 2.33+): ten size_t fields, in this order.
    _fields_ = [(name, ctypes.c_size_t) for name in MALLINFO2_FIELDS]


def find_mallinfo2(library: str | None = None) -> Callable[[], Mallinfo2] | None:
    """glibc's ``mallinfo2``, or None where the C library has none (musl, macOS, Windows, glibc
    before 2.33, whose ``mallinfo`` counts in C ints that wrap past 2 GiB)."""
    try:
        function = ctypes.CDLL(library).mallinfo2
    except (OSError, AttributeError, TypeError):
        return None
    function.restype = Mallinfo2
    function.argtypes = []
    return function


_mallinfo2 = find_mallinfo2()


def read_malloc_free(mallinfo2: Callable[[], Mallinfo2] | None = _mallinfo2) -> int:
    """Bytes in malloc's free chunks (``fordblks``), fastbins included, summed over every arena:
    memory malloc holds for the process but has not handed out. 0 without ``mallinfo2``."""
    return 0 if mallinfo2 is None else int(mallinfo2().fordblks)


read_resident = choose_reader()
read_main_stack = StackReader()


class Cumulative:
    """Monotonic totals from a level sampled at each read: rises add up, falls add down.

    ``up - down`` always equals the latest level, and both only grow: the smallest allocation
    and free counts that explain what the samples saw.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = 0
        self._up = 0
        self._down = 0
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self._unlock)

    def observe(self, level: int) -> tuple[int, int]:
        with self._lock:
            if level > self._last:
                self._up += level - self._last
            else:
                self._down += self._last - level
            self._last = level
            return self._up, self._down

    def _unlock(self) -> None:
        # The child inherits the totals; a lock held by another thread at fork stays held.
        self._lock = threading.Lock()
