from __future__ import annotations

from typing import Any

import psutil

import expvar
from expvar.contrib.psutil.process import sampler


class Cpu(expvar.ExpVar):
    name = "cpu"

    def value(self) -> dict[str, Any]:
        return psutil.cpu_times()._asdict()


class VirtualMemory(expvar.ExpVar):
    name = "vmem"

    def value(self) -> dict[str, Any]:
        return psutil.virtual_memory()._asdict()


class SwapMemory(expvar.ExpVar):
    name = "swap"

    def value(self) -> dict[str, Any]:
        return psutil.swap_memory()._asdict()


class NetIO(expvar.ExpVar):
    name = "netio"

    def value(self) -> dict[str, Any]:
        # psutil returns None on a host without network interfaces.
        counters = psutil.net_io_counters()
        return {} if counters is None else counters._asdict()


class Process(expvar.ExpVar):
    name = "process"
    prometheus = "expvar.contrib.psutil.prometheus.process_families"

    def value(self) -> dict[str, int | float]:
        return sampler.sample()
