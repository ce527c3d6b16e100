from __future__ import annotations

import os
import threading
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


class ProcessSampler:
    """This process's figures from one cached ``psutil.Process``, recreated after a fork."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: psutil.Process | None = None
        if hasattr(os, "register_at_fork"):
            # A fork while another thread holds the lock would leave the child's copy held.
            os.register_at_fork(after_in_child=self._unlock)

    def sample(self) -> dict[str, int | float]:
        with self._lock:
            if self._process is None or self._process.pid != os.getpid():
                self._process = psutil.Process(os.getpid())
            process = self._process
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
                figures["cpu_user"] = times.user
                figures["cpu_system"] = times.system
                # Since the previous sample, whoever asked for it; interval=None never blocks.
                figures["cpu_percent"] = process.cpu_percent(interval=None)
        return figures

    def _unlock(self) -> None:
        self._lock = threading.Lock()


sampler = ProcessSampler()


class Process(expvar.ExpVar):
    name = "process"
    prometheus = "expvar.contrib.psutil.prometheus.process_families"

    def value(self) -> dict[str, int | float]:
        return sampler.sample()
