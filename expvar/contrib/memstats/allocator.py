"""The C allocator's own statistics: glibc's ``mallinfo2()``, where it exists."""

from __future__ import annotations

import ctypes
from collections.abc import Callable

MALLINFO2_FIELDS = (
    "arena",
    "ordblks",
    "smblks",
    "hblks",
    "hblkhd",
    "usmblks",
    "fsmblks",
    "uordblks",
    "fordblks",
    "keepcost",
)


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
    reader: Callable[[], Mallinfo2] = function
    return reader


class MallocFree:
    """Bytes in malloc's free chunks (``fordblks``), fastbins included, summed over every arena:
    memory malloc holds for the process but has not handed out. 0 without ``mallinfo2``."""

    def __init__(self, mallinfo2: Callable[[], Mallinfo2] | None) -> None:
        self._mallinfo2 = mallinfo2

    def __call__(self) -> int:
        if self._mallinfo2 is None:
            return 0
        return int(self._mallinfo2().fordblks)


read_malloc_free = MallocFree(find_mallinfo2())
