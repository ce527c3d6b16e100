"""This process's figures from one cached ``psutil.Process``, recreated after a fork."""

from __future__ import annotations

import os
import threading

import psutil


class ProcessSampler:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: psutil.Process | None = None
        if hasattr(os, "register_at_fork"):
            # A fork while another thread holds the lock would leave the child's copy held.
            os.register_at_fork(after_in_child=self._forget)

    def sample(self) -> dict[str, int | float]:
        with self._lock:
            process = self._current()
            with process.oneshot():
                memory = process.memory_info()
                times = process.cpu_times()
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

    def _current(self) -> psutil.Process:
        pid = os.getpid()
        if self._process is None or self._process.pid != pid:
            self._process = psutil.Process(pid)
        return self._process

    def _forget(self) -> None:
        self._lock = threading.Lock()
        self._process = None


sampler = ProcessSampler()
