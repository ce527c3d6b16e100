"""Memory figures from the cheapest honest sources: /proc/self/statm and status, else psutil."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass

import psutil

STATM = "/proc/self/statm"
STATUS = "/proc/self/status"
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


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
        fd = self._fd
        if fd is None or self._pid != os.getpid():
            fd = self._reopen()
        return os.pread(fd, self._size, 0)

    def _reopen(self) -> int:
        with self._lock:
            pid = os.getpid()
            if self._fd is not None and self._pid == pid:
                return self._fd
            if self._fd is not None:
                os.close(self._fd)
            self._fd = os.open(self._path, os.O_RDONLY)
            self._pid = pid
            return self._fd

    def _unlock(self) -> None:
        self._lock = threading.Lock()


class StatmReader:
    """This process's resident memory, from /proc/self/statm."""

    def __init__(self, path: str = STATM) -> None:
        self._file = ProcFile(path, 512)

    def __call__(self) -> Resident:
        return parse_statm(self._file.read())


def parse_status_stack(raw: bytes) -> int:
    """VmStk from /proc/self/status, in bytes: the main thread's stack as far as it has grown."""
    _, found, rest = raw.partition(b"\nVmStk:")
    if not found:
        return 0
    return int(rest.split(None, 1)[0]) * 1024


class StackReader:
    """The main thread's stack, read from /proc/self/status; 0 where there is no procfs."""

    def __init__(self, path: str = STATUS) -> None:
        self._file = ProcFile(path, 8192)
        self._available = True

    def __call__(self) -> int:
        if not self._available:
            return 0
        try:
            return parse_status_stack(self._file.read())
        except (OSError, ValueError, IndexError, AttributeError):
            # No procfs (macOS, Windows, a sandbox), or no os.pread: ask once, not every poll.
            self._available = False
            return 0


class PsutilResident:
    """For systems without procfs: psutil's RSS, with no file-backed share to tell apart."""

    def __init__(self) -> None:
        self._process: psutil.Process | None = None

    def __call__(self) -> Resident:
        pid = os.getpid()
        process = self._process
        if process is None or process.pid != pid:
            process = self._process = psutil.Process(pid)
        return Resident(total=process.memory_info().rss, file_backed=0)


def choose_reader(statm: str = STATM) -> Callable[[], Resident]:
    reader = StatmReader(statm)
    try:
        reader()
    except (OSError, ValueError, IndexError, AttributeError):
        # No procfs (macOS, Windows, a sandbox): os.open fails, or os.pread does not exist.
        return PsutilResident()
    return reader


read_resident = choose_reader()
read_main_stack = StackReader()


class Cumulative:
    """Monotonic totals from a level sampled at each read: rises add up, falls add down.

    ``up - down`` always equals the latest level, and both only grow: the smallest allocation
    and free counts that explain what the samples saw.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: int | None = None
        self._up = 0
        self._down = 0
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self._unlock)

    def observe(self, level: int) -> tuple[int, int]:
        with self._lock:
            if self._last is None:
                self._up = level
            elif level > self._last:
                self._up += level - self._last
            else:
                self._down += self._last - level
            self._last = level
            return self._up, self._down

    def _unlock(self) -> None:
        # The child inherits the totals; a lock held by another thread at fork stays held.
        self._lock = threading.Lock()
