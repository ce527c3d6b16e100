"""Tell which CPU the calling thread runs on, and keep another thread on one CPU (Linux).

The evaluator uses them to run its reading thread on the CPU of the request that waits for it
(see ``evaluation._Worker``). Where the platform cannot tell or set a thread's CPU,
``current_cpu()`` is None and nothing is moved.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Callable

_Getcpu = Callable[[], int]


def _find_getcpu() -> _Getcpu | None:
    if not hasattr(os, "sched_setaffinity"):
        return None
    try:
        function = ctypes.CDLL(None).sched_getcpu
    except (OSError, AttributeError):  # no C library symbols to look up, or no sched_getcpu
        return None
    function.restype = ctypes.c_int
    function.argtypes = []
    getcpu: _Getcpu = function
    return getcpu if getcpu() >= 0 else None


_getcpu = _find_getcpu()


def current_cpu() -> int | None:
    """Return the CPU the calling thread runs on, or None where that cannot be known."""
    if _getcpu is None:
        return None
    cpu = _getcpu()
    return cpu if cpu >= 0 else None


def pin(thread_id: int, cpu: int) -> bool:
    """Let thread ``thread_id`` (a native id) run only on ``cpu``; False if the system refused."""
    try:
        os.sched_setaffinity(thread_id, (cpu,))
    except OSError:  # the thread is gone, or the CPU is outside what this process may use
        return False
    return True
