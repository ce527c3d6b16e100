from __future__ import annotations

from typing import Any

import psutil

import expvar
from expvar.contrib.psutil.process import sampler


class Cpu(expvar.ExpVar):
    name = "cpu"
    never_blocks = True

    def value(self) -> dict[str, Any]:
        return psutil.cpu_times()._asdict()


class VirtualMemory(expvar.ExpVar):
    name = "vmem"
    never_blocks = True

    def value(self) -> dict[str, Any]:
        return psutil.virtual_memory()._asdict()


class SwapMemory(expvar.ExpVar):
    name = "swap"
    never_blocks = True

    def value(self) -> dict[str, Any]:
        return psutil.swap_memory()._asdict()


class NetIO(expvar.ExpVar):
    name = "netio"
    never_blocks = True

    def value(self) -> dict[str, Any]:
        # psutil returns None on a host without network interfaces.
        counters = psutil.net_io_counters()
        return {} if counters is None else counters._asdict()


class Process(expvar.ExpVar):
    name = "process"
    never_blocks = True

    def value(self) -> dict[str, int | float]:
        return sampler.sample()
