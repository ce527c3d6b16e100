from __future__ import annotations

import os
import sys
import time
from typing import Any

import psutil
import pytest

from expvar.contrib.psutil.vars import Cpu, NetIO, Process, SwapMemory, VirtualMemory


def test_cpu_has_every_cpu_times_field() -> None:
    assert list(Cpu().value()) == list(psutil.cpu_times()._fields)


def test_vmem_has_every_virtual_memory_field() -> None:
    assert list(VirtualMemory().value()) == list(psutil.virtual_memory()._fields)


def test_swap_has_every_swap_memory_field() -> None:
    assert list(SwapMemory().value()) == list(psutil.swap_memory()._fields)


def test_netio_has_every_net_io_counters_field() -> None:
    counters = psutil.net_io_counters()
    assert counters is not None
    assert list(NetIO().value()) == list(counters._fields)


def test_netio_without_interfaces_is_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(psutil, "net_io_counters", lambda: None)
    assert NetIO().value() == {}


def test_system_figures_are_numbers() -> None:
    values = [*Cpu().value().values(), *VirtualMemory().value().values()]
    assert all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def test_process_is_this_process() -> None:
    figures = Process().value()
    assert figures["pid"] == os.getpid()
    assert figures["create_time"] == psutil.Process().create_time()


def test_process_fields() -> None:
    expected = {"pid", "create_time", "rss", "vms", "threads", "cpu_user", "cpu_system"}
    expected.add("handles" if sys.platform == "win32" else "fds")
    assert set(Process().value()) == expected | {"cpu_percent"}


def test_process_counts_are_ints() -> None:
    figures = Process().value()
    counts = ["pid", "rss", "vms", "threads", "handles" if sys.platform == "win32" else "fds"]
    assert {type(figures[k]) for k in counts} == {int}


def test_process_times_are_floats() -> None:
    figures = Process().value()
    assert {type(figures[k]) for k in ("cpu_user", "cpu_system", "cpu_percent")} == {float}


def test_cpu_percent_never_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    intervals: list[Any] = []
    original = psutil.Process.cpu_percent

    def spy(self: psutil.Process, interval: float | None = None) -> float:
        intervals.append(interval)
        return original(self, interval)

    monkeypatch.setattr(psutil.Process, "cpu_percent", spy)
    Process().value()
    Process().value()
    assert intervals == [None, None]


def test_cpu_percent_is_measured_since_the_previous_read() -> None:
    Process().value()
    busy_until = time.process_time() + 0.05
    while time.process_time() < busy_until:
        pass
    assert Process().value()["cpu_percent"] > 0


def test_process_is_recreated_when_the_pid_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    Process().value()
    # As after a fork: the process read before is another one now.
    monkeypatch.setattr(os, "getpid", os.getppid)
    assert Process().value()["pid"] == os.getppid()
