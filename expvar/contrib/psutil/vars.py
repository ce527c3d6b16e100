from __future__ import annotations

import functools
import os
from typing import Any, ClassVar

import psutil

import expvar


class SystemFigures(expvar.ExpVar):
    """One of psutil's system-wide named tuples as a dict, with every field the platform has."""

    abstract = True
    # Looked up on each read, so that the psutil function can be replaced (in tests).
    function: ClassVar[str]

    def value(self) -> dict[str, Any]:
        figures = getattr(psutil, self.function)()
        # net_io_counters() returns None on a host without network interfaces.
        return {} if figures is None else figures._asdict()


class Cpu(SystemFigures):
    name, function = "cpu", "cpu_times"


class VirtualMemory(SystemFigures):
    name, function = "vmem", "virtual_memory"


class SwapMemory(SystemFigures):
    name, function = "swap", "swap_memory"


class NetIO(SystemFigures):
    name, function = "netio", "net_io_counters"


@functools.cache
def _this_process(pid: int) -> psutil.Process:
    # One object per process, so that cpu_percent measures since the previous read; a forked
    # child has a pid of its own, so it gets an object of its own.
    return psutil.Process(pid)


class Process(expvar.ExpVar):
    name = "process"
    prometheus = "expvar.contrib.psutil.prometheus.process_families"

    def value(self) -> dict[str, int | float]:
        process = _this_process(os.getpid())
        # oneshot reads each /proc file once, and holds the object's lock: concurrent reads take
        # turns, each cpu_percent measured from the one before.
        with process.oneshot():
            memory, times = process.memory_info(), process.cpu_times()
            figures: dict[str, int | float] = {
                "pid": process.pid,
                "create_time": process.create_time(),
                "rss": memory.rss,
                "vms": memory.vms,
                "threads": process.num_threads(),
            }
            # Each method exists only where the platform has the figure.
            if hasattr(process, "num_fds"):
                figures["fds"] = process.num_fds()
            elif hasattr(process, "num_handles"):
                figures["handles"] = process.num_handles()
            figures.update(cpu_user=times.user, cpu_system=times.system)
            # Since the previous read, whoever asked for it; interval=None never blocks.
            figures["cpu_percent"] = process.cpu_percent(interval=None)
        return figures
